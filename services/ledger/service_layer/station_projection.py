"""The projector of ``station.recorded``: the township's station row, as last recorded."""

from wushe.ledger.adapters.station_orm import StationRecord
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.shared.events.stations import StationRecorded


@projection.on("station.recorded")
async def keep_station(applying: Applying) -> None:
    station = StationRecorded.model_validate(applying.event.payload)
    found = await applying.session.get(StationRecord, station.region_code)
    if found is None:
        found = StationRecord(region_code=station.region_code)
        applying.session.add(found)
    found.name = station.station_name
    found.status = station.status.value
    found.built_on = station.built_on
    found.operating_since = station.operating_since
    found.suspended_on = station.suspended_on
    found.social_workers = station.social_workers
    found.recorded_at = applying.event.occurred_at
    found.recorded_by = applying.event.actor
