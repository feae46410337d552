"""Key rotation covers every encrypted column: a new `*_encrypted` column anywhere fails
here until it is added to the rotation (or the rotation learns another service)."""

import importlib
import pkgutil

from sqlalchemy import MetaData

from wushe.intake.service_layer.key_rotation import ENCRYPTED_TABLES
from wushe.shared.messaging_tables import messaging_metadata

SERVICES = ("intake", "ledger", "charity", "notify")


def _metadata_of(service: str) -> MetaData:
    adapters = importlib.import_module(f"wushe.{service}.adapters")
    for module in pkgutil.iter_modules(adapters.__path__):
        importlib.import_module(f"{adapters.__name__}.{module.name}")
    orm = importlib.import_module(f"wushe.{service}.adapters.orm")
    metadata: MetaData = orm.metadata
    return metadata


def _encrypted_columns(metadata: MetaData) -> set[str]:
    return {
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_encrypted")
    }


def test_every_encrypted_column_of_intake_is_rotated() -> None:
    rotated = {f"{spec.name}.{column.name}" for spec in ENCRYPTED_TABLES for column in spec.columns}
    assert _encrypted_columns(_metadata_of("intake")) == rotated


def test_no_other_service_stores_encrypted_columns() -> None:
    for service in SERVICES[1:]:
        assert _encrypted_columns(_metadata_of(service)) == set(), service
    assert _encrypted_columns(messaging_metadata) == set()


def test_associated_data_names_the_column_it_seals() -> None:
    for spec in ENCRYPTED_TABLES:
        for column in spec.columns:
            assert column.associated_data == f"{spec.name}.{column.name.removesuffix('_encrypted')}"
