"""The thank-yous owed to donors, as a fund's managers and auditors follow them: sent,
waiting (the region's quiet hours, a retry) or dead, with the kind of the last failure.
Never the donor's contact, which notify keeps sealed only until the thank-you is done."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from wushe.notify.adapters.thanks_orm import DonorThanksRecord
from wushe.notify.domain.donor_thanks import ThanksStatus
from wushe.shared.auth import CurrentCaller, Role, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix

router = APIRouter(tags=["thank-yous"])

READERS = (Role.ADMIN, Role.STATION_STAFF, Role.AUDITOR)


class ThankYouView(BaseModel):
    donation_id: UUID
    fund_id: UUID
    region_code: str
    amount_fen: int = Field(description="Amount in fen (分)")
    receipt_number: str
    channel: str = Field(examples=["email", "sms"])
    status: ThanksStatus
    attempts: int
    send_at: datetime = Field(description="When it is (or was) due: after quiet hours, retries")
    sent_at: datetime | None
    last_error: str | None = Field(description="The last failure's kind and reply code only")
    created_at: datetime


def _view(record: DonorThanksRecord) -> ThankYouView:
    return ThankYouView(
        donation_id=UUID(record.donation_id), fund_id=UUID(record.fund_id),
        region_code=record.region_code, amount_fen=record.amount_fen,
        receipt_number=record.receipt_number, channel=record.channel,
        status=ThanksStatus(record.status), attempts=record.attempts, send_at=record.send_at,
        sent_at=record.sent_at, last_error=record.last_error, created_at=record.created_at,
    )  # fmt: skip


@router.get("/thanks", response_model=list[ThankYouView])
async def thank_yous(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    fund_id: UUID | None = None,
    thanks_status: ThanksStatus | None = Query(None, alias="status"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[ThankYouView]:
    """The thank-yous of donations in the caller's region, newest first."""
    require_role(caller, *READERS)
    query = select(DonorThanksRecord).where(
        DonorThanksRecord.region_code.startswith(scope_prefix(caller.region))
    )
    if fund_id is not None:
        query = query.where(DonorThanksRecord.fund_id == str(fund_id))
    if thanks_status is not None:
        query = query.where(DonorThanksRecord.status == thanks_status.value)
    query = query.order_by(
        DonorThanksRecord.created_at.desc(), DonorThanksRecord.donation_id.desc()
    ).limit(limit)
    async with runtime.sessions() as session:
        return [_view(record) for record in await session.scalars(query)]


@router.get("/thanks/{donation_id}", response_model=ThankYouView)
async def thank_you(donation_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> ThankYouView:
    """The thank-you for one donation: 404 when none is owed (an anonymous donor, one who
    declined or gave no contact that reaches anyone)."""
    require_role(caller, *READERS)
    async with runtime.sessions() as session:
        record = await session.get(DonorThanksRecord, str(donation_id))
    if record is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"no thank-you owed for donation {donation_id}"
        )
    require_region(caller, record.region_code)
    return _view(record)
