"""A person's membership of a target group: from when, until when, and why."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from wushe.shared.events.groups import TargetGroup


class GroupMembershipEntry(BaseModel):
    """A group as entered: the group alone, or with the date it applies from and why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    group: TargetGroup
    since: date | None = Field(None, description="Defaults to the registration date")
    reason: str | None = Field(None, max_length=200, examples=["经村委会走访认定"])


def as_entry(value: object) -> object:
    """Accept a bare group name as shorthand for a membership entry."""
    return {"group": value} if isinstance(value, str) else value
