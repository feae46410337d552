"""What organisations offer (供给清单), and which of them to suggest for a need.

An offer fits a need when it offers the need's kind, one of its regions covers the
need's region and it has capacity left. Fitting offers are ranked: the organisation
closest to the need first (the most specific covering region), then the one with most
capacity left, then the one whose taken needs were most often confirmed.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wushe.shared.events.needs import NEED_KIND_NAMES, NeedKind
from wushe.shared.regions import RegionCode, covers, scope_prefix


class OfferPosting(BaseModel):
    """What an organisation can provide, where, and how many needs at once."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kinds: list[NeedKind] = Field(min_length=1, max_length=len(NeedKind))
    regions: list[RegionCode] = Field(min_length=1, max_length=100, examples=[["420704"]])
    capacity: int = Field(ge=1, le=10_000, description="Needs it can carry at once")
    summary: str = Field(
        "", max_length=200, examples=["每周两次上门助餐, 可承接10户"], description="Naming no one"
    )

    @field_validator("kinds", "regions")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))


@dataclass(frozen=True)
class OfferStanding:
    """An offer as matching sees it."""

    offer_id: str
    partner_id: str
    kinds: list[str]
    regions: list[str]
    capacity: int
    open_needs: int
    confirmed_needs: int
    posted_at: datetime
    summary: str = ""
    withdrawn_at: datetime | None = None

    @property
    def capacity_left(self) -> int:
        return max(self.capacity - self.open_needs, 0)

    def covering_region(self, region_code: str) -> str | None:
        """The most specific of the offer's regions that covers ``region_code``."""
        covering = [region for region in self.regions if covers(region, region_code)]
        return max(covering, key=lambda r: len(scope_prefix(r)), default=None)


@dataclass(frozen=True)
class Suggestion:
    offer: OfferStanding
    rank: int
    covering_region: str
    reasons: list[str]


def fits(offer: OfferStanding, kind: str, region_code: str) -> bool:
    return (
        kind in offer.kinds
        and offer.covering_region(region_code) is not None
        and offer.capacity_left > 0
    )


def suggest(offers: list[OfferStanding], kind: str, region_code: str) -> list[Suggestion]:
    """The offers that fit the need, best first, each with why it was suggested."""
    fitting = [offer for offer in offers if fits(offer, kind, region_code)]

    def order(offer: OfferStanding) -> tuple[int, int, int, datetime, str]:
        region = offer.covering_region(region_code) or ""
        return (
            -len(scope_prefix(region)),
            -offer.capacity_left,
            -offer.confirmed_needs,
            offer.posted_at,
            offer.offer_id,
        )

    ranked = sorted(fitting, key=order)
    suggestions = []
    for rank, offer in enumerate(ranked, start=1):
        region = offer.covering_region(region_code)
        assert region is not None
        suggestions.append(
            Suggestion(
                offer=offer,
                rank=rank,
                covering_region=region,
                reasons=[
                    f"offers {kind} ({NEED_KIND_NAMES[kind]}) / 可提供{NEED_KIND_NAMES[kind]}",
                    f"covers {region_code} through {region} / 服务区域 {region} 覆盖需求所在地",
                    f"capacity left {offer.capacity_left} of {offer.capacity} / "
                    f"剩余承接能力 {offer.capacity_left}/{offer.capacity}",
                    f"{offer.confirmed_needs} needs confirmed before / "
                    f"已确认完成 {offer.confirmed_needs} 单",
                ],
            )
        )
    return suggestions


def best_offer_for_taking(
    offers: list[OfferStanding], kind: str, region_code: str
) -> OfferStanding | None:
    """Of one organisation's offers, the one a need it takes counts against."""
    suggestions = suggest(offers, kind, region_code)
    return suggestions[0].offer if suggestions else None


def offers_kind_and_region(offer: OfferStanding, kind: str, region_code: str) -> bool:
    return kind in offer.kinds and offer.covering_region(region_code) is not None
