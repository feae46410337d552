"""Partners (agencies and organisations), how they are reached, and what they subscribe to."""

import re
from datetime import time
from typing import Self

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from wushe.shared.events.catalog import registry
from wushe.shared.events.groups import TargetGroup
from wushe.shared.events.partner_kinds import PartnerKind
from wushe.shared.regions import RegionCode

__all__ = [
    "Contact",
    "PartnerKind",
    "PartnerProfile",
    "PartnerRegistration",
    "SubscriptionRequest",
]

# Mainland mobile numbers, with or without the +86 prefix.
SMS_NUMBER = re.compile(r"^(\+86)?1[3-9]\d{9}$")
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class PartnerRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, examples=["鄂城区未成年人保护工作站"])
    kind: PartnerKind
    regions: list[RegionCode] = Field(min_length=1, description="Regions the partner covers")
    webhook_url: AnyHttpUrl = Field(examples=["https://partner.example/wushe/alerts"])


class Contact(BaseModel):
    """A person at the partner to call; kept sealed, shown only to administrators."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=50, examples=["张主任"])
    role: str | None = Field(None, max_length=50, examples=["值班负责人"])
    phone: str | None = Field(None, max_length=20, examples=["13800000000"])
    email: str | None = Field(None, max_length=200, pattern=EMAIL)


class PartnerProfile(BaseModel):
    """How a partner is reached besides its webhook, and when it wants to be left alone.

    Quiet hours are China time (UTC+8); non-urgent alerts falling inside them wait until
    they end. With ``digest_at`` set, the partner's non-urgent alerts are gathered into
    one alert a day, sent at that time.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contacts: list[Contact] = Field(default_factory=list, max_length=20)
    email: str | None = Field(
        None, max_length=200, pattern=EMAIL, description="Where email alerts go"
    )
    sms_number: str | None = Field(
        None, description="Where SMS alerts go", examples=["13800000000"]
    )
    quiet_from: time | None = Field(None, examples=["22:00"])
    quiet_until: time | None = Field(None, examples=["07:00"])
    digest_at: time | None = Field(None, description="Daily digest time", examples=["08:00"])

    @field_validator("sms_number")
    @classmethod
    def _mobile_number(cls, value: str | None) -> str | None:
        if value is not None and not SMS_NUMBER.match(value):
            raise ValueError("sms_number must be a mainland mobile number, e.g. 13800000000")
        return value

    @model_validator(mode="after")
    def _quiet_hours_have_both_ends(self) -> Self:
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise ValueError("quiet_from and quiet_until are given together or not at all")
        return self


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: str = Field(examples=["ledger.file_opened"])
    region_code: RegionCode = Field(description="Only events inside this region")
    groups: list[TargetGroup] = Field(
        default_factory=list,
        description="Only events about people in one of these groups; none: every event",
    )

    def known_type(self) -> bool:
        return any(spec.type == self.event_type for spec in registry.specs())
