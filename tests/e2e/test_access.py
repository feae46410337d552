"""Bearer tokens: none or a bad one is 401, another region's is 403."""

import pytest

from support.running_stack import RunningStack
from wushe.shared.auth import Role, mint_token
from wushe.shared.settings import Settings

PERSON = {
    "full_name": "王五",
    "residence_region": "420704",
    "household_region": "420704",
    "groups": ["subsistence_allowance"],
}


@pytest.mark.parametrize(
    "service,path",
    [("intake", "/persons"), ("ledger", "/files"), ("notify", "/alerts"), ("notify", "/partners")],
)
def test_missing_token_is_401(running_stack: RunningStack, service: str, path: str) -> None:
    response = running_stack.request("GET", service, path, headers={})
    assert response.status_code == 401
    assert "bearer" in response.text.lower()


def test_token_signed_with_another_secret_is_401(running_stack: RunningStack) -> None:
    forged = mint_token(
        Settings(jwt_secret="another-secret-of-enough-length-000000"),
        subject="intruder", role=Role.ADMIN, region="420700",
    )  # fmt: skip
    response = running_stack.request(
        "POST", "intake", "/persons", json=PERSON, headers=running_stack.headers(forged)
    )
    assert response.status_code == 401


def test_garbage_token_is_401(running_stack: RunningStack) -> None:
    response = running_stack.request(
        "GET", "ledger", "/files", headers={"Authorization": "Bearer x"}
    )
    assert response.status_code == 401


def test_token_for_another_region_is_403(running_stack: RunningStack) -> None:
    beijing = running_stack.token(Role.STATION_STAFF, region="110101")
    response = running_stack.request(
        "POST", "intake", "/persons", json=PERSON, headers=running_stack.headers(beijing)
    )
    assert response.status_code == 403
    assert "420704" in response.text


def test_reads_are_scoped_by_region(running_stack: RunningStack) -> None:
    person = running_stack.post("intake", "/persons", PERSON)
    other_district = running_stack.token(Role.SOCIAL_WORKER, region="420702")
    response = running_stack.request(
        "GET", "intake", f"/persons/{person['person_id']}",
        headers=running_stack.headers(other_district),
    )  # fmt: skip
    assert response.status_code == 403
    listed = running_stack.request(
        "GET", "intake", "/persons", headers=running_stack.headers(other_district)
    ).json()
    assert all(p["residence_region"].startswith("420702") for p in listed["items"])
    assert person["person_id"] not in {p["person_id"] for p in listed["items"]}


def test_health_and_docs_need_no_token(running_stack: RunningStack) -> None:
    for path in ("/health", "/ready", "/docs", "/openapi.json", "/asyncapi.json", "/metrics"):
        assert running_stack.request("GET", "ledger", path, headers={}).status_code == 200


def test_unmasked_identifiers_need_a_role_and_a_purpose_and_are_logged(
    running_stack: RunningStack,
) -> None:
    number = "420704201503010028" if running_stack.backend == "sqlite" else "420704201503010044"
    person = running_stack.post(
        "intake", "/persons",
        {"full_name": "刘小红", "id_number": number, "phone": "13912345678",
         "residence_region": "420704", "household_region": "420704",
         "groups": ["child_left_behind"]},
    )  # fmt: skip
    path = f"/persons/{person['person_id']}"
    masked = running_stack.get("intake", path).json()
    assert masked["id_number"] is None
    assert masked["id_number_masked"] == number[:6] + "*" * 8 + number[-4:]
    assert masked["phone"] is None and masked["phone_masked"] == "139****5678"

    worker = running_stack.headers(running_stack.token(Role.SOCIAL_WORKER, region="420704"))
    no_reason = running_stack.request(
        "GET", "intake", path, params={"reveal": ["id_number"]}, headers=worker
    )
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"][-1] == "purpose"

    revealed = running_stack.request(
        "GET", "intake", path, headers=worker,
        params={"reveal": ["id_number", "phone"], "purpose": "家访前核实身份"},
    )  # fmt: skip
    assert revealed.status_code == 200
    assert revealed.json()["id_number"] == number and revealed.json()["phone"] == "13912345678"

    auditor = running_stack.headers(running_stack.token(Role.AUDITOR))
    refused = running_stack.request(
        "GET", "intake", path, headers=auditor, params={"reveal": ["phone"], "purpose": "查看"}
    )
    assert refused.status_code == 403
    partner = running_stack.headers(running_stack.token(Role.PARTNER))
    assert running_stack.request("GET", "intake", path, headers=partner).status_code == 403

    reads = running_stack.request("GET", "intake", f"{path}/reads", headers=auditor).json()
    assert [(r["reader"], r["fields"], r["purpose"]) for r in reads] == [
        ("test-social_worker", ["id_number", "phone"], "家访前核实身份")
    ]
