"""The committed AsyncAPI documents are what the code generates: contract and code agree."""

import json
from pathlib import Path

import pytest

from wushe.cli.contracts import generated_documents, render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


@pytest.fixture(scope="module")
def generated() -> dict[str, dict[str, object]]:
    return generated_documents()


@pytest.mark.parametrize("service", ["intake", "ledger", "charity", "notify"])
def test_committed_document_matches_the_code(
    generated: dict[str, dict[str, object]], service: str
) -> None:
    committed = (COMMITTED / f"{service}.json").read_text(encoding="utf-8")
    assert render(generated[service]) == committed, (
        f"the {service} event contract changed: run `make asyncapi` and review the diff; "
        "a breaking change needs a new schema version"
    )


def test_every_published_event_is_documented_with_its_payload(
    generated: dict[str, dict[str, object]],
) -> None:
    schemas = json.dumps(generated)
    for payload in ("PersonRegistered", "LedgerFileOpened", "FundOpened", "DonationReceived"):
        assert f'"{payload}Event"' in schemas
