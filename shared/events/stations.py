"""Events about the township social-work stations (乡镇(街道)社会工作服务站) themselves:
which townships have one, since when, and whether it runs, so that reports count the
stations built and operating and the townships they cover."""

from datetime import date
from enum import StrEnum
from itertools import pairwise

from pydantic import BaseModel, Field, model_validator

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


class StationStatus(StrEnum):
    PLANNED = "planned"  # 规划建设
    BUILT = "built"  # 已建成，未运营
    OPERATING = "operating"  # 运营中
    SUSPENDED = "suspended"  # 暂停运营


# The steps of a station's life, in their order, and the dates each status needs.
STEP_DATES = ("built_on", "operating_since", "suspended_on")
_NEEDED = {
    StationStatus.PLANNED: (),
    StationStatus.BUILT: STEP_DATES[:1],
    StationStatus.OPERATING: STEP_DATES[:2],
    StationStatus.SUSPENDED: STEP_DATES,
}


class StationFacts(BaseModel):
    """What is recorded of a township's station, but its township."""

    station_name: str = Field(min_length=1, max_length=100, examples=["凤凰街道社会工作服务站"])
    status: StationStatus
    built_on: date | None = Field(None, description="Required once built")
    operating_since: date | None = Field(None, description="Required once operating")
    suspended_on: date | None = Field(None, description="Required while suspended")
    social_workers: int = Field(0, ge=0, le=500, description="Social workers on its staff")

    @property
    def step_dates(self) -> dict[str, date | None]:
        return {name: getattr(self, name) for name in STEP_DATES}

    def date_problem(self) -> tuple[str, str] | None:
        """The first date that does not fit the status, and why; None if all fit. A
        station is built, then operates, then may be suspended, each no earlier than the
        step before; a date for a step it has not reached is refused."""
        given, needed = self.step_dates, _NEEDED[self.status]
        for name, day in given.items():
            if name in needed and day is None:
                return name, f"required for a station {self.status.value}"
            if name not in needed and day is not None:
                return name, f"not for a station {self.status.value}"
        for (_, before), (name, after) in pairwise((name, given[name]) for name in needed):
            if after is not None and before is not None and after < before:
                return name, f"{after} is before {before}"
        return None


@registry.register("station.recorded", version=1, topic=topics.LEDGER_FILE)
class StationRecorded(StationFacts):
    """A township's station as its district or station staff last recorded it; keyed by
    the township's 9-digit code, one station per township."""

    region_code: RecordedRegionCode = Field(description="The township's 9-digit code")

    @model_validator(mode="after")
    def _dates_fit_the_status(self) -> "StationRecorded":
        problem = self.date_problem()
        if problem is not None:
            field, reason = problem
            raise ValueError(f"{field}: {reason}")
        return self
