"""Events charity publishes about funds and donations."""

from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


@registry.register("fund.opened", version=1, topic=topics.CHARITY_FUND)
class FundOpened(BaseModel):
    """A charity fund was opened; its managers are partners in notify's registry."""

    fund_id: UUID
    fund_name: str
    region_code: RecordedRegionCode
    manager_partner_ids: list[UUID] = Field(default_factory=list)


@registry.register("donation.received", version=1, topic=topics.CHARITY_FUND)
class DonationReceived(BaseModel):
    """Money was received into a fund. Donor identity stays in charity."""

    donation_id: UUID
    fund_id: UUID
    amount_fen: int = Field(gt=0, description="Amount in fen (1/100 yuan), exact")
    channel: str = Field(examples=["cash", "bank_transfer", "online_campaign"])
    receipt_number: str
