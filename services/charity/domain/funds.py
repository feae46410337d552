"""Funds: community charity funds (社区慈善基金) and campaigns (99公益日, 幸福家园 mutual-aid
projects) with a goal, a period and a status."""

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from wushe.shared.regions import RegionCode


class FundKind(StrEnum):
    COMMUNITY = "community"
    CAMPAIGN = "campaign"


class FundStatus(StrEnum):
    REGISTERED = "registered"
    LAUNCHED = "launched"
    CLOSED = "closed"


NEXT_STATUS = {FundStatus.REGISTERED: FundStatus.LAUNCHED, FundStatus.LAUNCHED: FundStatus.CLOSED}


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
    kind: FundKind = FundKind.COMMUNITY
    goal_fen: int | None = Field(
        None, gt=0, validate_default=True, description="A campaign's goal in fen"
    )
    starts_on: date | None = None
    ends_on: date | None = None
    balance_low_threshold_fen: int = Field(
        0, ge=0, description="`fund.balance_low` is emitted when the balance falls below this"
    )

    @field_validator("goal_fen")
    @classmethod
    def _campaign_has_goal(cls, goal_fen: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("kind") is FundKind.CAMPAIGN and goal_fen is None:
            raise ValueError("a campaign needs a goal (筹款目标)")
        return goal_fen

    @field_validator("ends_on")
    @classmethod
    def _period_in_order(cls, ends_on: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise ValueError("the period ends before it starts")
        return ends_on


class ThresholdChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    balance_low_threshold_fen: int = Field(ge=0)


def initial_status(kind: FundKind) -> FundStatus:
    # A community fund takes donations from its opening; a campaign is registered first.
    return FundStatus.LAUNCHED if kind is FundKind.COMMUNITY else FundStatus.REGISTERED


# A fundraising period is filed in days of China's calendar.
CHINA = timezone(timedelta(hours=8))


def outside_period(starts_on: date | None, ends_on: date | None, moment: datetime) -> str | None:
    """Why a fund takes no donation made at ``moment``, or None: a campaign raises money
    only within the period it was filed for (募捐期限)."""
    day = moment.astimezone(CHINA).date()
    if starts_on is not None and day < starts_on:
        return f"the campaign takes donations from {starts_on} / 募捐期限自{starts_on}起"
    if ends_on is not None and day > ends_on:
        return f"the campaign's period ended on {ends_on} / 募捐期限已于{ends_on}结束"
    return None


def percent_of_goal(raised_fen: int, goal_fen: int | None) -> float | None:
    """Progress to one decimal, from exact integers."""
    if not goal_fen:
        return None
    return round(raised_fen * 100 / goal_fen, 1)
