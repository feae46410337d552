"""What charity's reads return. No names: donors appear by id, and not even that when
they asked for anonymity."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


class FundView(BaseModel):
    fund_id: UUID
    code: str
    name: str
    region_code: str
    manager_partner_ids: list[UUID]
    kind: str
    status: str
    goal_fen: int | None
    starts_on: date | None
    ends_on: date | None
    balance_low_threshold_fen: int
    balance_fen: int
    donations: int


class AccountView(BaseModel):
    account_id: UUID
    code: str
    kind: str
    restriction_kind: str | None
    restriction_target: str | None
    balance_fen: int


class DonationView(BaseModel):
    donation_id: UUID
    fund_id: UUID
    amount_fen: int
    channel: str
    receipt_number: str
    received_at: datetime
    donor_id: UUID | None
    anonymous: bool
    restriction_kind: str | None
    restriction_target: str | None
    status: str
    unallocated_fen: int
    reversal_reason: str | None
    reversed_at: datetime | None
    corrects: UUID | None
    corrected_by: UUID | None
    trace_id: str | None = None


class DisbursementView(BaseModel):
    disbursement_id: UUID
    fund_id: UUID
    amount_fen: int
    purpose: str
    person_id: UUID | None
    project_id: str | None
    restriction_kind: str | None
    restriction_target: str | None
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None = Field(
        description="Who approved or rejected it, or the requester who withdrew it"
    )
    decided_at: datetime | None
    rejection_reason: str | None
    withdrawal_reason: str | None


class MoneyTrail(BaseModel):
    """So much of one donation paid for so much of one disbursement."""

    donation_id: UUID
    receipt_number: str
    donor_id: UUID | None
    disbursement_id: UUID
    amount_fen: int
    person_id: UUID | None
    project_id: str | None
    purpose: str
    disbursed_at: datetime | None


class CampaignProgress(BaseModel):
    fund_id: UUID
    name: str
    region_code: str
    status: str
    goal_fen: int | None
    starts_on: date | None
    ends_on: date | None
    raised_fen: int
    goal_percent: float | None
    donors: int
    donations: int


class RegionCampaigns(BaseModel):
    region_code: str
    registered: int
    launched: int
    closed: int
    raised_fen: int
