"""What a key rotation (or its dry run) found in one service's database."""

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class LeftBehindReason(StrEnum):
    UNKNOWN_KEY = "unknown_key"
    """Sealed with a key id that WUSHE_ENCRYPTION_KEYS does not hold."""
    DAMAGED = "damaged"
    """Not a sealed value, or it does not open with the key it names."""
    KEPT_CHANGING = "kept_changing"
    """Changed by another writer at every attempt; the next run picks it up."""


@dataclass(frozen=True)
class LeftBehind:
    """A value the run could not re-encrypt. Never holds the value itself."""

    table: str
    row_id: str
    column: str
    key_id: str | None
    reason: LeftBehindReason


@dataclass
class ColumnTally:
    reencrypted: int = 0
    already_current: int = 0
    unknown_key: int = 0
    damaged: int = 0
    by_key_id: Counter[str] = field(default_factory=Counter)
    """Values found under each key id, before they were re-encrypted."""


@dataclass
class RotationReport:
    current_key_id: str
    configured_key_ids: tuple[str, ...]
    columns: dict[str, ColumnTally]
    """Keyed ``<table>.<column>``."""
    left_behind: list[LeftBehind] = field(default_factory=list)
    rows_done: int = 0

    @property
    def complete(self) -> bool:
        return not self.left_behind

    @property
    def missing_key_ids(self) -> list[str]:
        return sorted(
            {
                entry.key_id
                for entry in self.left_behind
                if entry.reason is LeftBehindReason.UNKNOWN_KEY and entry.key_id is not None
            }
        )

    @property
    def values_by_key_id(self) -> Counter[str]:
        """Values found under each key id, over every column, before the run."""
        total: Counter[str] = Counter()
        for tally in self.columns.values():
            total.update(tally.by_key_id)
        return total
