"""`wushe rotate-keys`: every service's database in one run, one service with
``--service``, and no database changed when one of them cannot be rotated."""

import asyncio
import base64
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from integration.test_key_rotation_services import (
    FINDINGS,
    KEYS,
    add_donors,
    add_partner_secret,
    cipher,
    record_a_visit,
)
from wushe.charity.bootstrap import MIGRATIONS as CHARITY_MIGRATIONS
from wushe.cli import main as cli_main
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.bootstrap import MIGRATIONS as INTAKE_MIGRATIONS
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.registration import register_person
from wushe.ledger.bootstrap import MIGRATIONS as LEDGER_MIGRATIONS
from wushe.notify.bootstrap import MIGRATIONS as NOTIFY_MIGRATIONS
from wushe.shared.auth import Caller, Role
from wushe.shared.db import create_engine, session_factory
from wushe.shared.events import Producer
from wushe.shared.migrations import upgrade_to_head
from wushe.shared.unit_of_work import UnitOfWork

MIGRATIONS = {"intake": INTAKE_MIGRATIONS, "ledger": LEDGER_MIGRATIONS,
              "charity": CHARITY_MIGRATIONS, "notify": NOTIFY_MIGRATIONS}  # fmt: skip
CLERK = Caller(subject="clerk", role=Role.STATION_STAFF, region="420704")
PERSON = {
    "full_name": "张伟", "residence_region": "420704", "household_region": "420704",
    "groups": ["subsistence_allowance"],
}  # fmt: skip


async def register(url: str) -> None:
    engine = create_engine(url)
    try:
        await register_person(
            UnitOfWork(session_factory(engine)), PersonRegistration.model_validate(PERSON),
            caller=CLERK, producer=Producer(service="intake", deployment="test"),
            vault=PersonalDataVault(cipher("k1"), "index-key"),
        )  # fmt: skip
    finally:
        await engine.dispose()


async def seed_the_others(urls: dict[str, str]) -> None:
    """Two donors in charity, a visit in the ledger, a webhook secret in notify, under k1."""
    engines = {service: create_engine(urls[service]) for service in ("ledger", "charity", "notify")}
    try:
        sessions = {service: session_factory(engine) for service, engine in engines.items()}
        await add_donors(sessions["charity"], cipher("k1"))
        await record_a_visit(sessions["ledger"], cipher("k1"), FINDINGS)
        await add_partner_secret(sessions["notify"], cipher("k1"))
    finally:
        for engine in engines.values():
            await engine.dispose()


def key_ids_in(database: Path, table: str, column: str) -> set[str]:
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(f"SELECT {column} FROM {table}").fetchall()
    finally:
        connection.close()
    return {value.partition(":")[0] for (value,) in rows if value is not None}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    encoded = ",".join(f"{key_id}={base64.b64encode(KEYS[key_id]).decode()}"
                       for key_id in ("k1", "k2"))  # fmt: skip
    monkeypatch.setenv("WUSHE_ENCRYPTION_KEYS", encoded)
    monkeypatch.setenv("WUSHE_ENCRYPTION_KEY_ID", "k2")
    monkeypatch.setattr(cli_main, "console", Console(width=200))
    return CliRunner()


def databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *services: str) -> dict[str, str]:
    urls = {}
    for service in services:
        urls[service] = f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}"
        upgrade_to_head(MIGRATIONS[service], urls[service])
        monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", urls[service])
    return urls


def test_every_service_is_rotated_and_one_can_be_rotated_alone(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = databases(tmp_path, monkeypatch, *MIGRATIONS)
    asyncio.run(register(urls["intake"]))
    asyncio.run(seed_the_others(urls))

    dry = runner.invoke(cli_main.app, ["rotate-keys", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    for service in MIGRATIONS:
        assert f"{service}: values per key id" in dry.output
    assert "dry run: nothing was changed" in dry.output
    # A name in intake, two names and a contact in charity, findings, a webhook secret.
    assert "6 values are under keys other than the current 'k2': 'k1' (6); run " in dry.output
    assert key_ids_in(tmp_path / "charity.db", "donors", "name_encrypted") == {"k1"}

    charity = runner.invoke(cli_main.app, ["rotate-keys", "--service", "charity"])
    assert charity.exit_code == 0, charity.output
    assert "charity: re-encrypted under key 'k2'" in charity.output
    assert "intake:" not in charity.output and "ledger:" not in charity.output
    assert "every value of charity is under key 'k2'" in charity.output
    assert key_ids_in(tmp_path / "charity.db", "donors", "name_encrypted") == {"k2"}
    assert key_ids_in(tmp_path / "intake.db", "persons", "full_name_encrypted") == {"k1"}
    alias = runner.invoke(cli_main.app, ["intake", "rotate-keys", "--dry-run"])
    assert "1 value is under keys other than the current 'k2': 'k1' (1)" in alias.output
    assert "run `wushe rotate-keys --service intake`" in alias.output

    rotated = runner.invoke(cli_main.app, ["rotate-keys"])
    assert rotated.exit_code == 0, rotated.output
    assert "ledger: re-encrypted under key 'k2'" in rotated.output
    assert "every value is under key 'k2'" in rotated.output
    assert key_ids_in(tmp_path / "intake.db", "persons", "full_name_encrypted") == {"k2"}
    assert key_ids_in(tmp_path / "ledger.db", "ledger_visits", "findings") == {"k2"}
    assert key_ids_in(tmp_path / "notify.db", "partner_secrets", "sealed_secret") == {"k2"}
    again = runner.invoke(cli_main.app, ["rotate-keys", "--dry-run"])
    assert again.exit_code == 0, again.output
    assert "no value is under 'k1': it can be removed from WUSHE_ENCRYPTION_KEYS" in again.output


def test_no_database_is_changed_when_one_is_missing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = databases(tmp_path, monkeypatch, "intake", "charity", "notify")
    asyncio.run(register(urls["intake"]))
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")

    result = runner.invoke(cli_main.app, ["rotate-keys"])

    assert result.exit_code == 1
    assert "ledger has no database at" in result.output
    assert key_ids_in(tmp_path / "intake.db", "persons", "full_name_encrypted") == {"k1"}
    assert not (tmp_path / "none.db").exists()
