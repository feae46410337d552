"""The files, kept in step with intake's events about people.

Intake's events about one person arrive in order (one partition per person), but a
merge is keyed by the survivor, so it may arrive before the merged person's own
registration: a file can therefore be created by either, and each fills in its part.

Applying a batch of events, the files of all the persons they name are read in one query
first (``load_files``); the projectors then find them, or their absence, without a query
each, until the transaction's events are applied. The batch's files are kept out of the
session, as plain ``FileRow`` objects with the table's columns, and written together by
``write_files``, the first thing done once the batch's events are applied: the files it
opened in one INSERT, those it changed in one UPDATE. Nothing reads the files table in
between; the ORM's unit of work would flush each changed file in a statement of its
own, and its objects' instrumented attributes cost a batch more than the rest of
opening a file.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils import UUID as FastUUID
from uuid_utils import uuid5

from wushe.ledger.adapters.orm import LedgerFileRecord, metadata
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.timeline import add_entry
from wushe.shared.batch_sql import insert_rows, member_of, update_rows
from wushe.shared.events import EventEnvelope, new_event
from wushe.shared.events.intake import (
    PersonDeceased,
    PersonGroupJoined,
    PersonGroupLeft,
    PersonMerged,
    PersonRegistered,
    PersonRelocated,
    PersonUnmerged,
    PersonUpdated,
)
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.refusals import NotFound, Refused

_FILE_NAMESPACE = FastUUID(str(NAMESPACE_URL))
OPEN = "open"
MERGED = "merged"
CLOSED = "closed"
# The files of the persons a batch's events name (``BatchFiles``), in ``session.info``.
_LOADED = "wushe.ledger.files"
# The same files once written, by person, until ``written_files`` takes them.
_WRITTEN = "wushe.ledger.written_files"
_FILES = metadata.tables[LedgerFileRecord.__tablename__]
_FILE_COLUMNS = [column.key for column in _FILES.columns]
# The payload fields that name a person whose file an event of intake's changes.
_PERSON_FIELDS = ("person_id", "survivor_id", "merged_id", "restored_id")


@dataclass(slots=True)
class FileRow:
    """A file a batch read or opened, as ``write_files`` writes it (the columns of
    ``LedgerFileRecord``)."""

    id: str
    person_id: str
    region_code: str
    groups: list[str]
    status: str
    opened_at: datetime
    opened_by_event: str
    trace_id: str | None
    station_region: str | None = None
    household_region: str | None = None
    sex: str | None = None
    age_band: str | None = None
    merged_into: str | None = None
    died_on: date | None = None


@dataclass
class BatchFiles:
    """The files of the persons a batch's events name, until ``write_files``."""

    # By person; None where the person has no file (yet).
    found: dict[str, FileRow | None] = field(default_factory=dict)
    # The files found in the table, as they were read: what the batch changed is written.
    as_read: dict[str, FileRow] = field(default_factory=dict)
    opened: dict[str, FileRow] = field(default_factory=dict)

    async def read(self, session: AsyncSession, persons: Iterable[str]) -> None:
        """Add the files of ``persons`` not looked for yet, in one query."""
        wanted = set(persons).difference(self.found)
        if not wanted:
            return
        self.found.update(dict.fromkeys(wanted))
        rows = await session.execute(
            select(_FILES).where(member_of(session, _FILES.c.person_id, wanted))
        )
        for row in rows:
            found = FileRow(**row._mapping)
            self.found[found.person_id] = found
            self.as_read[found.person_id] = replace(found, groups=list(found.groups))

    def changed(self) -> list[FileRow]:
        return [
            found
            for person_id, before in self.as_read.items()
            if (found := self.found[person_id]) is not None and found != before
        ]


AnyFile = LedgerFileRecord | FileRow


def file_id_of(person_id: str) -> str:
    """Derived from the person, so that a rebuilt ledger gives every file the same id."""
    # uuid_utils' UUIDs are made and written out several times faster than the standard
    # library's, and a file id is made for every registration.
    return str(uuid5(_FILE_NAMESPACE, f"wushe:ledger-file:{person_id}"))


async def file_of(session: AsyncSession, person_id: str) -> LedgerFileRecord | None:
    found: LedgerFileRecord | None = await session.scalar(
        select(LedgerFileRecord).where(LedgerFileRecord.person_id == person_id)
    )
    return found


async def active_file(session: AsyncSession, person_id: str) -> LedgerFileRecord:
    """The file new work is recorded on, or why there is none."""
    record = await file_of(session, person_id)
    if record is None:
        raise NotFound(f"no file for person {person_id}", field="person_id")
    if record.status == MERGED:
        raise Refused(
            f"person {person_id} was merged into {record.merged_into}; record it on that file",
            field="person_id",
        )
    if record.status == CLOSED:
        raise Refused(f"person {person_id} died on {record.died_on}; the file is closed")
    return record


@projection.on_prepare
async def load_files(session: AsyncSession, events: Iterable[EventEnvelope]) -> None:
    """Read the files of the persons ``events`` name in one query, for ``_file_for`` to
    find until ``write_files``."""
    batch: BatchFiles = session.info.setdefault(_LOADED, BatchFiles())
    await batch.read(
        session,
        (
            str(value)
            for event in events
            for name in _PERSON_FIELDS
            if (value := event.payload.get(name)) is not None
        ),
    )


@projection.on_finish
async def write_files(session: AsyncSession) -> None:
    """The files the batch's events opened, and those they changed."""
    batch: BatchFiles | None = session.info.pop(_LOADED, None)
    if batch is None:
        return
    await insert_rows(session, _FILES, [_columns_of(opened) for opened in batch.opened.values()])
    await update_rows(session, _FILES, [_columns_of(changed) for changed in batch.changed()])
    session.info[_WRITTEN] = {person: found for person, found in batch.found.items() if found}


def written_files(session: AsyncSession) -> dict[str, FileRow]:
    """The files a batch's events named, by person, as ``write_files`` wrote them (none
    outside a batch): what planning their visits reads, without reading it back."""
    written: dict[str, FileRow] = session.info.pop(_WRITTEN, {})
    return written


def _columns_of(row: FileRow) -> dict[str, Any]:
    return {column: getattr(row, column) for column in _FILE_COLUMNS}


async def _file_for(applying: Applying, person_id: str) -> AnyFile:
    """The person's file, opened by this event if there is none: in a batch, its
    ``FileRow``; otherwise its record in the session."""
    batch: BatchFiles | None = applying.session.info.get(_LOADED)
    if batch is None:
        record = await file_of(applying.session, person_id)
        if record is None:
            record = LedgerFileRecord(**_columns_of(_new_file(applying, person_id)))
            applying.session.add(record)
        return record
    await batch.read(applying.session, (person_id,))
    found = batch.found[person_id]
    if found is None:
        found = batch.opened[person_id] = batch.found[person_id] = _new_file(applying, person_id)
    return found


def _new_file(applying: Applying, person_id: str) -> FileRow:
    event = applying.event
    return FileRow(
        id=file_id_of(person_id),
        person_id=person_id,
        region_code=event.region_code,
        groups=[],
        status=OPEN,
        opened_at=event.occurred_at,
        opened_by_event=applying.event.id_text,
        trace_id=applying.trace_id,
    )


@projection.on("person.registered")
async def open_file(applying: Applying) -> None:
    registered = PersonRegistered.model_validate(applying.event.payload)
    person_id = str(registered.person_id)
    record = await _file_for(applying, person_id)
    record.region_code = registered.residence_region
    record.station_region = registered.station_region
    record.household_region = registered.household_region
    record.groups = list(registered.groups)
    record.sex = registered.sex
    record.age_band = registered.age_band
    record.opened_at = applying.event.occurred_at
    record.opened_by_event = applying.event.id_text
    record.trace_id = applying.trace_id
    add_entry(applying, person_id)
    # Built from the registration's values, which were just validated.
    await applying.emit(
        new_event(
            LedgerFileOpened.model_construct(
                file_id=UUID(record.id),
                person_id=registered.person_id,
                region_code=registered.residence_region,
                groups=list(registered.groups),
            ),
            subject=person_id,
            region_code=registered.residence_region,
            producer=applying.producer,
            cause=applying.event,
        )
    )


@projection.on("person.updated")
async def note_update(applying: Applying) -> None:
    updated = PersonUpdated.model_validate(applying.event.payload)
    await _file_for(applying, str(updated.person_id))
    add_entry(applying, str(updated.person_id))


@projection.on("person.group_joined", "person.group_left")
async def change_groups(applying: Applying) -> None:
    changed = (
        PersonGroupJoined.model_validate(applying.event.payload)
        if applying.event.type == "person.group_joined"
        else PersonGroupLeft.model_validate(applying.event.payload)
    )
    record = await _file_for(applying, str(changed.person_id))
    record.groups = list(changed.groups)
    add_entry(applying, record.person_id)


@projection.on("person.relocated")
async def hand_over(applying: Applying) -> None:
    """The receiving region's station takes the file over, with its whole history."""
    relocated = PersonRelocated.model_validate(applying.event.payload)
    record = await _file_for(applying, str(relocated.person_id))
    record.region_code = relocated.to_region
    if relocated.household_region is not None:
        record.household_region = relocated.household_region
    add_entry(applying, record.person_id)


@projection.on("person.deceased")
async def close_file(applying: Applying) -> None:
    deceased = PersonDeceased.model_validate(applying.event.payload)
    record = await _file_for(applying, str(deceased.person_id))
    record.status = CLOSED
    record.died_on = deceased.died_on
    add_entry(applying, record.person_id)


@projection.on("person.merged")
async def merge_files(applying: Applying) -> None:
    merged = PersonMerged.model_validate(applying.event.payload)
    survivor = await _file_for(applying, str(merged.survivor_id))
    survivor.groups = list(merged.groups)
    absorbed = await _file_for(applying, str(merged.merged_id))
    absorbed.status = MERGED
    absorbed.merged_into = survivor.person_id
    add_entry(applying, survivor.person_id)
    add_entry(applying, absorbed.person_id)


@projection.on("person.unmerged")
async def unmerge_files(applying: Applying) -> None:
    unmerged = PersonUnmerged.model_validate(applying.event.payload)
    survivor = await _file_for(applying, str(unmerged.survivor_id))
    survivor.groups = list(unmerged.groups)
    restored = await _file_for(applying, str(unmerged.restored_id))
    restored.status = CLOSED if restored.died_on else OPEN
    restored.merged_into = None
    restored.groups = list(unmerged.restored_groups)
    add_entry(applying, survivor.person_id)
    add_entry(applying, restored.person_id)
