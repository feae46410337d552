"""A need's life (点单 → 接单 → 完成 → 确认) and the entries that start one."""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from wushe.charity.domain.refusals import Invalid, Refused
from wushe.shared.events.needs import NeedKind
from wushe.shared.regions import RegionCode


class NeedStatus(StrEnum):
    POSTED = "posted"
    TAKEN = "taken"
    FULFILLED = "fulfilled"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


NEED_STATUS_NAMES: dict[str, str] = {
    NeedStatus.POSTED: "待接单",
    NeedStatus.TAKEN: "已接单",
    NeedStatus.FULFILLED: "待确认",
    NeedStatus.CONFIRMED: "已确认",
    NeedStatus.CANCELLED: "已取消",
}


class NeedStep(StrEnum):
    TAKE = "take"
    FULFIL = "fulfil"
    CONFIRM = "confirm"
    REJECT_FULFILMENT = "reject_fulfilment"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[NeedStatus, NeedStep], NeedStatus] = {
    (NeedStatus.POSTED, NeedStep.TAKE): NeedStatus.TAKEN,
    (NeedStatus.POSTED, NeedStep.CANCEL): NeedStatus.CANCELLED,
    (NeedStatus.TAKEN, NeedStep.FULFIL): NeedStatus.FULFILLED,
    (NeedStatus.TAKEN, NeedStep.CANCEL): NeedStatus.CANCELLED,
    (NeedStatus.FULFILLED, NeedStep.CONFIRM): NeedStatus.CONFIRMED,
    # A rejected fulfilment goes back to the organisation that took the need.
    (NeedStatus.FULFILLED, NeedStep.REJECT_FULFILMENT): NeedStatus.TAKEN,
}

# Needs an organisation is still working on: they use its offer's capacity.
OPEN_FOR_TAKER = (NeedStatus.TAKEN, NeedStatus.FULFILLED)


def after(status: NeedStatus, step: NeedStep) -> NeedStatus:
    """The status ``step`` leads to, or a refusal naming the need's status."""
    following = TRANSITIONS.get((status, step))
    if following is None:
        raise Refused(
            f"the need is {status.value} ({NEED_STATUS_NAMES[status]}); "
            f"it cannot {step.value.replace('_', ' ')} now",
            field="status",
        )
    return following


def is_overdue(status: NeedStatus, deadline: date, today: date) -> bool:
    """Untaken past its deadline (逾期未接单)."""
    return status == NeedStatus.POSTED and deadline < today


class NeedPosting(BaseModel):
    """A need a station posts (需求清单)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: NeedKind
    quantity: int = Field(1, ge=1, le=100_000, description="How many (times, items, people)")
    unit: str | None = Field(None, max_length=20, examples=["次", "份", "人"])
    summary: str = Field(
        min_length=1, max_length=200, examples=["独居老人每周代买助餐"],
        description="What is needed, naming no one",
    )  # fmt: skip
    region_code: RegionCode = Field(examples=["420704001003"])
    person_id: UUID | None = Field(None, description="The person's ledger file, if for one")
    deadline: date

    def check(self, today: date) -> None:
        if self.deadline < today:
            raise Invalid(f"deadline {self.deadline} has passed (截止日期已过)", field="deadline")


class StepNote(BaseModel):
    """What an organisation or a station says with a step."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(None, max_length=1000, description="Stored sealed")


class StepReason(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=1000, description="Stored sealed")
