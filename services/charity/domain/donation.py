"""Funds and donations as their managers enter them. Money is integer fen."""

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from wushe.shared.regions import RegionCode

MAX_SINGLE_DONATION_FEN = 10_000_000_000  # 1 亿元: larger amounts are entry mistakes


class Channel(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    ONLINE_CAMPAIGN = "online_campaign"


class FundOpening(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, examples=["鄂城区社区慈善基金"])
    code: str = Field(
        min_length=2, max_length=16, pattern=r"^[A-Z0-9-]+$", examples=["EC-CF"],
        description="Short code printed on receipts",
    )  # fmt: skip
    region_code: RegionCode = Field(examples=["420704"])
    manager_partner_ids: list[UUID] = Field(
        default_factory=list, description="Partners in notify's registry who manage the fund"
    )


class DonationEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_fen: int = Field(
        gt=0, le=MAX_SINGLE_DONATION_FEN, description="Amount in fen (分), an exact integer"
    )
    channel: Channel
    donor_name: str | None = Field(None, max_length=100)
    anonymous: bool = False


def receipt_number(fund_code: str, year: int, sequence: int) -> str:
    return f"{fund_code}-{year}-{sequence:06d}"
