"""Goods in kind as a station enters them, and how value leaves the stock.

Quantities are whole counts of the item's unit; values are integer fen. Goods leave
at the stock's average value, computed exactly: the last unit out takes whatever value
is left, so a station's stock value never drifts from its movements.
"""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from wushe.charity.domain.refusals import Invalid
from wushe.shared.events.goods import GoodsCategory
from wushe.shared.regions import RegionCode

MAX_QUANTITY = 10_000_000
MAX_VALUE_FEN = 10_000_000_000  # 1 亿元: larger amounts are entry mistakes


class GoodsReceipt(BaseModel):
    """Goods received at a station (入库)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    station_region: RegionCode = Field(examples=["420704001"], description="The station")
    category: GoodsCategory
    description: str = Field(
        min_length=1, max_length=200, examples=["大米 10kg 装"], description="Naming no one"
    )
    unit: str = Field(min_length=1, max_length=20, examples=["袋"])
    quantity: int = Field(gt=0, le=MAX_QUANTITY)
    unit_value_fen: int | None = Field(None, ge=0, le=MAX_VALUE_FEN, description="Per unit")
    total_value_fen: int | None = Field(None, ge=0, le=MAX_VALUE_FEN, description="The whole lot")
    donor_name: str | None = Field(None, max_length=100, description="Stored sealed")

    def check(self) -> None:
        """Refuse a receipt whose valuation is missing, doubled or too large."""
        if (self.unit_value_fen is None) == (self.total_value_fen is None):
            raise Invalid(
                "give unit_value_fen or total_value_fen, exactly one (单价或总价须填且只填一项)",
                field="unit_value_fen",
            )
        if self.value_fen > MAX_VALUE_FEN:
            raise Invalid(
                f"the lot is valued at {self.value_fen} fen, more than {MAX_VALUE_FEN} "
                "(总价超过上限, 请核对)",
                field="unit_value_fen",
            )

    @property
    def value_fen(self) -> int:
        if self.total_value_fen is not None:
            return self.total_value_fen
        assert self.unit_value_fen is not None
        return self.unit_value_fen * self.quantity


class GoodsDistribution(BaseModel):
    """Goods given out of a stock item (出库) to a person's file or to an activity."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    stock_id: UUID
    quantity: int = Field(gt=0, le=MAX_QUANTITY)
    person_id: UUID | None = Field(None, description="The person's ledger file")
    activity_id: UUID | None = Field(None, description="A group activity the goods went to")
    recipient_region: RegionCode = Field(
        examples=["420704001003"], description="Where the person lives or the activity was held"
    )

    def check(self) -> None:
        if (self.person_id is None) == (self.activity_id is None):
            raise Invalid(
                "give person_id or activity_id, exactly one (须指定受助人或活动之一)",
                field="person_id",
            )


class MovementReversal(BaseModel):
    """Why a movement entered in error is reversed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, description="Stored sealed")


def value_leaving(quantity: int, stock_quantity: int, stock_value_fen: int) -> int:
    """The value of ``quantity`` units leaving a stock of ``stock_quantity`` units worth
    ``stock_value_fen``: the average, rounded down, and all of it with the last unit."""
    if not 0 < quantity <= stock_quantity:
        raise ValueError(f"{quantity} units cannot leave a stock of {stock_quantity}")
    if quantity == stock_quantity:
        return stock_value_fen
    return stock_value_fen * quantity // stock_quantity


def reversal_value_change(
    original_change_fen: int, quantity_after: int, stock_value_fen: int
) -> int:
    """The change to a stock's value when a movement that changed it by
    ``original_change_fen`` is reversed, leaving ``quantity_after`` units.

    A distribution's value comes back as it went. A receipt's value leaves with it, but
    never more than the stock holds (some may have left at a higher average), and all of
    it when no unit is left, so an empty stock is worth nothing.
    """
    if original_change_fen < 0:
        return -original_change_fen
    if quantity_after == 0:
        return -stock_value_fen
    return -min(original_change_fen, stock_value_fen)
