"""The comparison a rebuild is checked with finds a changed, a missing and an extra row,
compares JSON as values and reads every ledger table but the messaging ones."""

from datetime import UTC, date, datetime

from sqlalchemy import insert

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.adapters.orm import ConsentRecord, LedgerFileRecord, TimelineEntryRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer.projection_comparison import compare_databases, ledger_tables
from wushe.shared.messaging_tables import processed_events

OPENED = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def a_file(person_id: str, **changes: object) -> LedgerFileRecord:
    fields: dict[str, object] = {
        "id": f"file-{person_id}", "person_id": person_id, "region_code": "420704001003",
        "groups": ["elderly_living_alone"], "status": "open", "opened_at": OPENED,
        "opened_by_event": f"event-{person_id}", "trace_id": None,
    }  # fmt: skip
    return LedgerFileRecord(**(fields | changes))


def a_consent(consent_id: str) -> ConsentRecord:
    return ConsentRecord(consent_id=consent_id, person_id="p1", purpose="publicity",
                         recipient_kind="any", valid_from=date(2026, 1, 1))  # fmt: skip


def an_entry(details: dict[str, object]) -> TimelineEntryRecord:
    return TimelineEntryRecord(
        event_id="e1", person_id="p1", event_type="person.registered", occurred_at=OPENED,
        source="intake", actor="clerk", region_code="420704", trace_id=None, details=details,
    )  # fmt: skip


async def fill(sessions: Sessions, *records: object, processed: int = 0) -> str:
    async with sessions() as session:
        session.add_all(records)
        for number in range(processed):
            await session.execute(
                insert(processed_events).values(consumer="ledger", event_id=f"e{number}",
                                                event_type="x", processed_at=OPENED)
            )  # fmt: skip
        await session.commit()
    url: str = sessions.kw["bind"].url.render_as_string(hide_password=False)
    return url


async def test_changed_missing_and_extra_rows_are_reported(
    migrated_database: MigratedDatabase,
) -> None:
    # Upper case sorts first byte-wise, last in most locales: the rows must meet anyway.
    consents = ("Zeta-consent", "alpha-consent")
    now = await fill(
        await migrated_database("ledger", MIGRATIONS),
        a_file("p1"), a_file("p2"), a_file("p3", groups=["a", "b"]),
        *(a_consent(consent) for consent in consents),
        an_entry({"groups": ["a"], "to_region": "420702"}),
        processed=3,
    )  # fmt: skip
    rebuilt = await fill(
        await migrated_database("ledger-rebuilt", MIGRATIONS),
        a_file("p1"), a_file("p2", region_code="420702001001"), a_file("p4"),
        *(a_consent(consent) for consent in reversed(consents)),
        an_entry({"to_region": "420702", "groups": ["a"]}),
        processed=1,
    )  # fmt: skip

    comparisons = {c.table: c for c in await compare_databases(now, rebuilt)}

    assert set(comparisons) == {table.name for table in ledger_tables()}
    assert {"ledger_files", "ledger_timeline", "ledger_consents"} <= set(comparisons)
    files = comparisons["ledger_files"]
    assert (files.expected_rows, files.found_rows) == (3, 3)
    assert (files.changed, files.missing, files.extra) == (1, 1, 1)
    assert [(d.kind, d.key, d.columns) for d in files.examples] == [
        ("changed", ("file-p2",), ["region_code"]),
        ("missing", ("file-p3",), list(files.examples[1].expected or {})),
        ("extra", ("file-p4",), list(files.examples[2].found or {})),
    ]
    assert files.examples[1].found is None and files.examples[2].expected is None
    others = [c for table, c in comparisons.items() if table != "ledger_files"]
    assert [(c.table, c.differences) for c in others if c.differences] == []
    assert comparisons["ledger_consents"].found_rows == 2
