"""Re-encrypting a service's sealed columns under the current key after a key rotation.

Tables are walked in primary-key order, a batch of rows per transaction, so a large table
is never held in memory and a stopped run loses at most one uncommitted batch. Every row
is written in a single statement, so a row is entirely under its old keys or entirely
under the current one, and both stay readable while both keys are configured. Values
already under the current key are left untouched: a second run writes nothing, and a run
after a stop simply carries on. NULL values are skipped.

Services keep writing while the rotation runs. A row is rewritten only if its sealed
values are still those that were read (compare and swap); otherwise it is read again, so
a concurrent change is never overwritten with the older value.

Values under a key that is not configured, and values that do not open, are left as they
are and reported by row id and column; the rest of the run goes on.
"""

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from sqlalchemy import CursorResult, Row, Select, func, select, update

from wushe.shared.field_encryption import NONCE_BYTES, FieldCipher
from wushe.shared.key_rotation_report import (
    ColumnTally,
    LeftBehind,
    LeftBehindReason,
    RotationReport,
)
from wushe.shared.sealed_columns import SealedTable
from wushe.shared.unit_of_work import UnitOfWork

DEFAULT_BATCH_SIZE = 1000
# A row that changes under the rotation this many times in a row is left for the next run.
ATTEMPTS_PER_ROW = 3
# AES-GCM appends a 16-byte authentication tag to every ciphertext.
SMALLEST_SEALED_BYTES = NONCE_BYTES + 16

ProgressCallback = Callable[[int, int], None]
"""Called after each committed batch with the rows done so far and the rows in total."""


async def rotate_keys(
    uow: UnitOfWork,
    cipher: FieldCipher,
    tables: Sequence[SealedTable],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
) -> RotationReport:
    """Re-encrypt every value of ``tables`` not under ``cipher``'s current key with it."""
    return await _walk(uow, cipher, tables, batch_size, on_progress, dry_run=False)


async def count_keys(
    uow: UnitOfWork,
    cipher: FieldCipher,
    tables: Sequence[SealedTable],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
) -> RotationReport:
    """Count the values under each key id, and list those under keys not configured;
    writes nothing and decrypts nothing."""
    return await _walk(uow, cipher, tables, batch_size, on_progress, dry_run=True)


async def _walk(
    uow: UnitOfWork,
    cipher: FieldCipher,
    tables: Sequence[SealedTable],
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
            for spec in tables
            for column in spec.columns
        },
    )
    rows_total = await _count_rows(uow, tables)
    for spec in tables:
        after: object = None
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
            after = rows[-1][0]
            report.rows_done += len(rows)
            # Rows written during the run are walked too.
            rows_total = max(rows_total, report.rows_done)
            if on_progress is not None:
                on_progress(report.rows_done, rows_total)
            if len(rows) < batch_size:
                break
    return report


async def _count_rows(uow: UnitOfWork, tables: Sequence[SealedTable]) -> int:
    async with uow:
        total = 0
        for spec in tables:
            total += await uow.session.scalar(select(func.count()).select_from(spec.table)) or 0
        return total


def _select(spec: SealedTable) -> Select[Any]:
    # The key comes first, so that row[0] is the row's id whatever the key is called.
    return select(spec.key, *(spec.table.c[column.name] for column in spec.columns))


async def _read_batch(
    uow: UnitOfWork, spec: SealedTable, after: object, batch_size: int
) -> Sequence[Row[Any]]:
    statement = _select(spec)
    if after is not None:
        statement = statement.where(spec.key > after)
    statement = statement.order_by(spec.key).limit(batch_size)
    return (await uow.session.execute(statement)).all()


async def _read_row(uow: UnitOfWork, spec: SealedTable, row_id: object) -> Row[Any] | None:
    statement = _select(spec).where(spec.key == row_id)
    return (await uow.session.execute(statement)).one_or_none()


def _label(table: str, column: str) -> str:
    return f"{table}.{column}"


def _sealed_key_id(stored: object) -> str | None:
    """The key id of a value in the sealed form, or None for anything else, so that a
    stray clear value is never shown as if its text were a key id."""
    if not isinstance(stored, str):
        return None
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
    spec: SealedTable, row: Row[Any], cipher: FieldCipher, *, reencrypt: bool = True
) -> _RowPlan:
    plan = _RowPlan()
    row_id = str(row[0])
    for column in spec.columns:
        stored = row._mapping[column.name]
        if stored is None:
            continue
        key_id = _sealed_key_id(stored)
        plan.found[column.name] = key_id
        if key_id is None:
            plan.left_behind.append(
                LeftBehind(spec.name, row_id, column.name, None, LeftBehindReason.DAMAGED)
            )
        elif key_id == cipher.current_key_id:
            continue
        elif key_id not in cipher.keys:
            plan.left_behind.append(
                LeftBehind(spec.name, row_id, column.name, key_id, LeftBehindReason.UNKNOWN_KEY)
            )
        elif reencrypt:
            try:
                plaintext = cipher.decrypt(stored, column.associated_data)
            except (InvalidTag, ValueError):
                plan.left_behind.append(
                    LeftBehind(spec.name, row_id, column.name, key_id, LeftBehindReason.DAMAGED)
                )
                continue
            plan.originals[column.name] = stored
            plan.replacements[column.name] = cipher.encrypt(plaintext, column.associated_data)
    return plan


def _record(spec: SealedTable, plan: _RowPlan, report: RotationReport) -> None:
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
    uow: UnitOfWork, spec: SealedTable, row: Row[Any], cipher: FieldCipher,
    report: RotationReport,
) -> None:  # fmt: skip
    table = spec.table
    row_id = row[0]
    current: Row[Any] | None = row
    for _ in range(ATTEMPTS_PER_ROW):
        if current is None:
            return  # deleted while the rotation ran: nothing left to re-encrypt
        plan = _plan_row(spec, current, cipher)
        if not plan.replacements:
            _record(spec, plan, report)
            return
        unchanged = [table.c[name] == stored for name, stored in plan.originals.items()]
        statement = update(table).where(spec.key == row_id, *unchanged)
        result = cast(
            CursorResult[Any], await uow.session.execute(statement.values(plan.replacements))
        )
        if result.rowcount == 1:
            _record(spec, plan, report)
            return
        current = await _read_row(uow, spec, row_id)
    plan.left_behind += [
        LeftBehind(spec.name, str(row_id), name, plan.found[name], LeftBehindReason.KEPT_CHANGING)
        for name in plan.originals
    ]
    plan.replacements.clear()
    _record(spec, plan, report)
