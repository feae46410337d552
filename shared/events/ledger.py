"""Events the ledger publishes about people's files (一人一档)."""

from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


@registry.register("ledger.file_opened", version=1, topic=topics.LEDGER_FILE)
class LedgerFileOpened(BaseModel):
    """A file was opened for a registered person."""

    file_id: UUID
    person_id: UUID
    region_code: RecordedRegionCode
    groups: list[str] = Field(default_factory=list)
