"""Whose work a visit or service was, when a volunteer did it: the time bank credits
volunteers (not staff, whose work is paid) by the ``volunteer_id`` the events carry."""

from wushe.shared.auth import Caller, Role
from wushe.shared.events.visits import VisitorKind
from wushe.shared.refusals import Invalid


def volunteer_of(
    caller: Caller, named: str | None, visitor_kind: VisitorKind = VisitorKind.VOLUNTEER
) -> str | None:
    """The volunteer who did the work: the caller when a volunteer records their own,
    else the volunteer staff named (if any)."""
    if caller.role is Role.VOLUNTEER:
        if named is not None and named != caller.subject:
            raise Invalid(
                "a volunteer records only their own work; leave volunteer_id out",
                field="volunteer_id",
            )
        if visitor_kind is not VisitorKind.VOLUNTEER:
            raise Invalid("a volunteer's visit has visitor_kind volunteer", field="visitor_kind")
        return caller.subject
    if named is not None and visitor_kind is not VisitorKind.VOLUNTEER:
        raise Invalid(
            f"volunteer_id names a volunteer but visitor_kind is {visitor_kind.value}",
            field="volunteer_id",
        )
    return named
