"""Upgrading a charity database kept before the double-entry accounts: donor names leave
the clear column for sealed donor rows, and every donation is posted to its fund's journal."""

import asyncio

from alembic import command
from sqlalchemy import text

from wushe.charity.adapters.orm import DonorRecord
from wushe.charity.bootstrap import MIGRATIONS
from wushe.charity.service_layer.donors import opened
from wushe.shared.db import create_engine, session_factory
from wushe.shared.migrations import alembic_config
from wushe.shared.settings import Settings

FUND = (
    "INSERT INTO funds (id, code, name, region_code, manager_partner_ids, opened_at) "
    "VALUES ('f1', 'EC-CF', '鄂城区社区慈善基金', '420704', '[]', CURRENT_TIMESTAMP)"
)
DONATION = (
    "INSERT INTO donations (id, fund_id, amount_fen, channel, donor_name, anonymous, "
    "receipt_number, received_by, received_at) VALUES (:id, 'f1', :amount, :channel, :donor, "
    ":anonymous, :receipt, 'clerk', CURRENT_TIMESTAMP)"
)


async def test_donor_names_are_sealed_and_donations_posted(empty_database: str) -> None:
    url = empty_database
    config = alembic_config(MIGRATIONS, url)
    await asyncio.to_thread(command.upgrade, config, "charity_0001")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(FUND))
            for number, (amount, channel, donor) in enumerate(
                [(12_345, "cash", "李四"), (1, "bank_transfer", None), (700, "cash", "王五")], 1
            ):
                await connection.execute(text(DONATION), {
                    "id": f"d{number}", "amount": amount, "channel": channel, "donor": donor,
                    "anonymous": donor is None, "receipt": f"EC-CF-2026-{number:06d}",
                })  # fmt: skip
        await asyncio.to_thread(command.upgrade, config, "heads")
        async with session_factory(engine)() as session:
            raw = str((await session.execute(text("SELECT * FROM donations"))).all())
            donors = (await session.execute(text("SELECT id FROM donors"))).scalars().all()
            names = [
                opened(record, Settings().field_cipher()).name
                for record in [await session.get(DonorRecord, donor) for donor in donors]
                if record is not None
            ]
            rows = await session.execute(text("SELECT code, balance_fen FROM accounts"))
            accounts = {code: balance for code, balance in rows.all()}
            lines = (
                await session.execute(
                    text("SELECT entry_id, SUM(amount_fen) FROM journal_lines GROUP BY entry_id")
                )
            ).all()
    finally:
        await engine.dispose()
    assert "李四" not in raw and "王五" not in raw
    assert sorted(names) == sorted(["李四", "王五"])
    assert accounts["holding"] == 13_046
    assert accounts["donations:cash"] == -13_045 and accounts["donations:bank_transfer"] == -1
    assert len(lines) == 3 and all(total == 0 for _, total in lines)
