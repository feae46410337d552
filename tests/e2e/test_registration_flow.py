"""A registration travels intake → ledger → notify → partner webhook, in one trace."""

import asyncio
import json

from support.running_stack import RunningStack, wait_for
from wushe.cli.topic_reader import read_topic

PERSON = {
    "full_name": "张秀英",
    "birth_date": "1950-03-12",
    "residence_region": "420704",
    "household_region": "420704",
    "groups": ["elderly_living_alone"],
}


def test_registration_opens_a_file_and_alerts_the_partner_in_one_trace(
    running_stack: RunningStack,
) -> None:
    registered = running_stack.post("intake", "/persons", PERSON)
    person_id, trace_id = registered["person_id"], registered["trace_id"]

    file = wait_for(
        lambda: running_stack.found("ledger", f"/files/{person_id}"),
        timeout=30,
        what="the ledger file",
    )
    assert file["region_code"] == "420704"
    assert file["status"] == "open"

    alerts = wait_for(lambda: running_stack.alerts_for(person_id), timeout=30, what="the alert")
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["type"] == "ledger.file_opened"
    assert alert["data"]["file_id"] == file["file_id"]
    assert "full_name" not in alert["data"] and "张秀英" not in str(alert)

    expected_spans = {
        "POST /persons": "intake",
        "outbox relay person.registered": "intake",
        "outbox relay ledger.file_opened": "ledger",
        "deliver ledger.file_opened": "notify",
    }

    def whole_trace() -> list[dict[str, object]] | None:
        # Each service exports its spans in batches, so they reach the file in any order.
        spans = running_stack.spans(trace_id)
        found = {(span["name"], span["service"]) for span in spans}
        return spans if set(expected_spans.items()) <= found else None

    spans = wait_for(whole_trace, timeout=15, what="spans of intake, ledger and notify")
    assert {"intake", "ledger", "notify"} <= {span["service"] for span in spans}
    assert alert["headers"]["traceparent"].split("-")[1] == trace_id


def test_the_response_carries_the_trace_id_header(running_stack: RunningStack) -> None:
    response = running_stack.request("POST", "intake", "/persons", json=PERSON)
    assert response.status_code == 201
    assert response.headers["x-trace-id"] == response.json()["trace_id"]


def test_metrics_show_throughput_lag_backlog_and_deliveries(running_stack: RunningStack) -> None:
    registered = running_stack.post("intake", "/persons", PERSON)
    wait_for(lambda: running_stack.alerts_for(registered["person_id"]), timeout=30, what="alert")
    ledger = running_stack.get("ledger", "/metrics").text
    assert "wushe_consumer_lag{" in ledger
    assert "wushe_outbox_backlog" in ledger
    assert "faststream_received_messages_total" in ledger
    notify = running_stack.get("notify", "/metrics").text
    series = 'wushe_alert_deliveries_total{outcome="delivered"}'
    delivered = [line for line in notify.splitlines() if line.startswith(series)]
    assert delivered and float(delivered[0].rsplit(" ", 1)[1]) >= 1


def test_identity_is_derived_masked_and_never_published(running_stack: RunningStack) -> None:
    number, phone = "42070419500312002X", "13800138000"
    registered = running_stack.post(
        "intake",
        "/persons",
        {"full_name": "王秀兰", "id_number": number, "phone": phone,
         "residence_region": "420704", "household_region": "420704",
         "groups": ["elderly_empty_nest"]},
    )  # fmt: skip
    person = running_stack.get("intake", f"/persons/{registered['person_id']}").json()
    assert person["birth_date"] == "1950-03-12" and person["sex"] == "female"
    assert person["id_number_masked"] == "420704********002X"
    assert person["phone_masked"] == "138****8000"

    again = running_stack.request(
        "POST", "intake", "/persons",
        json={"full_name": "王秀兰", "id_number": number.lower(), "residence_region": "420704",
              "household_region": "420704", "groups": ["subsistence_allowance"]},
    )  # fmt: skip
    assert again.status_code == 409
    assert again.json()["detail"]["person_id"] == registered["person_id"]

    wait_for(lambda: running_stack.alerts_for(registered["person_id"]), timeout=30, what="alert")
    for topic in ("intake.person", "ledger.file"):
        records = asyncio.run(read_topic(running_stack.bootstrap, running_stack.topic(topic)))
        published = b"".join(record.value for record in records)
        assert registered["person_id"].encode() in published
        for secret in (number, number[:17], phone, "王秀兰"):
            for form in (secret.encode(), json.dumps(secret)[1:-1].encode()):
                assert form not in published, f"{secret} travelled on {topic}"
