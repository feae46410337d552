"""Bad input is a 422 that names the field, and nothing is written."""

import pytest

from support.running_stack import RunningStack, count_rows


def written(stack: RunningStack) -> tuple[int, int]:
    url = stack.database_urls["intake"]
    return (count_rows(url, "SELECT COUNT(*) FROM persons"),
            count_rows(url, "SELECT COUNT(*) FROM outbox"))  # fmt: skip


VALID = {
    "full_name": "赵六",
    "residence_region": "420704",
    "household_region": "420704",
    "groups": ["subsistence_allowance"],
}


def without(field: str) -> dict[str, object]:
    return {name: value for name, value in VALID.items() if name != field}


@pytest.mark.parametrize(
    "body,field",
    [
        (without("full_name"), "full_name"),
        (VALID | {"residence_region": "999999"}, "residence_region"),
        (VALID | {"residence_region": "4207"}, "residence_region"),
        (without("household_region"), "household_region"),
        (VALID | {"groups": ["astronaut"]}, "groups"),
        (VALID | {"id_number": "420704195003120025"}, "id_number"),
        (VALID | {"shoe_size": 42}, "shoe_size"),
        (VALID | {"groups": ["child_left_behind"], "birth_date": "1990-01-01"}, "groups"),
        (VALID | {"id_number": "42070419500312002X", "birth_date": "1951-03-12"}, "birth_date"),
        (VALID | {"phone": "12345"}, "phone"),
        (VALID | {"groups": ["disabled"]}, "profiles"),
        (VALID | {"groups": ["disabled"],
                  "profiles": {"disability": {"category": "visual", "grade": 5}}}, "profiles"),
        (VALID | {"profiles": {"homeless": {"found_at": "车站", "found_on": "2026-11-01"}}},
         "profiles"),
    ],
)  # fmt: skip
def test_invalid_registration_is_422_naming_the_field(
    running_stack: RunningStack, body: dict[str, object], field: str
) -> None:
    before = written(running_stack)
    response = running_stack.request("POST", "intake", "/persons", json=body)
    assert response.status_code == 422, response.text
    locations = [error["loc"] for error in response.json()["detail"]]
    assert any(field in location for location in locations), locations
    assert written(running_stack) == before


def test_malformed_json_is_422_and_writes_nothing(running_stack: RunningStack) -> None:
    before = written(running_stack)
    response = running_stack.request(
        "POST", "intake", "/persons", content=b'{"full_name": "x",',
        headers={**running_stack.headers(), "content-type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    assert written(running_stack) == before


def test_donation_in_float_yuan_is_rejected(running_stack: RunningStack) -> None:
    response = running_stack.request(
        "POST", "charity", "/funds/00000000-0000-7000-8000-000000000000/donations",
        json={"amount_fen": 12.5, "channel": "cash"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "amount_fen"]
