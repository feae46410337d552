"""Charity's HTTP API for donations after their receipt: reading one, refunding or
correcting it (reversing entries), and where its money went."""

from uuid import UUID

from fastapi import APIRouter, status

from wushe.charity.adapters.orm import DonationRecord
from wushe.charity.domain.donation import DonationEntry, Refund
from wushe.charity.domain.refusals import NotFound
from wushe.charity.entrypoints.money_desk import FUND_KEEPERS, READERS, desk, fund_of_caller
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.read_models import DonationView, MoneyTrail
from wushe.charity.service_layer.reversals import correct, refund
from wushe.charity.service_layer.traceability import trails_of_donation
from wushe.shared.auth import CurrentCaller, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/donations", tags=["donations"], route_class=RefusalRoute)


def donation_view(donation: DonationRecord) -> DonationView:
    def optional(value: str | None) -> UUID | None:
        return UUID(value) if value else None

    return DonationView(
        donation_id=UUID(donation.id), fund_id=UUID(donation.fund_id),
        amount_fen=donation.amount_fen, channel=donation.channel,
        receipt_number=donation.receipt_number, received_at=donation.received_at,
        donor_id=optional(donation.donor_id), anonymous=donation.anonymous,
        restriction_kind=donation.restriction_kind,
        restriction_target=donation.restriction_target, status=donation.status,
        unallocated_fen=donation.unallocated_fen, reversal_reason=donation.reversal_reason,
        reversed_at=donation.reversed_at, corrects=optional(donation.corrects_id),
        corrected_by=optional(donation.corrected_by_id), trace_id=current_trace_id(),
    )  # fmt: skip


async def _donation(
    runtime: RuntimeDep, caller: CurrentCaller, donation_id: UUID
) -> DonationRecord:
    async with runtime.sessions() as session:
        donation = await session.get(DonationRecord, str(donation_id))
    if donation is None:
        raise NotFound(f"no donation {donation_id} / 没有该捐赠", field="donation_id")
    await fund_of_caller(runtime, caller, donation.fund_id)
    return donation


@router.get("/{donation_id}", response_model=DonationView)
async def get_donation(
    donation_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> DonationView:
    """The donation with its status and history (refunded or corrected, by which)."""
    require_role(caller, *READERS)
    return donation_view(await _donation(runtime, caller, donation_id))


@router.post("/{donation_id}/refund", response_model=DonationView)
async def refund_donation(
    donation_id: UUID, body: Refund, caller: CurrentCaller, runtime: RuntimeDep
) -> DonationView:
    """Refund a donation none of whose money was disbursed: a reversing journal entry;
    emits `donation.reversed`."""
    require_role(caller, *FUND_KEEPERS)
    await _donation(runtime, caller, donation_id)
    return donation_view(
        await refund(runtime.unit_of_work(), donation_id, body.reason, desk(caller, runtime))
    )


@router.post(
    "/{donation_id}/correction", status_code=status.HTTP_201_CREATED, response_model=DonationView
)
async def correct_donation(
    donation_id: UUID, entry: DonationEntry, caller: CurrentCaller, runtime: RuntimeDep
) -> DonationView:
    """Reverse a donation and record the corrected one with a new receipt; returns the new
    donation. Emits `donation.reversed` and `donation.received`."""
    require_role(caller, *FUND_KEEPERS)
    await _donation(runtime, caller, donation_id)
    return donation_view(
        await correct(runtime.unit_of_work(), donation_id, entry, desk(caller, runtime))
    )


@router.get("/{donation_id}/trail", response_model=list[MoneyTrail])
async def donation_trail(
    donation_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[MoneyTrail]:
    """Where the donation's money went: to which persons and projects, how much."""
    require_role(caller, *READERS)
    await _donation(runtime, caller, donation_id)
    async with runtime.sessions() as session:
        return await trails_of_donation(session, str(donation_id))
