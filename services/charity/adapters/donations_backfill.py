"""For the migration to double-entry accounts: seal the donor names kept in clear, open
every fund's standard accounts and post each existing donation to its journal."""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from uuid_utils.compat import uuid7

from wushe.charity.domain.accounts import UNRESTRICTED, donations_code, standard_accounts
from wushe.charity.domain.donation import Channel, DonorKind
from wushe.shared.settings import Settings

MIGRATED_BY = "migration charity_0002"


def post_existing_donations(connection: Connection) -> None:
    cipher = Settings().field_cipher()
    now = datetime.now(UTC)
    for fund_id, region in connection.execute(sa.text("SELECT id, region_code FROM funds")).all():
        accounts = _open_standard_accounts(connection, fund_id, now)
        donations = connection.execute(
            sa.text(
                "SELECT id, amount_fen, channel, donor_name, received_at FROM donations "
                "WHERE fund_id = :fund ORDER BY received_at, id"
            ),
            {"fund": fund_id},
        ).all()
        for donation_id, amount, channel, donor_name, received_at in donations:
            donor_id = None
            if donor_name:
                donor_id = str(uuid7())
                _insert(connection, "donors", id=donor_id, kind=DonorKind.INDIVIDUAL.value,
                        name_encrypted=cipher.encrypt(donor_name, "donors.name"),
                        contact_encrypted=None, region_code=region, recorded_by=MIGRATED_BY,
                        recorded_at=now)  # fmt: skip
            entry_id = str(uuid7())
            _insert(connection, "journal_entries", id=entry_id, fund_id=fund_id,
                    kind="donation", posted_at=received_at, posted_by=MIGRATED_BY,
                    reversal_of=None)  # fmt: skip
            holding, source = accounts[UNRESTRICTED], accounts[donations_code(Channel(channel))]
            for account_id, line in ((holding, amount), (source, -amount)):
                _insert(connection, "journal_lines", entry_id=entry_id, account_id=account_id,
                        amount_fen=line)  # fmt: skip
                connection.execute(
                    sa.text("UPDATE accounts SET balance_fen = balance_fen + :d WHERE id = :id"),
                    {"d": line, "id": account_id},
                )
            connection.execute(
                sa.text(
                    "UPDATE donations SET donor_id = :donor, donor_name = NULL, "
                    "account_id = :account, entry_id = :entry, unallocated_fen = amount_fen, "
                    "status = 'received' WHERE id = :id"
                ),
                {"donor": donor_id, "account": holding, "entry": entry_id, "id": donation_id},
            )


def _open_standard_accounts(connection: Connection, fund_id: str, now: datetime) -> dict[str, str]:
    opened = {}
    for code, kind in standard_accounts():
        opened[code] = str(uuid7())
        _insert(connection, "accounts", id=opened[code], fund_id=fund_id, code=code,
                kind=kind.value, holding=kind.value == "holding", restriction_kind=None,
                restriction_target=None, balance_fen=0, opened_at=now)  # fmt: skip
    return opened


def _insert(connection: Connection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    connection.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"), values)
