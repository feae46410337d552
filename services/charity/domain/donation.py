"""Donations as their managers enter them. Money is integer fen."""

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wushe.charity.domain.restrictions import Restriction

MAX_SINGLE_DONATION_FEN = 10_000_000_000  # 1 亿元: larger amounts are entry mistakes


class Channel(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    ONLINE_CAMPAIGN = "online_campaign"


class DonorKind(StrEnum):
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


class DonationStatus(StrEnum):
    RECEIVED = "received"
    REFUNDED = "refunded"
    CORRECTED = "corrected"  # reversed and replaced by another donation


class DonorEntry(BaseModel):
    """A donor; name and contact are sealed at rest."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: DonorKind = DonorKind.INDIVIDUAL
    name: str = Field(min_length=1, max_length=100, examples=["李四"])
    contact: str | None = Field(None, max_length=200, examples=["13800000000"])


class DonationEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_fen: int = Field(
        gt=0, le=MAX_SINGLE_DONATION_FEN, description="Amount in fen (分), an exact integer"
    )
    channel: Channel
    donor_id: UUID | None = Field(None, description="A donor already on record")
    donor: DonorEntry | None = Field(None, description="A new donor, recorded sealed")
    donor_name: str | None = Field(
        None, max_length=100, description="Shorthand for a new individual donor by name"
    )
    anonymous: bool = Field(False, description="Never named in public statements")
    thank_you: bool = Field(
        True,
        description="Thank the donor at the contact on record (email or mobile); an "
        "anonymous donor is never contacted",
    )
    restriction: Restriction | None = Field(
        None, description="Earmark for a person, a target group or a project; none: unrestricted"
    )

    @model_validator(mode="after")
    def _one_donor(self) -> "DonationEntry":
        given = [self.donor_id is not None, self.donor is not None, bool(self.donor_name)]
        if sum(given) > 1:
            raise ValueError("give at most one of donor_id, donor and donor_name")
        return self

    def new_donor(self) -> DonorEntry | None:
        if self.donor is not None:
            return self.donor
        if self.donor_name:
            return DonorEntry(name=self.donor_name)
        return None


class Refund(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=200, examples=["捐赠人要求退回"])


def receipt_number(fund_code: str, year: int, sequence: int) -> str:
    return f"{fund_code}-{year}-{sequence:06d}"
