"""A township station as its district or station staff describe it (the API's body)."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from wushe.shared.events.stations import StationStatus


class StationFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    station_name: str = Field(min_length=1, max_length=100, examples=["凤凰街道社会工作服务站"])
    status: StationStatus
    built_on: date | None = Field(None, description="Required once built")
    operating_since: date | None = Field(None, description="Required once operating")
    suspended_on: date | None = Field(None, description="Required while suspended")
    social_workers: int = Field(0, ge=0, le=500, description="Social workers on its staff")
