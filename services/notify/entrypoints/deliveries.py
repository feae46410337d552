"""The alert API: search alerts and their delivery log, acknowledge, redeliver.

A partner's token (role ``partner``, subject the partner id) sees and acknowledges only
the partner's own alerts; staff see the alerts of their region.
"""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import Select, select

from wushe.notify.adapters.orm import AlertRecord, DeliveryAttemptRecord
from wushe.notify.domain.delivery import AlertStatus
from wushe.notify.entrypoints.alert_views import (
    AcknowledgementView,
    AlertView,
    AttemptView,
    alert_view,
    attempt_view,
)
from wushe.notify.entrypoints.secret_rotation import router as secret_rotation
from wushe.notify.service_layer.alert_actions import (
    AlertBeingDelivered,
    AlertNotFound,
    acknowledge,
    redeliver,
)
from wushe.notify.service_layer.alert_events import AlertEvents
from wushe.shared.auth import Caller, CurrentCaller, Role, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.write_gate import writing

router = APIRouter(tags=["alerts"])
router.include_router(secret_rotation)


def _may_see(caller: Caller, alert: AlertRecord) -> bool:
    if caller.role is Role.PARTNER:
        return caller.subject == alert.partner_id
    return caller.may_access(alert.region_code)


@router.get("/alerts", response_model=list[AlertView])
async def search_alerts(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    partner_id: UUID | None = None,
    subject: str | None = Query(None, description="The person (or fund) the alert is about"),
    event_type: str | None = None,
    rule: str | None = None,
    alert_status: AlertStatus | None = Query(None, alias="status"),
    since: datetime | None = Query(None, description="Created at or after"),
    until: datetime | None = Query(None, description="Created before"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[AlertView]:
    """Alerts the caller may see, newest first."""
    if since and until and since >= until:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"loc": ["query", "until"], "msg": "until must be after since",
                     "type": "value_error"}],
        )  # fmt: skip
    query: Select[tuple[AlertRecord]] = select(AlertRecord)
    if caller.role is Role.PARTNER:
        query = query.where(AlertRecord.partner_id == caller.subject)
    for column, value in (
        (AlertRecord.partner_id, str(partner_id) if partner_id else None),
        (AlertRecord.subject, subject),
        (AlertRecord.event_type, event_type),
        (AlertRecord.rule, rule),
        (AlertRecord.status, alert_status.value if alert_status else None),
    ):
        if value is not None:
            query = query.where(column == value)
    if since:
        query = query.where(AlertRecord.created_at >= since)
    if until:
        query = query.where(AlertRecord.created_at < until)
    query = query.order_by(AlertRecord.created_at.desc(), AlertRecord.id.desc()).limit(limit)
    async with runtime.sessions() as session:
        records = await session.scalars(query)
        return [alert_view(r) for r in records if _may_see(caller, r)]


@router.get("/dead-letters", response_model=list[AlertView])
async def dead_letters(
    caller: CurrentCaller, runtime: RuntimeDep, limit: int = Query(100, ge=1, le=1000)
) -> list[AlertView]:
    """Alerts whose last attempt failed, waiting for a redelivery."""
    query = (
        select(AlertRecord)
        .where(AlertRecord.status == AlertStatus.DEAD)
        .order_by(AlertRecord.created_at.desc())
        .limit(limit)
    )
    async with runtime.sessions() as session:
        return [alert_view(r) for r in await session.scalars(query) if _may_see(caller, r)]


async def _visible_alert(runtime: RuntimeDep, caller: Caller, alert_id: UUID) -> AlertRecord:
    async with runtime.sessions() as session:
        alert = await session.get(AlertRecord, str(alert_id))
    if alert is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no alert {alert_id}")
    if not _may_see(caller, alert):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"alert {alert_id} is not yours")
    return alert


@router.get("/alerts/{alert_id}", response_model=AlertView)
async def show_alert(alert_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> AlertView:
    return alert_view(await _visible_alert(runtime, caller, alert_id))


@router.get("/alerts/{alert_id}/attempts", response_model=list[AttemptView])
async def list_attempts(
    alert_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[AttemptView]:
    """The delivery log of one alert: every attempt, oldest first."""
    alert = await _visible_alert(runtime, caller, alert_id)
    async with runtime.sessions() as session:
        attempts = await session.scalars(
            select(DeliveryAttemptRecord)
            .where(DeliveryAttemptRecord.alert_id == alert.id)
            .order_by(DeliveryAttemptRecord.id)
        )
        return [attempt_view(a) for a in attempts]


@router.post("/alerts/{alert_id}/acknowledgement", response_model=AcknowledgementView)
async def acknowledge_alert(
    alert_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> AcknowledgementView:
    """The partner has seen the alert (stops its escalation). Repeating it changes nothing."""
    require_role(caller, Role.PARTNER, Role.ADMIN)
    await _visible_alert(runtime, caller, alert_id)
    async with writing(runtime.sessions) as session:
        acknowledged = await acknowledge(
            session,
            str(alert_id),
            f"{caller.role.value}:{caller.subject}",
            datetime.now(UTC),
            AlertEvents.of(runtime),
        )
    return AcknowledgementView(
        alert_id=alert_id,
        acknowledged_at=acknowledged.acknowledged_at,
        acknowledged_by=acknowledged.acknowledged_by,
    )


@router.post(
    "/alerts/{alert_id}/redelivery", status_code=status.HTTP_202_ACCEPTED, response_model=AlertView
)
async def redeliver_alert(alert_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> AlertView:
    """Deliver the alert again (a dead letter, or one the partner lost)."""
    require_role(caller, Role.ADMIN, Role.PARTNER)
    await _visible_alert(runtime, caller, alert_id)
    try:
        async with writing(runtime.sessions) as session:
            alert = await redeliver(session, str(alert_id), datetime.now(UTC))
            view = alert_view(alert)
    except AlertBeingDelivered as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    except AlertNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no alert {alert_id}") from None
    return view
