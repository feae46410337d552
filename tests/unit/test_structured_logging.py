"""Log lines are JSON with the service and the current trace; lines below the level are
dropped before any processor runs."""

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from wushe.shared.structured_logging import setup_logging


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.configure(**config)
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_line_carries_the_service_and_the_trace(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("ledger", "INFO")
    tracer = TracerProvider().get_tracer(__name__)
    with tracer.start_as_current_span("apply") as span:
        structlog.get_logger("wushe.test").info("file opened", person_id="p-1")
    [line] = lines(capsys.readouterr().err)
    assert line["event"] == "file opened" and line["person_id"] == "p-1"
    assert line["service"] == "ledger" and line["level"] == "info"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")


def test_lines_below_the_level_are_dropped_before_they_are_enriched(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_logging("notify", "WARNING")
    enriched: list[str] = []
    current_span = trace.get_current_span

    def looked_up() -> trace.Span:
        enriched.append("trace context")
        return current_span()

    monkeypatch.setattr(trace, "get_current_span", looked_up)
    log = structlog.get_logger("wushe.test")
    log.info("alert delivery attempt", alert_id="a-1")
    assert enriched == [], "a line not shown costs no processing"
    log.warning("partner unreachable", partner_id="p-1")
    assert enriched == ["trace context"]
    assert [line["event"] for line in lines(capsys.readouterr().err)] == ["partner unreachable"]
