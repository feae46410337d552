"""The time bank on SQLite and PostgreSQL: the ledger's record of a volunteer's work is
credited once through charity's registered handler, even delivered twice or at once;
logged hours count only once confirmed; donations, spendings and reversals keep every
balance exact, never negative (also under concurrent spendings on PostgreSQL), and
equal to the sum of the account's entries."""

import asyncio
import json
import uuid
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

import wushe.charity
from integration.conftest import MigratedDatabase, Sessions
from wushe.charity.adapters.time_bank_orm import TimeBankAccount, TimeBankEntry
from wushe.charity.domain.refusals import Refused
from wushe.charity.entrypoints.time_bank_events import register_time_bank_handlers
from wushe.charity.service_layer.time_bank_credits import CONSUMER
from wushe.charity.service_layer.time_bank_logs import (
    NewLog,
    confirm_log,
    log_hours,
    reject_log,
)
from wushe.charity.service_layer.time_bank_reads import (
    balance_differences,
    balance_of,
    history_of,
    hours_by_region,
    volunteers_earning,
)
from wushe.charity.service_layer.time_bank_transfers import (
    Donation,
    Spending,
    donate,
    reverse,
    spend,
)
from wushe.shared.auth import Caller, Role
from wushe.shared.dispatcher import EventDispatcher
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.time_bank import Beneficiary
from wushe.shared.events.visits import ServiceKind, ServiceRecorded, VisitorKind, VisitRecorded
from wushe.shared.messaging_tables import outbox, processed_events
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

MIGRATIONS = Path(wushe.charity.__file__).parent / "migrations"
LEDGER = Producer(service="ledger", deployment="test")
CHARITY = Producer(service="charity", deployment="test")
VILLAGE = "420704001003"
ELSEWHERE = "420703"
SERVED_ON = date(2026, 11, 20)
TODAY = date.today()
STATION = Caller(subject="station-01", role=Role.STATION_STAFF, region="420704")
CIPHER = Settings().field_cipher()


def volunteer(name: str = "") -> Caller:
    return Caller(subject=f"vol-{name or uuid.uuid4().hex[:8]}", role=Role.VOLUNTEER,
                  region="420704")  # fmt: skip


def service_recorded(
    volunteer_id: str | None, minutes: int | None = 45, service_id: uuid.UUID | None = None
) -> EventEnvelope:
    payload = ServiceRecorded(
        service_id=service_id or uuid.uuid4(), person_id=uuid.uuid4(), kind=ServiceKind.DAILY_CARE,
        served_on=SERVED_ON, duration_minutes=minutes, volunteer_id=volunteer_id,
    )  # fmt: skip
    return new_event(payload, subject=str(payload.person_id), region_code=VILLAGE,
                     producer=LEDGER, actor=volunteer_id or "worker-017")  # fmt: skip


def visit_recorded(volunteer_id: str | None, kind: VisitorKind) -> EventEnvelope:
    payload = VisitRecorded(
        visit_id=uuid.uuid4(), person_id=uuid.uuid4(), visited_on=SERVED_ON, visitor_kind=kind,
        services=[ServiceKind.HOME_VISIT], volunteer_id=volunteer_id,
    )  # fmt: skip
    return new_event(payload, subject=str(payload.person_id), region_code=VILLAGE,
                     producer=LEDGER, actor="worker-017")  # fmt: skip


def consumer(sessions: Sessions) -> EventDispatcher:
    """Charity's registered time-bank handlers on a dispatcher, as its consumer calls them."""
    runtime = SimpleNamespace(
        dispatcher=EventDispatcher("charity"),
        unit_of_work=lambda: UnitOfWork(sessions),
        producer=CHARITY,
    )
    register_time_bank_handlers(runtime)  # type: ignore[arg-type]
    dispatcher: EventDispatcher = runtime.dispatcher
    return dispatcher


async def balance(sessions: Sessions, account_id: str) -> int:
    async with sessions() as session:
        found = await balance_of(session, account_id)
    assert found is None or found.account.balance_minutes == found.derived_minutes
    return 0 if found is None else found.account.balance_minutes


async def published(sessions: Sessions, event_type: str) -> list[dict[str, object]]:
    async with sessions() as session:
        bodies = await session.scalars(
            select(outbox.c.body).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        )
        return [json.loads(body) for body in bodies]


async def credit(sessions: Sessions, account: Caller, minutes: int) -> None:
    await consumer(sessions).dispatch(service_recorded(account.subject, minutes))


@pytest.fixture
async def sessions(migrated_database: MigratedDatabase) -> Sessions:
    return await migrated_database("charity", MIGRATIONS)


async def test_a_service_is_credited_once_when_its_event_comes_twice(sessions: Sessions) -> None:
    dispatcher, worker = consumer(sessions), volunteer()
    recorded = service_recorded(worker.subject, 45)
    await dispatcher.dispatch(recorded)
    await dispatcher.dispatch(recorded)
    # The same service re-published under a new event id (a replay) is not paid twice either.
    again = recorded.model_copy(update={"id": uuid.uuid4()})
    await dispatcher.dispatch(again)

    assert await balance(sessions, worker.subject) == 45
    async with sessions() as session:
        entries = list(await session.scalars(select(TimeBankEntry)))
        claimed = await session.scalar(
            select(func.count()).select_from(processed_events)
            .where(processed_events.c.consumer == CONSUMER)
        )  # fmt: skip
    assert [(e.kind, e.minutes, e.defaulted) for e in entries] == [("credited", 45, False)]
    assert entries[0].source_event_id == str(recorded.id) and claimed == 2
    [credited] = await published(sessions, "hours.credited")
    assert credited["causation_id"] == str(recorded.id)
    assert credited["payload"] == {
        "entry_id": entries[0].id, "volunteer_id": worker.subject, "minutes": 45,
        "defaulted": False, "served_on": SERVED_ON.isoformat(), "region_code": VILLAGE,
        "source_event_id": str(recorded.id), "source_event_type": "service.recorded",
        "source_id": recorded.payload["service_id"],
    }  # fmt: skip


async def test_a_visit_without_duration_credits_the_default_and_says_so(
    sessions: Sessions,
) -> None:
    worker = volunteer()
    await consumer(sessions).dispatch(visit_recorded(worker.subject, VisitorKind.VOLUNTEER))
    async with sessions() as session:
        [entry] = await history_of(session, worker.subject, limit=10, offset=0)
    assert (entry.kind, entry.minutes, entry.defaulted) == ("credited", 60, True)
    [credited] = await published(sessions, "hours.credited")
    assert credited["payload"]["defaulted"] is True  # type: ignore[index]


async def test_staff_work_earns_no_hours(sessions: Sessions) -> None:
    dispatcher = consumer(sessions)
    await dispatcher.dispatch(service_recorded(None, 30))
    await dispatcher.dispatch(visit_recorded(None, VisitorKind.VOLUNTEER))
    await dispatcher.dispatch(visit_recorded("worker-017", VisitorKind.SOCIAL_WORKER))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TimeBankAccount)) == 0
    assert await published(sessions, "hours.credited") == []


async def test_logged_hours_count_only_once_the_station_confirms_them(sessions: Sessions) -> None:
    worker = volunteer()

    async def logged(minutes: int) -> uuid.UUID:
        new = NewLog(what="陪同张奶奶就医", place="古城社区卫生服务站", served_on=SERVED_ON,
                     minutes=minutes, region_code=VILLAGE)  # fmt: skip
        row = await log_hours(UnitOfWork(sessions), CHARITY, CIPHER, worker, new, date.today())
        return uuid.UUID(row.id)

    first, second = await logged(90), await logged(30)
    assert await balance(sessions, worker.subject) == 0

    with pytest.raises(Refused) as own:
        await confirm_log(UnitOfWork(sessions), CHARITY, Caller(
            subject=worker.subject, role=Role.STATION_STAFF, region="420704"), first)  # fmt: skip
    assert (own.value.status_code, own.value.field) == (403, "log_id")
    outsider = Caller(subject="station-09", role=Role.STATION_STAFF, region=ELSEWHERE)
    with pytest.raises(Refused) as outside:
        await confirm_log(UnitOfWork(sessions), CHARITY, outsider, first)
    assert (outside.value.status_code, outside.value.field) == (403, "region_code")

    log, entry = await confirm_log(UnitOfWork(sessions), CHARITY, STATION, first)
    assert (log.status, entry.kind, entry.minutes, entry.log_id) == (
        "confirmed", "confirmed", 90, str(first)
    )  # fmt: skip
    with pytest.raises(Refused) as twice:
        await confirm_log(UnitOfWork(sessions), CHARITY, STATION, first)
    assert (twice.value.status_code, twice.value.field) == (409, "log_id")

    rejected = await reject_log(
        UnitOfWork(sessions), CHARITY, CIPHER, STATION, second, "当天未排班"
    )
    assert rejected.status == "rejected" and rejected.reason_sealed
    assert "未排班" not in rejected.reason_sealed
    with pytest.raises(Refused) as after_rejection:
        await confirm_log(UnitOfWork(sessions), CHARITY, STATION, second)
    assert after_rejection.value.field == "log_id"

    assert await balance(sessions, worker.subject) == 90
    kinds = {e: len(await published(sessions, e)) for e in
             ("hours.logged", "hours.confirmed", "hours.rejected")}  # fmt: skip
    assert kinds == {"hours.logged": 2, "hours.confirmed": 1, "hours.rejected": 1}
    assert "陪同" not in json.dumps(await published(sessions, "hours.logged"), ensure_ascii=False)


async def test_logging_refuses_a_future_day_naming_the_field(sessions: Sessions) -> None:
    new = NewLog(what="x", place="y", served_on=date(2099, 1, 1), minutes=30, region_code=VILLAGE)
    with pytest.raises(Refused) as future:
        await log_hours(UnitOfWork(sessions), CHARITY, CIPHER, volunteer(), new, date.today())
    assert (future.value.status_code, future.value.field) == (422, "served_on")


async def test_donations_spendings_and_reversals_keep_balances_exact(sessions: Sessions) -> None:
    giver, receiver = volunteer("giver"), volunteer("receiver")
    await credit(sessions, giver, 120)
    async with sessions() as session:
        [credited] = await history_of(session, giver.subject, limit=10, offset=0)

    await donate(UnitOfWork(sessions), CHARITY, giver, Donation(50, receiver.subject, None),
                 date.today())  # fmt: skip
    with pytest.raises(Refused) as too_much:
        await donate(UnitOfWork(sessions), CHARITY, giver, Donation(71, receiver.subject, None),
                     date.today())  # fmt: skip
    assert (too_much.value.status_code, too_much.value.field) == (409, "minutes")
    with pytest.raises(Refused) as to_self:
        await donate(UnitOfWork(sessions), CHARITY, giver, Donation(1, giver.subject, None),
                     date.today())  # fmt: skip
    assert to_self.value.field == "to_volunteer_id"

    def spending(account: str, minutes: int, **changes: object) -> Spending:
        fields: dict[str, object] = dict(
            account_id=account, minutes=minutes, service_kind=ServiceKind.DAILY_CARE,
            beneficiary=Beneficiary.FAMILY, person_id=None, spent_on=SERVED_ON,
            region_code=VILLAGE,
        )  # fmt: skip
        return Spending(**(fields | changes))  # type: ignore[arg-type]

    with pytest.raises(Refused) as overdraw:
        await spend(UnitOfWork(sessions), CHARITY, STATION, spending(giver.subject, 71), TODAY)
    assert overdraw.value.field == "minutes" and "余额70分钟" in str(overdraw.value)
    await spend(UnitOfWork(sessions), CHARITY, STATION, spending(giver.subject, 70), TODAY)
    assert await balance(sessions, giver.subject) == 0

    # The credit can no longer be taken back: its minutes were spent.
    with pytest.raises(Refused) as reversal:
        await reverse(UnitOfWork(sessions), CHARITY, CIPHER, STATION, uuid.UUID(credited.id),
                      "重复登记", date.today())  # fmt: skip
    assert (reversal.value.status_code, reversal.value.field) == (409, "entry_id")

    # The receiver gives 20 minutes to the community's pool; the station spends them on a
    # person in need, who must be named.
    await donate(UnitOfWork(sessions), CHARITY, receiver, Donation(20, None, "420704001"),
                 date.today())  # fmt: skip
    pool = "pool:420704001"
    with pytest.raises(Refused) as unnamed:
        await spend(UnitOfWork(sessions), CHARITY, STATION,
                    spending(pool, 20, beneficiary=Beneficiary.PERSON_IN_NEED), TODAY)  # fmt: skip
    assert (unnamed.value.status_code, unnamed.value.field) == (422, "person_id")
    with pytest.raises(Refused) as not_for_family:
        await spend(UnitOfWork(sessions), CHARITY, STATION, spending(pool, 20), TODAY)
    assert not_for_family.value.field == "beneficiary"
    with pytest.raises(Refused) as future:
        await spend(UnitOfWork(sessions), CHARITY, STATION,
                    spending(pool, 1, spent_on=date(2099, 1, 1)), TODAY)  # fmt: skip
    assert (future.value.status_code, future.value.field) == (422, "spent_on")
    for_someone = spending(pool, 20, beneficiary=Beneficiary.PERSON_IN_NEED,
                           person_id=uuid.uuid4())  # fmt: skip
    spent = await spend(UnitOfWork(sessions), CHARITY, STATION, for_someone, TODAY)

    # A spending recorded wrongly is reversed: the minutes come back, once.
    await reverse(UnitOfWork(sessions), CHARITY, CIPHER, STATION,
                  uuid.UUID(spent.payload["entry_id"]), "记错了", date.today())  # fmt: skip
    with pytest.raises(Refused) as again:
        await reverse(UnitOfWork(sessions), CHARITY, CIPHER, STATION,
                      uuid.UUID(spent.payload["entry_id"]), "记错了", date.today())  # fmt: skip
    assert again.value.field == "entry_id"

    assert [await balance(sessions, a) for a in (giver.subject, receiver.subject, pool)] == [
        0, 30, 20
    ]  # fmt: skip
    async with sessions() as session:
        giver_history = await history_of(session, giver.subject, limit=10, offset=0)
        pool_history = await history_of(session, pool, limit=10, offset=0)
        assert await balance_differences(session, "") == []
    assert [(e.kind, e.minutes, e.balance_after) for e in giver_history] == [
        ("credited", 120, 120), ("donated", -50, 70), ("spent", -70, 0)
    ]  # fmt: skip
    assert [(e.kind, e.minutes, e.balance_after) for e in pool_history] == [
        ("received", 20, 20), ("spent", -20, 0), ("reversal", 20, 20)
    ]  # fmt: skip
    [donated, _] = await published(sessions, "hours.donated")
    assert donated["payload"]["to_volunteer_id"] == receiver.subject  # type: ignore[index]
    assert len(await published(sessions, "hours.spent")) == 2
    assert len(await published(sessions, "hours.reversed")) == 1


async def test_the_station_acts_only_within_its_region(sessions: Sessions) -> None:
    worker = volunteer()
    await credit(sessions, worker, 60)
    outsider = Caller(subject="station-09", role=Role.STATION_STAFF, region=ELSEWHERE)
    spending = Spending(worker.subject, 10, ServiceKind.DAILY_CARE, Beneficiary.SELF, None,
                        SERVED_ON, ELSEWHERE)  # fmt: skip
    with pytest.raises(Refused) as refused:
        await spend(UnitOfWork(sessions), CHARITY, outsider, spending, TODAY)
    assert (refused.value.status_code, refused.value.field) == (403, "account_id")
    assert await balance(sessions, worker.subject) == 60


async def test_figures_count_volunteers_and_their_hours_net_of_reversals(
    sessions: Sessions,
) -> None:
    first, second = volunteer(), volunteer()
    await credit(sessions, first, 45)
    await credit(sessions, second, 30)
    await credit(sessions, second, 15)
    async with sessions() as session:
        [wrong, _] = await history_of(session, second.subject, limit=10, offset=0)
    await reverse(UnitOfWork(sessions), CHARITY, CIPHER, STATION, uuid.UUID(wrong.id),
                  "非志愿服务", SERVED_ON)  # fmt: skip
    async with sessions() as session:
        rows = await hours_by_region(session, "420704", SERVED_ON, SERVED_ON)
        counted = await volunteers_earning(session, "420704", SERVED_ON, SERVED_ON)
        elsewhere = await hours_by_region(session, "420703", SERVED_ON, SERVED_ON)
    assert [(r.region_code, r.volunteers, r.earned_minutes) for r in rows] == [(VILLAGE, 2, 60)]
    assert counted == 2 and elsewhere == []


async def test_concurrent_spendings_never_overdraw(backend: str, sessions: Sessions) -> None:
    if backend != "postgres":
        pytest.skip("the race is decided by PostgreSQL's row lock; SQLite has one writer")
    worker = volunteer()
    await credit(sessions, worker, 100)
    spending = Spending(worker.subject, 30, ServiceKind.DAILY_CARE, Beneficiary.SELF, None,
                        SERVED_ON, VILLAGE)  # fmt: skip

    async def attempt() -> bool:
        try:
            await spend(UnitOfWork(sessions), CHARITY, STATION, spending, TODAY)
        except Refused:
            return False
        return True

    outcomes = await asyncio.gather(*(attempt() for _ in range(12)))
    assert outcomes.count(True) == 3
    assert await balance(sessions, worker.subject) == 10
    async with sessions() as session:
        history = await history_of(session, worker.subject, limit=50, offset=0)
    assert [e.balance_after for e in history] == [100, 70, 40, 10]


async def test_concurrent_deliveries_of_one_event_credit_once(
    backend: str, sessions: Sessions
) -> None:
    if backend != "postgres":
        pytest.skip("concurrent transactions are PostgreSQL's; SQLite has one writer")
    worker, dispatcher = volunteer(), consumer(sessions)
    recorded = service_recorded(worker.subject, 25)
    copies = [recorded.model_copy(update={"id": uuid.uuid4()}) for _ in range(3)]
    # The same event twice, and the same service under other event ids, all at once.
    await asyncio.gather(*(dispatcher.dispatch(event) for event in [recorded, recorded, *copies]))
    assert await balance(sessions, worker.subject) == 25
    assert len(await published(sessions, "hours.credited")) == 1


async def test_concurrent_reversals_of_one_entry_reverse_it_once(
    backend: str, sessions: Sessions
) -> None:
    if backend != "postgres":
        pytest.skip("concurrent transactions are PostgreSQL's; SQLite has one writer")
    worker = volunteer()
    await credit(sessions, worker, 100)
    async with sessions() as session:
        [credited] = await history_of(session, worker.subject, limit=10, offset=0)

    async def attempt() -> str | None:
        try:
            await reverse(UnitOfWork(sessions), CHARITY, CIPHER, STATION, uuid.UUID(credited.id),
                          "重复登记", date.today())  # fmt: skip
        except Refused as refused:
            return refused.field
        return None

    outcomes = await asyncio.gather(*(attempt() for _ in range(5)))
    assert sorted(outcomes, key=str) == [None, "entry_id", "entry_id", "entry_id", "entry_id"]
    assert await balance(sessions, worker.subject) == 0
