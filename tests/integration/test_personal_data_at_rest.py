"""Names, ID numbers and phones never reach the database in clear."""

from sqlalchemy import select, text

from integration.conftest import MigratedDatabase
from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.bootstrap import MIGRATIONS
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.registration import register_person
from wushe.shared.auth import Caller, Role
from wushe.shared.events import Producer
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

SECRETS = ("王秀兰", "42070419500312002X", "13800138000")


async def test_identifying_fields_are_encrypted_and_found_by_blind_index(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    vault = PersonalDataVault(Settings().field_cipher(), "index-key")
    registration = PersonRegistration(
        full_name="王秀兰", id_number="42070419500312002X", phone="138 0013 8000",
        residence_region="420704", household_region="420704", groups=["elderly_empty_nest"],
    )  # fmt: skip
    person_id = await register_person(
        UnitOfWork(sessions), registration,
        caller=Caller(subject="clerk", role=Role.STATION_STAFF, region="420704"),
        producer=Producer(service="intake", deployment="test"), vault=vault,
    )  # fmt: skip

    async with sessions() as session:
        rows = (await session.execute(text("SELECT * FROM persons"))).all()
        outbox = (await session.execute(text("SELECT body FROM outbox"))).all()
        stored = " ".join(str(value) for row in [*rows, *outbox] for value in row)
        for secret in SECRETS:
            assert secret not in stored
        record = await session.scalar(
            select(PersonRecord).where(PersonRecord.full_name_index == vault.name_index("王秀兰"))
        )
    assert record is not None and record.id == str(person_id)
    assert vault.full_name(record) == "王秀兰"
    assert vault.id_number(record) == "42070419500312002X"
    assert vault.phone(record) == "13800138000"
    assert record.id_number_masked == "420704********002X"
    assert record.phone_masked == "138****8000"
