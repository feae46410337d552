"""Key rotation covers every sealed column of every service: a column that holds values
sealed with the FieldCipher and is not declared in its service's
``adapters/sealed_columns.py`` fails here, as its values would be lost with the old key.

A column counts as sealed when its name ends in ``_encrypted`` or ``_sealed``, or when
the service's code seals a value with its ``<table>.<column>`` as the associated data
(the ledger keeps its sealed texts under plain names, ``ledger_visits.findings``).
"""

import ast
import importlib
import pkgutil
from pathlib import Path

from sqlalchemy import MetaData

from wushe.cli.key_rotation import ServiceChoice
from wushe.cli.key_rotation_run import sealed_tables
from wushe.shared.messaging_tables import messaging_metadata
from wushe.shared.settings import SERVICE_NAMES

SEALING_METHODS = {"encrypt", "seal", "seal_bytes"}
SEALED_SUFFIXES = ("_encrypted", "_sealed")


def _metadata_of(service: str) -> MetaData:
    adapters = importlib.import_module(f"wushe.{service}.adapters")
    for module in pkgutil.iter_modules(adapters.__path__):
        importlib.import_module(f"{adapters.__name__}.{module.name}")
    orm = importlib.import_module(f"wushe.{service}.adapters.orm")
    metadata: MetaData = orm.metadata
    return metadata


def _columns(metadata: MetaData) -> set[str]:
    return {f"{table.name}.{column.name}"
            for table in metadata.tables.values() for column in table.columns}  # fmt: skip


def _context_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in ("column", "context"):
            return keyword.value
    return call.args[1] if len(call.args) > 1 else None


def _module_name(service: str, path: Path, root: Path) -> str:
    return ".".join(("wushe", service, *path.relative_to(root).with_suffix("").parts))


def _sealing_contexts(service: str) -> set[str]:
    """Every associated data the service's code (migrations included) seals a value with,
    where it is a string literal or a module-level constant."""
    root = Path(importlib.import_module(f"wushe.{service}").__file__ or "").parent
    contexts = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in SEALING_METHODS:
                continue
            argument = _context_argument(node)
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                contexts.add(argument.value)
            elif isinstance(argument, ast.Name) and "migrations" not in path.parts:
                value = getattr(importlib.import_module(_module_name(service, path, root)),
                                argument.id, None)  # fmt: skip
                if isinstance(value, str):
                    contexts.add(value)
    return contexts


def _sealed_columns(service: str) -> set[str]:
    columns = _columns(_metadata_of(service))
    named = {column for column in columns if column.endswith(SEALED_SUFFIXES)}
    return named | (columns & _sealing_contexts(service))


def _declared(service: str) -> dict[str, str]:
    return {f"{spec.name}.{column.name}": column.associated_data
            for spec in sealed_tables(service) for column in spec.columns}  # fmt: skip


def test_the_sealing_of_each_kind_is_found() -> None:
    assert "persons.full_name_encrypted" in _sealed_columns("intake")
    assert {"donors.name_encrypted", "goods_movements.donor_sealed"} <= _sealed_columns("charity")
    assert {"ledger_visits.findings", "ledger_case_steps.note"} <= _sealed_columns("ledger")
    assert "partner_secrets.sealed_secret" in _sealed_columns("notify")


def test_every_sealed_column_of_every_service_is_rotated() -> None:
    for service in SERVICE_NAMES:
        assert set(_declared(service)) == _sealed_columns(service), service


def test_each_column_is_opened_with_what_its_service_seals_it_with() -> None:
    for service in SERVICE_NAMES:
        declared = _declared(service)
        contexts = _sealing_contexts(service)
        assert set(declared.values()) <= contexts, service
        for column, associated_data in declared.items():
            # Bound to its own table, so that a value copied into another table never opens.
            assert associated_data.partition(".")[0] == column.partition(".")[0], column


def test_a_context_naming_a_table_of_the_service_is_a_rotated_column() -> None:
    for service in SERVICE_NAMES:
        tables = set(_metadata_of(service).tables)
        naming = {context for context in _sealing_contexts(service)
                  if context.partition(".")[0] in tables}  # fmt: skip
        assert naming <= set(_declared(service).values()), service


def test_the_shared_messaging_tables_hold_no_sealed_column() -> None:
    assert {column for column in _columns(messaging_metadata)
            if column.endswith(SEALED_SUFFIXES)} == set()  # fmt: skip


def test_every_service_can_be_chosen() -> None:
    assert {choice.value for choice in ServiceChoice} == {*SERVICE_NAMES, "all"}
