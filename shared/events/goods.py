"""Events charity publishes about goods in kind (物资) received and given out.

Keyed by the stock item, so that every movement of one item at one station stays in
order. A donor's identity stays in charity; a distribution to a person names the
person's ledger file by its id only.
"""

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


class GoodsCategory(StrEnum):
    MEDICINE = "medicine"
    FOOD = "food"
    CLOTHES = "clothes"
    DAILY_NECESSITIES = "daily_necessities"
    OTHER = "other"


GOODS_CATEGORY_NAMES: dict[str, str] = {
    GoodsCategory.MEDICINE: "药品",
    GoodsCategory.FOOD: "食品",
    GoodsCategory.CLOTHES: "衣物",
    GoodsCategory.DAILY_NECESSITIES: "生活用品",
    GoodsCategory.OTHER: "其他",
}


@registry.register("goods.received", version=1, topic=topics.CHARITY_GOODS)
class GoodsReceived(BaseModel):
    """A station received goods in kind into its stock."""

    movement_id: UUID
    stock_id: UUID
    station_region: RecordedRegionCode
    category: GoodsCategory
    description: str = Field(max_length=200, description="What the goods are, naming no one")
    unit: str = Field(max_length=20, examples=["箱", "件", "kg"])
    quantity: int = Field(gt=0)
    value_fen: int = Field(ge=0, description="Valuation of the whole receipt in fen, exact")
    donor_named: bool = Field(description="Whether a donor is on record (kept in charity)")


@registry.register("goods.distributed", version=1, topic=topics.CHARITY_GOODS)
class GoodsDistributed(BaseModel):
    """Goods left a station's stock for a person (their ledger file) or an activity."""

    movement_id: UUID
    stock_id: UUID
    station_region: RecordedRegionCode
    category: GoodsCategory
    description: str = Field(max_length=200, description="What the goods are, naming no one")
    unit: str = Field(max_length=20)
    quantity: int = Field(gt=0)
    value_fen: int = Field(ge=0, description="Value given out in fen, at the stock's average")
    person_id: UUID | None = Field(None, description="The ledger file of the person given to")
    activity_id: UUID | None = None
    recipient_region: RecordedRegionCode


@registry.register("goods.movement_reversed", version=1, topic=topics.CHARITY_GOODS)
class GoodsMovementReversed(BaseModel):
    """A receipt or distribution entered in error was reversed by an opposite movement;
    nothing is edited. ``person_id`` names the file a reversed distribution was on."""

    movement_id: UUID = Field(description="The reversing movement")
    reverses_movement_id: UUID
    reversed_type: str = Field(examples=["goods.received", "goods.distributed"])
    stock_id: UUID
    station_region: RecordedRegionCode
    category: GoodsCategory
    quantity_change: int = Field(description="Change to the stock, signed")
    value_change_fen: int = Field(description="Change to the stock's value in fen, signed")
    person_id: UUID | None = None
    activity_id: UUID | None = None
