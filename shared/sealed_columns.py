"""Which columns of a service hold values sealed with the FieldCipher, so that a key
rotation can find every one of them.

Each service declares its own in ``<service>/adapters/sealed_columns.py``; the rotation
in ``shared/key_rotation.py`` walks whatever it is given.
"""

from dataclasses import dataclass

from sqlalchemy import Column, Table


@dataclass(frozen=True)
class SealedColumn:
    name: str
    associated_data: str
    """What the value was bound to when sealed: the ``column`` given to
    ``FieldCipher.encrypt``, so the rotation opens and seals it with the same one."""


@dataclass(frozen=True)
class SealedTable:
    table: Table
    columns: tuple[SealedColumn, ...]

    def __post_init__(self) -> None:
        # Rows are walked in key order and rewritten by key: a single-column key is needed.
        if len(self.table.primary_key.columns) != 1:
            raise ValueError(f"{self.table.name} needs a single-column primary key")
        missing = [column.name for column in self.columns if column.name not in self.table.c]
        if missing:
            raise ValueError(f"{self.table.name} has no column {', '.join(missing)}")

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def key(self) -> Column[object]:
        key: Column[object] = next(iter(self.table.primary_key.columns))
        return key


def sealed_table(record: type[object], columns: dict[str, str]) -> SealedTable:
    """The table of an ORM class, with its sealed columns as ``{column: associated data}``."""
    table = getattr(record, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{record.__name__} is not mapped to a table")
    return SealedTable(
        table, tuple(SealedColumn(name, context) for name, context in columns.items())
    )
