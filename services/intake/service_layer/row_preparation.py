"""The CPU-heavy part of an import, one batch of rows at a time: checking each row,
sealing its personal data, building its event and converting every value for the
database driver. It runs in worker processes, so it takes and returns only plain,
picklable values. Rows naming persons registered before are checked, not sealed."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table
from uuid_utils.compat import uuid7

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonChangeRecord, PersonRecord
from wushe.intake.adapters.personal_data import Columns, PersonalDataVault
from wushe.intake.domain.duplicates import PersonTraits
from wushe.intake.domain.ledger_cells import Cell
from wushe.intake.domain.ledger_columns import column_for
from wushe.intake.domain.ledger_rows import LedgerLayout
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.duplicate_finding import traits_of_columns
from wushe.intake.service_layer.history import change_values
from wushe.intake.service_layer.registered_identities import registered_among_committed
from wushe.intake.service_layer.registration import person_values, registered_event
from wushe.shared.auth import Caller
from wushe.shared.bulk_insert import BulkInsert, bulk_insert
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
    # The import is one request: every event it causes carries the same correlation id.
    correlation_id: UUID
    # Given to worker processes, which look up the rows' persons before sealing them.
    database_url: str | None = None


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
class AlreadyRegistered:
    """A row naming a person registered before the batch: nothing to seal or write."""

    row_number: int
    identity: str


@dataclass
class _Checked:
    row_number: int
    registration: PersonRegistration
    identity: str
    by_id_number: bool


@dataclass
class PreparedBatch:
    outcomes: list[Prepared | AlreadyRegistered | Refused]
    statements: dict[str, str] = field(default_factory=dict)  # table name → INSERT


@lru_cache(maxsize=8)
def _layout(headers: tuple[str, ...]) -> LedgerLayout:
    return LedgerLayout(headers, [column_for(header) for header in headers])


def prepare_rows(context: ImportContext, rows: list[Row]) -> PreparedBatch:
    layout = _layout(context.headers)
    checked = [_check(context, layout, number, cells) for number, cells in rows]
    registered = _registered(context, [row for row in checked if isinstance(row, _Checked)])
    batch = PreparedBatch([])
    inserts: list[BulkInsert] = []
    for row in checked:
        if isinstance(row, Refused):
            batch.outcomes.append(row)
            continue
        if row.identity in registered:
            batch.outcomes.append(AlreadyRegistered(row.row_number, row.identity))
            continue
        tables = _sealed(context, row)
        if not inserts:  # every row of a table has the same columns
            inserts = [
                bulk_insert(table, tuple(table_rows[0]), context.database_driver)
                for table, table_rows in zip(TABLES, tables, strict=True)
            ]
            batch.statements = {t.name: i.sql for t, i in zip(TABLES, inserts, strict=True)}
        batch.outcomes.append(
            Prepared(
                row.row_number,
                tables[0][0]["id"],
                traits_of_columns(tables[0][0]),
                row.identity,
                row.by_id_number,
                tuple(
                    [insert.parameters(values) for values in table_rows]
                    for insert, table_rows in zip(inserts, tables, strict=True)
                ),
            )
        )
    return batch


def _check(
    context: ImportContext, layout: LedgerLayout, row_number: int, cells: Sequence[Cell]
) -> Refused | _Checked:
    registration = layout.registration(row_number, cells)
    if isinstance(registration, list):
        return Refused(row_number, registration)
    if not context.caller.may_access(registration.residence_region):
        where = layout.where(row_number, "residence_region")
        return Refused(row_number, [
            f"{where}: {registration.residence_region} is outside your region "
            f"{context.caller.region} (不在本人管辖区域内)"
        ])  # fmt: skip
    if registration.id_number:
        return _Checked(
            row_number, registration, context.vault.id_number_hash(registration.id_number), True
        )
    fingerprint = context.vault.import_fingerprint(_who(registration))
    return _Checked(row_number, registration, fingerprint, False)


def _registered(context: ImportContext, rows: list[_Checked]) -> set[str]:
    if context.database_url is None or not rows:
        return set()
    return registered_among_committed(
        context.database_url,
        [row.identity for row in rows if row.by_id_number],
        [row.identity for row in rows if not row.by_id_number],
    )


def _sealed(context: ImportContext, row: _Checked) -> tuple[list[Columns], ...]:
    """The row's values for each of TABLES."""
    registration = row.registration
    person, memberships = person_values(uuid7(), registration, context.caller, context.vault)
    if not row.by_id_number:
        person["import_fingerprint"] = row.identity
    # Compared with the others in the batch's transaction (bulk_import), not by the sweep.
    person["duplicates_checked_at"] = datetime.now(UTC)
    event = registered_event(
        person, registration, context.producer, context.vault, context.correlation_id
    )
    history = change_values(event, context.caller, detail={"import_job": context.job_id})
    history["trace_id"] = context.trace_id
    return ([person], memberships, [history],
            [outbox_row(event, context.topic_prefix, context.trace_headers)])  # fmt: skip


def _who(registration: PersonRegistration) -> str:
    """Who a row without an ID number is: name, birth date and regions."""
    birth = registration.birth_date.isoformat() if registration.birth_date else ""
    return "|".join(
        (registration.full_name, birth, registration.residence_region,
         registration.household_region or "")
    )  # fmt: skip
