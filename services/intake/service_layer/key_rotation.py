"""Re-encrypting intake's personal data under the current key after a key rotation.

Tables are walked in primary-key order, a batch of rows per transaction, so a large table
is never held in memory and a stopped run loses at most one uncommitted batch. Every row
is written in a single statement, so a row is entirely under its old keys or entirely
under the current one, and both stay readable while both keys are configured. Values
already under the current key are left untouched: a second run writes nothing, and a run
after a stop simply carries on.

Services keep writing while the rotation runs. A row is rewritten only if its sealed
values are still those that were read (compare and swap); otherwise it is read again, so
a concurrent change is never overwritten with the older value.

Values under a key that is not configured, and values that do not open, are left as they
are and reported by row id and column; the rest of the run goes on.
"""

import base64
import binascii
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from sqlalchemy import CursorResult, Row, Table, func, select, update

from wushe.intake.adapters import consent_orm
from wushe.intake.adapters.guardian_names import GUARDIAN_NAME
from wushe.intake.adapters.orm import metadata
from wushe.intake.adapters.personal_data import ADDRESS, ID_NUMBER, NAME, PHONE, PROFILES
from wushe.shared.field_encryption import NONCE_BYTES, FieldCipher
from wushe.shared.unit_of_work import UnitOfWork

DEFAULT_BATCH_SIZE = 1000
# A row that changes under the rotation this many times in a row is left for the next run.
ATTEMPTS_PER_ROW = 3
# AES-GCM appends a 16-byte authentication tag to every ciphertext.
SMALLEST_SEALED_BYTES = NONCE_BYTES + 16

ProgressCallback = Callable[[int, int], None]
"""Called after each committed batch with the rows done so far and the rows in total."""


@dataclass(frozen=True)
class EncryptedColumn:
    name: str
    associated_data: str
    """The column name the value is bound to when sealed (see PersonalDataVault)."""


@dataclass(frozen=True)
class EncryptedTable:
    name: str
    columns: tuple[EncryptedColumn, ...]

    @property
    def table(self) -> Table:
        return metadata.tables[self.name]


ENCRYPTED_TABLES = (
    EncryptedTable(
        "persons",
        (
            EncryptedColumn("full_name_encrypted", NAME),
            EncryptedColumn("id_number_encrypted", ID_NUMBER),
            EncryptedColumn("phone_encrypted", PHONE),
            EncryptedColumn("address_encrypted", ADDRESS),
            EncryptedColumn("profiles_encrypted", PROFILES),
        ),
    ),
    EncryptedTable(
        consent_orm.ConsentRecord.__tablename__,
        (EncryptedColumn("guardian_name_encrypted", GUARDIAN_NAME),),
    ),
)


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


async def rotate_keys(
    uow: UnitOfWork,
    cipher: FieldCipher,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
) -> RotationReport:
    """Re-encrypt every value not under ``cipher``'s current key with that key."""
    return await _walk(uow, cipher, batch_size, on_progress, dry_run=False)


async def count_keys(
    uow: UnitOfWork,
    cipher: FieldCipher,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
) -> RotationReport:
    """Count the values under each key id, and list those under keys not configured;
    writes nothing and decrypts nothing."""
    return await _walk(uow, cipher, batch_size, on_progress, dry_run=True)


async def _walk(
    uow: UnitOfWork,
    cipher: FieldCipher,
    batch_size: int,
    on_progress: ProgressCallback | None,
    *,
    dry_run: bool,
) -> RotationReport:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RotationReport(
        current_key_id=cipher.current_key_id,
        configured_key_ids=tuple(sorted(cipher.keys)),
        columns={
            _label(spec.name, column.name): ColumnTally()
            for spec in ENCRYPTED_TABLES
            for column in spec.columns
        },
    )
    rows_total = await _count_rows(uow)
    for spec in ENCRYPTED_TABLES:
        after: str | None = None
        while True:
            async with uow:
                rows = await _read_batch(uow, spec, after, batch_size)
                for row in rows:
                    if dry_run:
                        _record(spec, _plan_row(spec, row, cipher, reencrypt=False), report)
                    else:
                        await _rotate_row(uow, spec, row, cipher, report)
                await uow.commit()
            if not rows:
                break
            after = rows[-1].id
            report.rows_done += len(rows)
            # Rows registered during the run are walked too.
            rows_total = max(rows_total, report.rows_done)
            if on_progress is not None:
                on_progress(report.rows_done, rows_total)
            if len(rows) < batch_size:
                break
    return report


async def _count_rows(uow: UnitOfWork) -> int:
    async with uow:
        total = 0
        for spec in ENCRYPTED_TABLES:
            total += await uow.session.scalar(select(func.count()).select_from(spec.table)) or 0
        return total


async def _read_batch(
    uow: UnitOfWork, spec: EncryptedTable, after: str | None, batch_size: int
) -> Sequence[Row[Any]]:
    table = spec.table
    statement = select(table.c.id, *(table.c[column.name] for column in spec.columns))
    if after is not None:
        statement = statement.where(table.c.id > after)
    statement = statement.order_by(table.c.id).limit(batch_size)
    return (await uow.session.execute(statement)).all()


async def _read_row(uow: UnitOfWork, spec: EncryptedTable, row_id: str) -> Row[Any] | None:
    table = spec.table
    statement = select(table.c.id, *(table.c[column.name] for column in spec.columns)).where(
        table.c.id == row_id
    )
    return (await uow.session.execute(statement)).one_or_none()


def _label(table: str, column: str) -> str:
    return f"{table}.{column}"


def _sealed_key_id(stored: str) -> str | None:
    """The key id of a value in the sealed form, or None for anything else, so that a
    stray clear value is never shown as if its text were a key id."""
    key_id, separator, payload = stored.partition(":")
    if not separator or not key_id:
        return None
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error:
        return None
    return key_id if len(raw) >= SMALLEST_SEALED_BYTES else None


@dataclass
class _RowPlan:
    """What re-encrypting one row would write, and what it found."""

    originals: dict[str, str] = field(default_factory=dict)
    replacements: dict[str, str] = field(default_factory=dict)
    found: dict[str, str | None] = field(default_factory=dict)
    left_behind: list[LeftBehind] = field(default_factory=list)


def _plan_row(
    spec: EncryptedTable, row: Row[Any], cipher: FieldCipher, *, reencrypt: bool = True
) -> _RowPlan:
    plan = _RowPlan()
    for column in spec.columns:
        stored = row._mapping[column.name]
        if stored is None:
            continue
        key_id = _sealed_key_id(stored)
        plan.found[column.name] = key_id
        if key_id is None:
            plan.left_behind.append(
                LeftBehind(spec.name, row.id, column.name, None, LeftBehindReason.DAMAGED)
            )
        elif key_id == cipher.current_key_id:
            continue
        elif key_id not in cipher.keys:
            plan.left_behind.append(
                LeftBehind(spec.name, row.id, column.name, key_id, LeftBehindReason.UNKNOWN_KEY)
            )
        elif reencrypt:
            try:
                plaintext = cipher.decrypt(stored, column.associated_data)
            except (InvalidTag, ValueError):
                plan.left_behind.append(
                    LeftBehind(spec.name, row.id, column.name, key_id, LeftBehindReason.DAMAGED)
                )
                continue
            plan.originals[column.name] = stored
            plan.replacements[column.name] = cipher.encrypt(plaintext, column.associated_data)
    return plan


def _record(spec: EncryptedTable, plan: _RowPlan, report: RotationReport) -> None:
    for column_name, key_id in plan.found.items():
        tally = report.columns[_label(spec.name, column_name)]
        if key_id is not None:
            tally.by_key_id[key_id] += 1
        if column_name in plan.replacements:
            tally.reencrypted += 1
        elif key_id == report.current_key_id:
            tally.already_current += 1
    for entry in plan.left_behind:
        tally = report.columns[_label(spec.name, entry.column)]
        if entry.reason is LeftBehindReason.UNKNOWN_KEY:
            tally.unknown_key += 1
        elif entry.reason is LeftBehindReason.DAMAGED:
            tally.damaged += 1
    report.left_behind.extend(plan.left_behind)


async def _rotate_row(
    uow: UnitOfWork, spec: EncryptedTable, row: Row[Any], cipher: FieldCipher,
    report: RotationReport,
) -> None:  # fmt: skip
    table = spec.table
    current: Row[Any] | None = row
    for _ in range(ATTEMPTS_PER_ROW):
        if current is None:
            return  # deleted while the rotation ran: nothing left to re-encrypt
        plan = _plan_row(spec, current, cipher)
        if not plan.replacements:
            _record(spec, plan, report)
            return
        unchanged = [table.c[name] == stored for name, stored in plan.originals.items()]
        statement = update(table).where(table.c.id == current.id, *unchanged)
        result = cast(
            CursorResult[Any], await uow.session.execute(statement.values(plan.replacements))
        )
        if result.rowcount == 1:
            _record(spec, plan, report)
            return
        current = await _read_row(uow, spec, row.id)
    plan.left_behind += [
        LeftBehind(spec.name, row.id, name, plan.found[name], LeftBehindReason.KEPT_CHANGING)
        for name in plan.originals
    ]
    plan.replacements.clear()
    _record(spec, plan, report)
