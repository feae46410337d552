"""Each person's visit plan: the interval and the date the next visit is due.

``next_due_on`` is stored (``ledger_visit_plans``, indexed) rather than computed when
asked, so that the overdue sweep and a station's list of visits due read one index
range instead of evaluating every open file of a province. It depends on the person's
groups and region (intake's stream), their visits and the regions' rules (the ledger's
stream) and the risk of their open cases. Every event that changes one of these notes
the person; once a transaction's events are applied (a command's, a consumed batch's,
a rebuild's batch), each person noted is planned again, once, from the current state
of all of them, in a few queries for all the persons together. Whatever order the
streams are applied in (live, or intake's first in a rebuild), the plan is therefore
the one the current state implies.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.ledger.adapters.case_orm import CaseRecord
from wushe.ledger.adapters.orm import LedgerFileRecord, metadata
from wushe.ledger.adapters.visit_orm import VisitPlanRecord, VisitRecord, VisitRuleRecord
from wushe.ledger.domain.visit_cadence import RiskLevel, VisitRule, visit_interval
from wushe.ledger.service_layer.case_reads import RISK_ORDER
from wushe.ledger.service_layer.files import OPEN, FileRow, written_files
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.shared.batch_sql import insert_rows, member_of
from wushe.shared.events.cases import Stage
from wushe.shared.events.intake import PersonMerged, PersonUnmerged

# The stations keep their calendars in China Standard Time.
CHINA = timezone(timedelta(hours=8))
REPLAN_BATCH = 500
# Persons whose plan the transaction's events may have changed, in ``session.info``.
_NOTED = "wushe.ledger.replan"
_NOTED_HOLDERS = "wushe.ledger.replan_holders"
_PLANS = metadata.tables[VisitPlanRecord.__tablename__]
# What planning reads of a file: its person, status, region, groups and opening.
PlannedFile = Row[tuple[str, str, str, list[str], datetime]] | FileRow
# A plan's columns before it is planned, so that every new plan's row has them all.
_NEW_PLAN: dict[str, object] = {
    "interval_days": None,
    "last_visited_on": None,
    "next_due_on": None,
    "overdue_due_on": None,
    "overdue_rank": 0,
}


def local_day(instant: datetime) -> date:
    # SQLite gives back the stored UTC time without its zone.
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(CHINA).date()


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def _prefixes_of(region_code: str) -> list[str]:
    return [
        "",
        *(region_code[:digits] for digits in (2, 4, 6, 9, 12) if digits <= len(region_code)),
    ]


async def plan_of(session: AsyncSession, person_id: str) -> VisitPlanRecord:
    plan = await session.get(VisitPlanRecord, person_id)
    if plan is None:
        plan = VisitPlanRecord(person_id=person_id, overdue_rank=0)
        session.add(plan)
    return plan


def note_replan(session: AsyncSession, *persons: str) -> None:
    """Plan the persons again once the transaction's events are applied (``replan_noted``)."""
    session.info.setdefault(_NOTED, {}).update(dict.fromkeys(persons))


def note_replan_with_holder(session: AsyncSession, person_id: str) -> None:
    """Plan again the person and the survivor holding their file after a merge."""
    session.info.setdefault(_NOTED_HOLDERS, {})[person_id] = None


@projection.on_finish
async def replan_noted(session: AsyncSession) -> None:
    """Every person an applied event may have changed the plan of, planned again once
    from the state all of the transaction's events left."""
    noted: dict[str, None] = session.info.pop(_NOTED, {})
    holders: dict[str, None] = session.info.pop(_NOTED_HOLDERS, {})
    if holders:
        noted.update(dict.fromkeys(holders))
        noted.update(dict.fromkeys(await _holders_of(session, list(holders))))
    await replan_all(session, list(noted), written_files(session))


async def replan(session: AsyncSession, person_id: str) -> None:
    """Plan the person's next visit from the current state; a file that is not open
    (merged, or closed by death) has no visit due."""
    await replan_all(session, [person_id])


async def replan_all(
    session: AsyncSession, persons: Sequence[str], written: Mapping[str, FileRow] | None = None
) -> None:
    """``replan`` for each of ``persons``, in a few queries per ``REPLAN_BATCH`` of them;
    the files among ``written`` (those a batch just wrote) are not read again."""
    for start in range(0, len(persons), REPLAN_BATCH):
        await _replan_batch(session, persons[start : start + REPLAN_BATCH], written or {})


async def _replan_batch(
    session: AsyncSession, persons: Sequence[str], written: Mapping[str, FileRow]
) -> None:
    plans = {
        plan.person_id: plan
        for plan in await session.scalars(
            select(VisitPlanRecord).where(member_of(session, VisitPlanRecord.person_id, persons))
        )
    }
    files: dict[str, PlannedFile] = {
        person_id: written[person_id] for person_id in persons if person_id in written
    }
    if unread := [person_id for person_id in persons if person_id not in files]:
        # Only read here: the columns planning needs, without building an ORM object each.
        files.update(
            (record.person_id, record)
            for record in await session.execute(
                select(
                    LedgerFileRecord.person_id,
                    LedgerFileRecord.status,
                    LedgerFileRecord.region_code,
                    LedgerFileRecord.groups,
                    LedgerFileRecord.opened_at,
                ).where(member_of(session, LedgerFileRecord.person_id, unread))
            )
        )
    with session.no_autoflush:
        open_files = [
            record for person_id in persons
            if (record := files.get(person_id)) is not None and record.status == OPEN
        ]  # fmt: skip
        on_file = await _persons_on_files(session, [record.person_id for record in open_files])
        members = {person for found in on_file.values() for person in found}
        last_visits = await _last_visits(session, members)
        risks = await _open_case_risks(session, members)
        rules = await _rules_for(session, {record.region_code for record in open_files})
    new_plans: list[dict[str, object]] = []
    for person_id in dict.fromkeys(persons):
        planned = _planned(files.get(person_id), on_file, last_visits, risks, rules)
        plan = plans.get(person_id)
        if plan is None:
            # Written with the batch's other new plans in one INSERT below: an ORM
            # object each would cost more than planning them.
            new_plans.append({**_NEW_PLAN, "person_id": person_id, **planned})
            continue
        for field, value in planned.items():
            setattr(plan, field, value)
    if new_plans:
        await insert_rows(session, _PLANS, new_plans)


def _planned(
    record: "PlannedFile | None",
    on_file: dict[str, list[str]],
    last_visits: dict[str, date],
    risks: dict[str, set[str]],
    rules: list[VisitRule],
) -> dict[str, object]:
    """What a person's plan becomes, from their file (its planning columns) and the
    visits, open cases and rules of everyone on it."""
    if record is None or record.status != OPEN:
        return {"interval_days": None, "next_due_on": None}
    persons_of_file = on_file[record.person_id]
    visited = [last_visits[found] for found in persons_of_file if found in last_visits]
    last_visited_on = max(visited) if visited else None
    levels = {level for found in persons_of_file for level in risks.get(found, ())}
    known = [level for level in RISK_ORDER if level.value in levels]
    risk = RiskLevel(known[-1].value) if known else None
    prefixes = set(_prefixes_of(record.region_code))
    interval = visit_interval(
        record.groups,
        record.region_code,
        risk,
        [rule for rule in rules if rule.region_prefix in prefixes],
    )
    anchor = last_visited_on or local_day(record.opened_at)
    return {
        "interval_days": interval,
        "last_visited_on": last_visited_on,
        "next_due_on": anchor + timedelta(days=interval) if interval is not None else None,
    }


async def _persons_on_files(session: AsyncSession, persons: list[str]) -> dict[str, list[str]]:
    """``persons_on_file`` of each of ``persons``: they and the files merged into theirs."""
    merged_into_them: dict[str, list[str]] = {}
    seen, frontier = set(persons), list(persons)
    while frontier:
        found: list[str] = []
        rows = await session.execute(
            select(LedgerFileRecord.person_id, LedgerFileRecord.merged_into).where(
                member_of(session, LedgerFileRecord.merged_into, frontier)
            )
        )
        for person_id, merged_into in rows:
            merged_into_them.setdefault(str(merged_into), []).append(person_id)
            if person_id not in seen:
                seen.add(person_id)
                found.append(person_id)
        frontier = found
    on_file: dict[str, list[str]] = {}
    for person_id in persons:
        reached, pending = [person_id], [person_id]
        while pending:
            for merged in merged_into_them.get(pending.pop(), ()):
                if merged not in reached:
                    reached.append(merged)
                    pending.append(merged)
        on_file[person_id] = reached
    return on_file


async def _last_visits(session: AsyncSession, persons: set[str]) -> dict[str, date]:
    if not persons:
        return {}
    rows = await session.execute(
        select(VisitRecord.person_id, func.max(VisitRecord.visited_on))
        .where(member_of(session, VisitRecord.person_id, persons))
        .group_by(VisitRecord.person_id)
    )
    return {person_id: visited_on for person_id, visited_on in rows if visited_on}


async def _open_case_risks(session: AsyncSession, persons: set[str]) -> dict[str, set[str]]:
    """The risk levels of each person's open cases (``current_risk``, for many at once)."""
    risks: dict[str, set[str]] = {}
    if not persons:
        return risks
    rows = await session.execute(
        select(CaseRecord.person_id, CaseRecord.risk_level).where(
            member_of(session, CaseRecord.person_id, persons),
            CaseRecord.stage != Stage.CLOSED.value,
        )
    )
    for person_id, level in rows:
        risks.setdefault(person_id, set()).add(level)
    return risks


async def _rules_for(session: AsyncSession, region_codes: set[str]) -> list[VisitRule]:
    """The rules of the regions and of every region above them."""
    prefixes = {prefix for code in region_codes for prefix in _prefixes_of(code)}
    if not prefixes:
        return []
    rows = await session.scalars(
        select(VisitRuleRecord).where(
            member_of(session, VisitRuleRecord.region_prefix, sorted(prefixes))
        )
    )
    return [
        VisitRule(
            row.region_prefix,
            row.group,
            row.interval_days,
            RiskLevel(row.risk_level) if row.risk_level else None,
        )
        for row in rows
    ]


async def _holders_of(session: AsyncSession, persons: list[str]) -> list[str]:
    """The survivors holding the files of ``persons`` after merges, following each
    ``merged_into`` to its end as ``replan_for_risk`` did per event."""
    files: dict[str, LedgerFileRecord] = {}
    asked: set[str] = set()
    wanted = set(persons)
    while wanted:
        asked |= wanted
        for record in await session.scalars(
            select(LedgerFileRecord).where(member_of(session, LedgerFileRecord.person_id, wanted))
        ):
            files[record.person_id] = record
        wanted = {
            record.merged_into
            for record in files.values()
            if record.merged_into and record.merged_into not in asked
        }
    holders = []
    for person_id in persons:
        holder, seen = files.get(person_id), {person_id}
        while holder is not None and holder.merged_into and holder.merged_into not in seen:
            seen.add(holder.merged_into)
            holder = files.get(holder.merged_into)
        if holder is not None and holder.person_id != person_id:
            holders.append(holder.person_id)
    return holders


async def replan_region(session: AsyncSession, region_prefix: str) -> None:
    """Plan again every open file inside a region whose rules changed, a batch at a time."""
    after = ""
    while True:
        persons = list(
            await session.scalars(
                select(LedgerFileRecord.person_id)
                .where(
                    LedgerFileRecord.region_code.startswith(region_prefix),
                    LedgerFileRecord.status == OPEN,
                    LedgerFileRecord.person_id > after,
                )
                .order_by(LedgerFileRecord.person_id)
                .limit(REPLAN_BATCH)
            )
        )
        await replan_all(session, persons)
        if len(persons) < REPLAN_BATCH:
            return
        after = persons[-1]
        await session.flush()


@projection.on(
    "person.registered",
    "person.group_joined",
    "person.group_left",
    "person.relocated",
    "person.deceased",
)
async def replan_person(applying: Applying) -> None:
    note_replan(applying.session, str(applying.event.payload["person_id"]))


@projection.on("person.merged")
async def replan_merged(applying: Applying) -> None:
    merged = PersonMerged.model_validate(applying.event.payload)
    note_replan(applying.session, str(merged.merged_id), str(merged.survivor_id))


@projection.on("person.unmerged")
async def replan_unmerged(applying: Applying) -> None:
    unmerged = PersonUnmerged.model_validate(applying.event.payload)
    note_replan(applying.session, str(unmerged.restored_id), str(unmerged.survivor_id))


@projection.on("case.opened", "case.risk_changed", "case.closed", "case.reopened")
async def replan_for_risk(applying: Applying) -> None:
    """A case's risk changes how often its person is visited: the person the case was
    opened for (case events are keyed by them), and the survivor holding their file
    after a merge."""
    note_replan_with_holder(applying.session, applying.event.subject)
