"""The days a consent or a legal basis applies: from a first day, to a last day or open."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class Validity(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    valid_from: date = Field(default_factory=date.today, description="First day it applies")
    valid_until: date | None = Field(
        None, description="Last day it applies; leave out when it does not expire"
    )

    @field_validator("valid_until")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            raise ValueError(
                f"{value.isoformat()} is before valid_from {start.isoformat()} "
                "(截止日期早于起始日期)"
            )
        return value
