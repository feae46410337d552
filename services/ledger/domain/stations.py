"""A township station as its district or station staff describe it (the API's body)."""

from pydantic import ConfigDict

from wushe.shared.events.stations import StationFacts


class StationBody(StationFacts):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
