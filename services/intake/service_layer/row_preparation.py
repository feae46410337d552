"""The CPU-heavy part of an import, one batch of rows at a time: checking each row,
sealing its personal data, building its event and converting every value for the
database driver. It runs in worker processes, so it takes and returns only plain,
picklable values."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table
from uuid6 import uuid7

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonChangeRecord, PersonRecord
from wushe.intake.adapters.personal_data import Columns, PersonalDataVault
from wushe.intake.domain.duplicates import PersonTraits
from wushe.intake.domain.ledger_cells import Cell
from wushe.intake.domain.ledger_columns import column_for
from wushe.intake.domain.ledger_rows import LedgerLayout
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.duplicate_finding import traits_of_columns
from wushe.intake.service_layer.history import change_values
from wushe.intake.service_layer.registration import person_values, registered_event
from wushe.shared.auth import Caller
from wushe.shared.bulk_insert import bulk_insert
from wushe.shared.events import Producer
from wushe.shared.messaging_tables import outbox
from wushe.shared.outbox import outbox_row

Row = tuple[int, Sequence[Cell]]
TABLES: tuple[Table, ...] = (
    cast(Table, PersonRecord.__table__),
    cast(Table, GroupMembershipRecord.__table__),
    cast(Table, PersonChangeRecord.__table__),
    outbox,
)


@dataclass(frozen=True)
class ImportContext:
    headers: tuple[str, ...]
    caller: Caller
    producer: Producer
    vault: PersonalDataVault
    job_id: str
    topic_prefix: str
    database_driver: str
    trace_id: str | None
    trace_headers: dict[str, str]


@dataclass
class Refused:
    row_number: int
    reasons: list[str]


@dataclass
class Prepared:
    """A row ready to insert unless the person is there already: for each of TABLES,
    the driver-ready values of its rows."""

    row_number: int
    person_id: str
    traits: PersonTraits
    identity: str
    by_id_number: bool
    values: tuple[list[tuple[Any, ...]], ...]


@dataclass
class PreparedBatch:
    outcomes: list[Prepared | Refused]
    statements: dict[str, str] = field(default_factory=dict)  # table name → INSERT


@lru_cache(maxsize=8)
def _layout(headers: tuple[str, ...]) -> LedgerLayout:
    return LedgerLayout(headers, [column_for(header) for header in headers])


def prepare_rows(context: ImportContext, rows: list[Row]) -> PreparedBatch:
    layout = _layout(context.headers)
    batch = PreparedBatch([])
    for number, cells in rows:
        outcome = _prepare(context, layout, number, cells)
        if isinstance(outcome, Refused):
            batch.outcomes.append(outcome)
            continue
        row_values = []
        for table, table_rows in zip(TABLES, outcome, strict=True):
            statement = bulk_insert(table, tuple(table_rows[0]), context.database_driver)
            batch.statements[table.name] = statement.sql
            row_values.append([statement.parameters(row) for row in table_rows])
        person = outcome[0][0]
        identity, by_id_number = _identity(person)
        batch.outcomes.append(
            Prepared(
                number,
                person["id"],
                traits_of_columns(person),
                identity,
                by_id_number,
                tuple(row_values),
            )
        )
    return batch


def _prepare(
    context: ImportContext, layout: LedgerLayout, row_number: int, cells: Sequence[Cell]
) -> Refused | tuple[list[Columns], ...]:
    registration = layout.registration(row_number, cells)
    if isinstance(registration, list):
        return Refused(row_number, registration)
    if not context.caller.may_access(registration.residence_region):
        where = layout.where(row_number, "residence_region")
        return Refused(row_number, [
            f"{where}: {registration.residence_region} is outside your region "
            f"{context.caller.region} (不在本人管辖区域内)"
        ])  # fmt: skip
    person, memberships = person_values(uuid7(), registration, context.caller, context.vault)
    if registration.id_number is None:
        person["import_fingerprint"] = context.vault.import_fingerprint(_who(registration))
    # Compared with the others in the batch's transaction (bulk_import), not by the sweep.
    person["duplicates_checked_at"] = datetime.now(UTC)
    event = registered_event(person, registration, context.producer)
    history = change_values(event, context.caller, detail={"import_job": context.job_id})
    history["trace_id"] = context.trace_id
    return ([person], memberships, [history],
            [outbox_row(event, context.topic_prefix, context.trace_headers)])  # fmt: skip


def _identity(person: Columns) -> tuple[str, bool]:
    if person["id_number_hash"]:
        return person["id_number_hash"], True
    return person["import_fingerprint"], False


def _who(registration: PersonRegistration) -> str:
    """Who a row without an ID number is: name, birth date and regions."""
    birth = registration.birth_date.isoformat() if registration.birth_date else ""
    return "|".join(
        (registration.full_name, birth, registration.residence_region,
         registration.household_region or "")
    )  # fmt: skip
