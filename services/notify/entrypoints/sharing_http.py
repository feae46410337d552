"""Notify's HTTP API for what partners may receive: how they are reached, their
data-sharing agreements, the rules' regional settings and quiet hours, and the ledger of
what was shared about a person."""

from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.notify.adapters.orm import PartnerRecord
from wushe.notify.adapters.sharing_orm import (
    DigestItemRecord,
    RegionQuietHoursRecord,
    RuleSettingRecord,
    SharingAgreementRecord,
    SharingLedgerRecord,
)
from wushe.notify.domain.agreement import AgreementRequest
from wushe.notify.domain.partner import PartnerProfile
from wushe.notify.domain.rules import BUILT_IN, RuleSettingRequest
from wushe.notify.domain.statutory import refusal
from wushe.notify.service_layer.partner_profiles import (
    PartnerChannels,
    channels_of,
    load_profile,
    save_profile,
)
from wushe.notify.service_layer.recipients import effective_rule
from wushe.shared.auth import Caller, CurrentCaller, Role, require_region, require_role
from wushe.shared.events.consent import ProcessingPurpose
from wushe.shared.events.referrals import StatutoryGround
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import RegionCode
from wushe.shared.write_gate import writing

router = APIRouter(tags=["data sharing"])


class AgreementView(AgreementRequest):
    agreement_id: UUID
    partner_id: UUID


class RuleView(BaseModel):
    rule: str
    event_types: list[str]
    enabled: bool
    urgent: bool
    informational: bool
    recipient_kinds: list[str]
    escalate_to: str | None
    escalate_after_minutes: int | None
    merge_window_minutes: int
    set_by_region: str | None = Field(description="The region whose setting applies, if any")


class QuietHoursRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quiet_from: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"])
    quiet_until: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["07:00"])


class SharingView(BaseModel):
    partner_id: UUID
    partner_name: str
    partner_kind: str
    alert_id: UUID
    digest_alert_id: UUID | None = Field(
        description="The daily digest that carried it, for a partner taking digests"
    )
    event_id: UUID
    event_type: str
    rule: str
    fields_shared: list[str]
    fields_withheld: list[str]
    withheld_because: str | None
    agreement_id: UUID | None
    consent_id: UUID | None
    statutory_ground: StatutoryGround | None = Field(
        description="Shared under this ground of law instead of a consent"
    )
    shared_at: datetime


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": ["body", field], "msg": message, "type": "value_error"}],
    )


async def _partner(runtime: RuntimeDep, caller: Caller, partner_id: UUID) -> PartnerRecord:
    async with runtime.sessions() as session:
        record = await session.get(PartnerRecord, str(partner_id))
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no partner {partner_id}")
    if not any(caller.may_access(region) for region in record.regions):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="partner is outside your region")
    return record


@router.put("/partners/{partner_id}/profile", response_model=PartnerProfile)
async def set_profile(
    partner_id: UUID, profile: PartnerProfile, caller: CurrentCaller, runtime: RuntimeDep
) -> PartnerProfile:
    """Contacts (kept sealed), email and SMS channels, quiet hours and daily digest."""
    require_role(caller, Role.ADMIN)
    await _partner(runtime, caller, partner_id)
    async with writing(runtime.sessions) as session:
        await save_profile(session, str(partner_id), profile, runtime.settings.field_cipher())
    return profile


@router.get("/partners/{partner_id}/profile", response_model=PartnerProfile)
async def get_profile(
    partner_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> PartnerProfile:
    require_role(caller, Role.ADMIN)
    await _partner(runtime, caller, partner_id)
    async with runtime.sessions() as session:
        return await load_profile(session, str(partner_id), runtime.settings.field_cipher())


@router.get("/partners/{partner_id}/channels")
async def get_channels(
    partner_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> PartnerChannels:
    partner = await _partner(runtime, caller, partner_id)
    async with runtime.sessions() as session:
        return await channels_of(session, partner)


@router.post(
    "/partners/{partner_id}/agreements",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementView,
)
async def add_agreement(
    partner_id: UUID, request: AgreementRequest, caller: CurrentCaller, runtime: RuntimeDep
) -> AgreementView:
    """Record a signed data-sharing agreement: the personal fields of the listed event
    types the partner may receive, with the person's consent for ``purpose``, or
    without it under ``statutory_ground`` where the ground reaches the partner's kind and
    the event types."""
    require_role(caller, Role.ADMIN)
    partner = await _partner(runtime, caller, partner_id)
    if request.statutory_ground is not None:
        refused = refusal(request.statutory_ground, partner.kind, request.event_types)
        if refused is not None:
            raise _unprocessable(refused.field, refused.reason)
    record = SharingAgreementRecord(
        id=str(uuid7()),
        partner_id=str(partner_id),
        reference=request.reference,
        purpose=request.purpose.value,
        event_types=request.event_types,
        fields=sorted(set(request.fields)),
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        statutory_ground=request.statutory_ground.value if request.statutory_ground else None,
        statutory_note=request.statutory_note,
        created_at=datetime.now(UTC),
    )
    async with writing(runtime.sessions) as session:
        session.add(record)
    return _agreement_view(record)


@router.get("/partners/{partner_id}/agreements", response_model=list[AgreementView])
async def list_agreements(
    partner_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[AgreementView]:
    await _partner(runtime, caller, partner_id)
    async with runtime.sessions() as session:
        records = await session.scalars(
            select(SharingAgreementRecord)
            .where(SharingAgreementRecord.partner_id == str(partner_id))
            .order_by(SharingAgreementRecord.created_at)
        )
        return [_agreement_view(r) for r in records]


def _agreement_view(record: SharingAgreementRecord) -> AgreementView:
    return AgreementView(
        agreement_id=UUID(record.id),
        partner_id=UUID(record.partner_id),
        reference=record.reference,
        purpose=ProcessingPurpose(record.purpose),
        event_types=record.event_types,
        fields=record.fields,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        statutory_ground=(
            StatutoryGround(record.statutory_ground) if record.statutory_ground else None
        ),
        statutory_note=record.statutory_note,
    )


@router.get("/rules", response_model=list[RuleView], tags=["rules"])
async def list_rules(
    caller: CurrentCaller, runtime: RuntimeDep, region: RegionCode = Query(...)
) -> list[RuleView]:
    """The built-in rules as they apply in ``region``."""
    require_region(caller, region, field="region")
    async with runtime.sessions() as session:
        return [await _rule_view(session, name, region) for name in BUILT_IN]


@router.put("/rules/{rule}/regions/{region_code}", response_model=RuleView, tags=["rules"])
async def set_rule(
    rule: str,
    region_code: RegionCode,
    setting: RuleSettingRequest,
    caller: CurrentCaller,
    runtime: RuntimeDep,
) -> RuleView:
    """Set a built-in rule for a region and every region inside it."""
    require_role(caller, Role.ADMIN)
    require_region(caller, region_code)
    if rule not in BUILT_IN:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"rule: no rule {rule!r}; known: {sorted(BUILT_IN)}"
        )
    if setting.escalate_after_minutes is not None and BUILT_IN[rule].escalate_to is None:
        raise _unprocessable("escalate_after_minutes", f"rule {rule!r} does not escalate")
    async with writing(runtime.sessions) as session:
        await session.merge(
            RuleSettingRecord(
                rule=rule,
                region_code=region_code,
                enabled=setting.enabled,
                recipient_kinds=(
                    [k.value for k in setting.recipient_kinds] if setting.recipient_kinds else None
                ),
                escalate_after_minutes=setting.escalate_after_minutes,
                merge_window_minutes=setting.merge_window_minutes,
            )
        )
    async with runtime.sessions() as session:
        return await _rule_view(session, rule, region_code)


async def _rule_view(session: AsyncSession, name: str, region: str) -> RuleView:
    effective = await effective_rule(session, name, region)
    rule = effective.rule
    return RuleView(
        rule=rule.name,
        event_types=list(rule.event_types),
        enabled=rule.enabled,
        urgent=rule.urgent,
        informational=rule.informational,
        recipient_kinds=[k.value for k in rule.recipient_kinds],
        escalate_to=rule.escalate_to.value if rule.escalate_to else None,
        escalate_after_minutes=(
            int(rule.escalate_after.total_seconds() // 60) if rule.escalate_after else None
        ),
        merge_window_minutes=int(rule.merge_window.total_seconds() // 60),
        set_by_region=effective.region_code,
    )


@router.put("/regions/{region_code}/quiet-hours", response_model=QuietHoursRequest, tags=["rules"])
async def set_region_quiet_hours(
    region_code: RegionCode, request: QuietHoursRequest, caller: CurrentCaller, runtime: RuntimeDep
) -> QuietHoursRequest:
    """Quiet hours (China time) for partners in the region without their own."""
    require_role(caller, Role.ADMIN)
    require_region(caller, region_code)
    async with writing(runtime.sessions) as session:
        await session.merge(
            RegionQuietHoursRecord(
                region_code=region_code,
                quiet_from=request.quiet_from,
                quiet_until=request.quiet_until,
            )
        )
    return request


@router.get("/persons/{person_id}/sharing", response_model=list[SharingView], tags=["data sharing"])
async def sharing_about_person(
    person_id: UUID,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    since: date | None = None,
) -> list[SharingView]:
    """Who received which fields about the person, under which agreement and consent or
    statutory ground; alerts to partners outside the caller's region are left out."""
    require_role(caller, Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER, Role.AUDITOR)
    query = (
        select(SharingLedgerRecord, PartnerRecord, DigestItemRecord.digest_alert_id)
        .join(PartnerRecord, PartnerRecord.id == SharingLedgerRecord.partner_id)
        .outerjoin(DigestItemRecord, DigestItemRecord.id == SharingLedgerRecord.alert_id)
        .where(SharingLedgerRecord.person_id == str(person_id))
        .order_by(SharingLedgerRecord.shared_at, SharingLedgerRecord.id)
    )
    if since is not None:
        query = query.where(
            SharingLedgerRecord.shared_at >= datetime.combine(since, datetime.min.time(), UTC)
        )
    async with runtime.sessions() as session:
        rows = (await session.execute(query)).all()
    return [
        SharingView(
            partner_id=UUID(partner.id),
            partner_name=partner.name,
            partner_kind=partner.kind,
            alert_id=UUID(line.alert_id),
            digest_alert_id=UUID(digest) if digest else None,
            event_id=UUID(line.event_id),
            event_type=line.event_type,
            rule=line.rule,
            fields_shared=line.fields_shared,
            fields_withheld=line.fields_withheld,
            withheld_because=line.withheld_because,
            agreement_id=UUID(line.agreement_id) if line.agreement_id else None,
            consent_id=UUID(line.consent_id) if line.consent_id else None,
            statutory_ground=(
                StatutoryGround(line.statutory_ground) if line.statutory_ground else None
            ),
            shared_at=line.shared_at,
        )
        for line, partner, digest in rows
        if any(caller.may_access(region) for region in partner.regions)
    ]
