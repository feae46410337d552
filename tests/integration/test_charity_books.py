"""Charity's double-entry books on SQLite and PostgreSQL: donations post balanced entries,
refunds and corrections reverse them, restricted money goes only to its purpose, the
approver is not the requester, and every disbursement is traced to its donations."""

import uuid

import pytest
from sqlalchemy import text

from integration.charity_books import (
    APPROVER,
    CLERK,
    a_fund,
    balances,
    charity_books,
    emitted,
    give,
    on_ledger,
    unbalanced_entries,
)
from integration.conftest import MigratedDatabase, Sessions
from wushe.charity.domain.disbursement import DisbursementRequest
from wushe.charity.domain.donation import Channel, DonationEntry
from wushe.charity.domain.refusals import Forbidden, Invalid, Overdrawn, Refused
from wushe.charity.domain.restrictions import Restriction, RestrictionKind
from wushe.charity.service_layer.approval import approve_disbursement
from wushe.charity.service_layer.disbursements import (
    reject_disbursement,
    request_disbursement,
    withdraw_disbursement,
)
from wushe.charity.service_layer.persons import groups_changed
from wushe.charity.service_layer.reversals import correct, refund
from wushe.charity.service_layer.traceability import (
    trails_of_disbursement,
    trails_of_donation,
    trails_to_person,
)
from wushe.shared.unit_of_work import UnitOfWork

ORPHANS = Restriction(kind=RestrictionKind.GROUP, target="child_orphan")


async def pay(
    sessions: Sessions, fund_id: uuid.UUID, amount_fen: int, *, person_id: str | None = None,
    project_id: str | None = None, restriction: Restriction | None = None,
) -> str:  # fmt: skip
    request = DisbursementRequest(
        amount_fen=amount_fen, purpose="医疗救助", restriction=restriction,
        person_id=uuid.UUID(person_id) if person_id else None, project_id=project_id,
    )  # fmt: skip
    requested = await request_disbursement(UnitOfWork(sessions), fund_id, request, CLERK)
    await approve_disbursement(UnitOfWork(sessions), uuid.UUID(requested.id), APPROVER)
    return requested.id


async def test_donations_refunds_and_corrections_keep_the_books_balanced(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    first = await give(books, fund, 12_345, donor_name="李四")
    second = await give(books, fund, 1, channel=Channel.BANK_TRANSFER, anonymous=True)
    third = await give(books, fund, 500)
    assert [d.receipt_number[-6:] for d in (first, second, third)] == ["000001", "000002", "000003"]

    await refund(UnitOfWork(books), uuid.UUID(second.id), "捐赠人要求退回", CLERK)
    corrected = DonationEntry(amount_fen=5_000, channel=Channel.CASH)
    replacement = await correct(UnitOfWork(books), uuid.UUID(third.id), corrected, CLERK)
    assert replacement.receipt_number.endswith("-000004") and replacement.corrects_id == third.id
    with pytest.raises(Refused) as twice:
        await refund(UnitOfWork(books), uuid.UUID(second.id), "again", CLERK)
    assert twice.value.field == "donation_id"

    assert await unbalanced_entries(books) == []
    accounts = await balances(books, fund)
    assert all(cached == summed for cached, summed in accounts.values())
    assert accounts["holding"][0] == 12_345 + 5_000
    assert accounts["donations:bank_transfer"][0] == 0
    reversed_events = await emitted(books, "donation.reversed")
    assert [e.payload["reason"] for e in reversed_events] == ["refund", "correction"]
    assert reversed_events[1].payload["replaced_by"] == replacement.id
    async with books() as session:
        raw = str((await session.execute(text("SELECT * FROM donors"))).all())
        statuses = dict((await session.execute(text("SELECT id, status FROM donations"))).all())
    assert "李四" not in raw
    assert statuses[second.id] == "refunded" and statuses[third.id] == "corrected"


async def test_restricted_money_goes_only_to_its_purpose(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    orphan = await on_ledger(books, ["child_orphan"])
    elder = await on_ledger(books, ["elderly_living_alone"])
    for_elder = Restriction(kind=RestrictionKind.PERSON, target=elder)
    for_school = Restriction(kind=RestrictionKind.PROJECT, target="school-roof")
    await give(books, fund, 1_000, restriction=ORPHANS)
    await give(books, fund, 2_000, restriction=for_elder)
    await give(books, fund, 3_000, restriction=for_school)

    refusals = [
        (orphan, None, for_elder), (elder, None, ORPHANS), (None, "other-roof", for_school),
        (orphan, None, for_school),
    ]  # fmt: skip
    for person_id, project_id, restriction in refusals:
        with pytest.raises(Invalid) as refused:
            await pay(books, fund, 100, person_id=person_id, project_id=project_id,
                      restriction=restriction)  # fmt: skip
        assert refused.value.field == "restriction"
    # Unrestricted money is none of the earmarked money.
    with pytest.raises(Overdrawn) as overdrawn:
        await pay(books, fund, 100, person_id=orphan)
    assert overdrawn.value.field == "amount_fen"

    await pay(books, fund, 1_000, person_id=orphan, restriction=ORPHANS)
    await pay(books, fund, 2_000, person_id=elder, restriction=for_elder)
    await pay(books, fund, 3_000, project_id="school-roof", restriction=for_school)
    accounts = await balances(books, fund)
    held = {code: cached for code, (cached, _) in accounts.items() if code.startswith("holding")}
    assert held == {
        "holding": 0, "holding:group:child_orphan": 0, f"holding:person:{elder}": 0,
        "holding:project:school-roof": 0,
    }  # fmt: skip
    assert accounts["disbursed:person"][0] == 3_000 and accounts["disbursed:project"][0] == 3_000
    disbursed = await emitted(books, "fund.disbursed")
    assert [e.payload["person_id"] for e in disbursed] == [orphan, elder, None]
    assert disbursed[2].payload["project_id"] == "school-roof"
    assert all(e.subject == str(fund) for e in disbursed)


async def test_a_person_who_leaves_the_group_no_longer_gets_its_money(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    child = await on_ledger(books, ["child_orphan"])
    await give(books, fund, 1_000, restriction=ORPHANS)
    request = DisbursementRequest(amount_fen=500, purpose="学费", person_id=uuid.UUID(child),
                                  restriction=ORPHANS)  # fmt: skip
    requested = await request_disbursement(UnitOfWork(books), fund, request, CLERK)
    async with UnitOfWork(books) as uow:
        await groups_changed(uow.session, child, "420704001003", [])
        await uow.commit()
    with pytest.raises(Invalid) as refused:
        await approve_disbursement(UnitOfWork(books), uuid.UUID(requested.id), APPROVER)
    assert refused.value.field == "restriction"


async def test_the_approver_must_not_be_the_requester(migrated_database: MigratedDatabase) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    person = await on_ledger(books)
    await give(books, fund, 1_000)
    request = DisbursementRequest(amount_fen=300, purpose="助餐", person_id=uuid.UUID(person))
    requested = await request_disbursement(UnitOfWork(books), fund, request, CLERK)
    with pytest.raises(Forbidden) as refused:
        await approve_disbursement(UnitOfWork(books), uuid.UUID(requested.id), CLERK)
    assert refused.value.field == "approver" and "clerk-1" in str(refused.value)
    await reject_disbursement(UnitOfWork(books), uuid.UUID(requested.id), "材料不全", APPROVER)
    with pytest.raises(Refused) as decided:
        await approve_disbursement(UnitOfWork(books), uuid.UUID(requested.id), APPROVER)
    assert decided.value.field == "status"
    assert (await balances(books, fund))["holding"][0] == 1_000
    assert len(await emitted(books, "disbursement.rejected")) == 1


async def test_the_requester_alone_withdraws_a_request_nobody_decided(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    person = await on_ledger(books)
    await give(books, fund, 1_000)
    request = DisbursementRequest(amount_fen=400, purpose="助餐", person_id=uuid.UUID(person))
    requested = await request_disbursement(UnitOfWork(books), fund, request, CLERK)
    disbursement_id = uuid.UUID(requested.id)
    with pytest.raises(Forbidden) as not_theirs:
        await withdraw_disbursement(UnitOfWork(books), disbursement_id, "不需要了", APPROVER)
    assert not_theirs.value.field == "requested_by" and "clerk-1" in str(not_theirs.value)
    withdrawn = await withdraw_disbursement(UnitOfWork(books), disbursement_id, "金额填错", CLERK)
    assert (withdrawn.status, withdrawn.withdrawal_reason) == ("withdrawn", "金额填错")
    assert withdrawn.decided_by == "clerk-1" and withdrawn.entry_id is None
    with pytest.raises(Refused) as too_late:
        await approve_disbursement(UnitOfWork(books), disbursement_id, APPROVER)
    assert too_late.value.field == "status" and "withdrawn" in str(too_late.value)
    with pytest.raises(Refused):
        await withdraw_disbursement(UnitOfWork(books), disbursement_id, "再撤一次", CLERK)
    assert (await balances(books, fund))["holding"][0] == 1_000
    [event] = await emitted(books, "disbursement.withdrawn")
    assert event.payload == {
        "disbursement_id": str(disbursement_id), "fund_id": str(fund), "reason": "金额填错"
    } and event.actor == "clerk-1"  # fmt: skip

    paid = await request_disbursement(UnitOfWork(books), fund, request, CLERK)
    await approve_disbursement(UnitOfWork(books), uuid.UUID(paid.id), APPROVER)
    with pytest.raises(Refused) as approved:
        await withdraw_disbursement(UnitOfWork(books), uuid.UUID(paid.id), "撤回", CLERK)
    assert approved.value.field == "status"
    assert (await balances(books, fund))["holding"][0] == 600


async def test_disbursements_are_traced_to_their_donations_first_in_first_out(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books, threshold_fen=1_000)
    person = await on_ledger(books)
    donations = [await give(books, fund, amount) for amount in (700, 500, 800)]
    first = await pay(books, fund, 900, person_id=person)
    second = await pay(books, fund, 600, project_id="well-3")

    async with books() as session:
        from_first = await trails_of_disbursement(session, first)
        from_second = await trails_of_disbursement(session, second)
        to_middle = await trails_of_donation(session, donations[1].id)
        to_person = await trails_to_person(session, person, "4207")
    assert [(str(t.donation_id), t.amount_fen) for t in from_first] == [
        (donations[0].id, 700), (donations[1].id, 200),
    ]  # fmt: skip
    assert [(str(t.donation_id), t.amount_fen) for t in from_second] == [
        (donations[1].id, 300), (donations[2].id, 300),
    ]  # fmt: skip
    assert sorted(t.amount_fen for t in to_middle) == [200, 300]
    assert sum(t.amount_fen for t in to_person) == 900
    with pytest.raises(Refused) as spent:
        await refund(UnitOfWork(books), uuid.UUID(donations[0].id), "退回", CLERK)
    assert spent.value.field == "donation_id"
    low = await emitted(books, "fund.balance_low")
    assert [(e.payload["balance_fen"], e.payload["threshold_fen"]) for e in low] == [(500, 1_000)]
