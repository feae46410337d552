"""Notify's HTTP API: partners and their subscriptions (alerts: entrypoints/deliveries.py)."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import select
from uuid_utils.compat import uuid7

from wushe.notify.adapters.orm import PartnerRecord, SubscriptionRecord
from wushe.notify.adapters.sharing_orm import SubscriptionGroupsRecord
from wushe.notify.domain.partner import PartnerRegistration, SubscriptionRequest
from wushe.notify.service_layer.webhook_secrets import issue_secret
from wushe.shared.auth import Caller, CurrentCaller, Role, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.write_gate import writing

router = APIRouter(tags=["partners"])


class PartnerView(BaseModel):
    partner_id: UUID
    name: str
    kind: str
    regions: list[str]
    webhook_url: str


class PartnerCreated(PartnerView):
    webhook_secret: str


class SubscriptionView(BaseModel):
    subscription_id: UUID
    partner_id: UUID
    event_type: str
    region_code: str
    groups: list[str]


def _partner_view(record: PartnerRecord) -> PartnerView:
    return PartnerView(
        partner_id=UUID(record.id),
        name=record.name,
        kind=record.kind,
        regions=record.regions,
        webhook_url=record.webhook_url,
    )


@router.post("/partners", status_code=status.HTTP_201_CREATED, response_model=PartnerCreated)
async def register_partner(
    registration: PartnerRegistration, caller: CurrentCaller, runtime: RuntimeDep
) -> PartnerCreated:
    """Register a partner; the webhook signing secret is shown once, here."""
    require_role(caller, Role.ADMIN)
    for region in registration.regions:
        require_region(caller, region, field="regions")
    now = datetime.now(UTC)
    record = PartnerRecord(
        id=str(uuid7()),
        name=registration.name,
        kind=registration.kind.value,
        regions=registration.regions,
        webhook_url=str(registration.webhook_url),
        created_at=now,
    )
    async with writing(runtime.sessions) as session:
        session.add(record)
        await session.flush()
        secret = issue_secret(session, runtime.settings.field_cipher(), record.id, now)
    return PartnerCreated(**_partner_view(record).model_dump(), webhook_secret=secret)


@router.get("/partners", response_model=list[PartnerView])
async def list_partners(caller: CurrentCaller, runtime: RuntimeDep) -> list[PartnerView]:
    async with runtime.sessions() as session:
        records = await session.scalars(select(PartnerRecord).order_by(PartnerRecord.name))
        return [_partner_view(r) for r in records if any(caller.may_access(x) for x in r.regions)]


async def _partner_in_scope(runtime: RuntimeDep, caller: Caller, partner_id: UUID) -> PartnerRecord:
    async with runtime.sessions() as session:
        record = await session.get(PartnerRecord, str(partner_id))
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no partner {partner_id}")
    if not any(caller.may_access(region) for region in record.regions):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="partner is outside your region")
    return record


@router.post(
    "/partners/{partner_id}/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionView,
)
async def subscribe(
    partner_id: UUID, request: SubscriptionRequest, caller: CurrentCaller, runtime: RuntimeDep
) -> SubscriptionView:
    require_role(caller, Role.ADMIN)
    require_region(caller, request.region_code)
    if not request.known_type():
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{
                "loc": ["body", "event_type"],
                "msg": f"unknown event type {request.event_type!r}",
                "type": "value_error",
            }],
        )  # fmt: skip
    await _partner_in_scope(runtime, caller, partner_id)
    record = SubscriptionRecord(
        id=str(uuid7()),
        partner_id=str(partner_id),
        event_type=request.event_type,
        region_code=request.region_code,
    )
    groups = [group.value for group in request.groups]
    async with writing(runtime.sessions) as session:
        session.add(record)
        if groups:
            await session.flush()
            session.add(SubscriptionGroupsRecord(subscription_id=record.id, groups=groups))
    return SubscriptionView(
        subscription_id=UUID(record.id),
        partner_id=partner_id,
        event_type=record.event_type,
        region_code=record.region_code,
        groups=groups,
    )
