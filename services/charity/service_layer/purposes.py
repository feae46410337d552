"""Whether money under a restriction may go to a disbursement's recipient, with the
recipient as charity knows them now."""

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.domain.refusals import Invalid
from wushe.charity.domain.restrictions import (
    Recipient,
    Restriction,
    RestrictionKind,
    purpose_refusal,
)
from wushe.charity.service_layer.persons import recipient_person, survivor_of


async def check_purpose(
    session: AsyncSession,
    restriction: Restriction | None,
    person_id: str | None,
    project_id: str | None,
) -> None:
    if person_id is not None:
        recipient = await recipient_person(session, person_id)
    else:
        recipient = Recipient(project_id=project_id)
    if restriction is not None and restriction.kind is RestrictionKind.PERSON:
        # Money earmarked for a file later merged follows the person to the surviving file.
        survivor = await survivor_of(session, restriction.target)
        restriction = Restriction(kind=restriction.kind, target=survivor)
    refusal = purpose_refusal(restriction, recipient)
    if refusal is not None:
        raise Invalid(refusal, field="restriction")
