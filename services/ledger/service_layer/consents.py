"""What the ledger knows of consent, from intake's events, to decide what it may share."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.ledger.adapters.orm import ConsentRecord
from wushe.ledger.service_layer.batch_reads import read_missing
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.timeline import add_entry
from wushe.shared.events import EventEnvelope
from wushe.shared.events.consent import (
    ConsentGranted,
    ConsentRevoked,
    ProcessingPurpose,
    RecipientKind,
)

# The consents (None: not known yet) the transaction's events name, in ``session.info``.
_LOADED = "wushe.ledger.consents"
_CONSENT_EVENTS = ("consent.granted", "consent.revoked")


@projection.on_prepare
async def load_consents(session: AsyncSession, events: Sequence[EventEnvelope]) -> None:
    """Read the records of the consents ``events`` name, for ``_keep`` to find until
    ``forget_loaded_consents``."""
    await read_missing(
        session,
        ConsentRecord.consent_id,
        (
            str(consent_id)
            for event in events
            if event.type in _CONSENT_EVENTS
            and (consent_id := event.payload.get("consent_id")) is not None
        ),
        session.info.setdefault(_LOADED, {}),
    )


@projection.on_finish
async def forget_loaded_consents(session: AsyncSession) -> None:
    session.info.pop(_LOADED, None)


async def _keep(applying: Applying, consent: ConsentGranted | ConsentRevoked) -> ConsentRecord:
    """The consent's record, made if new, with the terms the event states."""
    consent_id = str(consent.consent_id)
    loaded: dict[str, ConsentRecord | None] | None = applying.session.info.get(_LOADED)
    if loaded is not None and consent_id in loaded:
        record = loaded[consent_id]
    else:
        record = await applying.session.get(ConsentRecord, consent_id)
    if record is None:
        record = ConsentRecord(consent_id=consent_id, revoked_on=None)
        applying.session.add(record)
    if loaded is not None:
        loaded[consent_id] = record
    record.person_id = str(consent.person_id)
    record.purpose = consent.purpose.value
    record.recipient_kind = consent.recipient_kind.value
    record.valid_from = consent.valid_from
    record.valid_until = consent.valid_until
    add_entry(applying, record.person_id)
    return record


@projection.on("consent.granted")
async def keep_consent(applying: Applying) -> None:
    await _keep(applying, ConsentGranted.model_validate(applying.event.payload))


@projection.on("consent.revoked")
async def end_consent(applying: Applying) -> None:
    revoked = ConsentRevoked.model_validate(applying.event.payload)
    record = await _keep(applying, revoked)
    record.revoked_on = revoked.revoked_on


async def consent_covers(
    session: AsyncSession,
    persons: list[str],
    purpose: ProcessingPurpose,
    recipient_kind: RecipientKind,
    on: date,
) -> bool:
    """Whether a consent of any of ``persons`` (one person's merged files) allows the use."""
    found = await session.scalar(
        select(ConsentRecord.consent_id)
        .where(
            ConsentRecord.person_id.in_(persons),
            ConsentRecord.purpose == purpose.value,
            ConsentRecord.recipient_kind.in_([recipient_kind.value, RecipientKind.ANY.value]),
            ConsentRecord.valid_from <= on,
            or_(ConsentRecord.valid_until.is_(None), ConsentRecord.valid_until >= on),
            or_(ConsentRecord.revoked_on.is_(None), ConsentRecord.revoked_on > on),
        )
        .limit(1)
    )
    return found is not None
