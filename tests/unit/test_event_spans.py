"""Applied events' spans: children of their producers' spans, made current while the
event is applied, sampled as the provider decides, marked when applying fails. A relay's
sending: a span linked to the traces of the messages it sent."""

import time

import pytest
from opentelemetry import propagate
from opentelemetry.sdk.trace import SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from opentelemetry.trace.status import Status, StatusCode

from wushe.shared.event_spans import (
    applying_span,
    continued_span,
    export_event_spans_to,
    record_publishing_span,
)

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"


def provider_with_spans(registered: bool = True) -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    if registered:
        export_event_spans_to(provider, processor)
    return provider, exporter


def published(flags: str = "01") -> dict[str, str]:
    return {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-{flags}"}


@pytest.mark.parametrize("registered", [True, False], ids=["batch path", "sdk spans"])
def test_the_event_span_continues_the_producers_trace_and_is_current(registered: bool) -> None:
    provider, exporter = provider_with_spans(registered)
    with applying_span("ledger apply person.registered", published(), "e-1", provider):
        carried: dict[str, str] = {}
        propagate.inject(carried)

    (span,) = exporter.get_finished_spans()
    assert span.name == "ledger apply person.registered"
    assert span.kind is SpanKind.CONSUMER
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == PARENT_ID
    assert dict(span.attributes or {}) == {"messaging.message.id": "e-1"}
    assert span.start_time is not None and span.end_time is not None
    assert span.start_time <= span.end_time
    assert span.resource.attributes == provider.resource.attributes
    # What the event emits while it is applied carries the event's own span.
    _, trace_id, span_id, flags = carried["traceparent"].split("-")
    assert (trace_id, span_id, flags) == (TRACE_ID, format(span.context.span_id, "016x"), "01")


def test_a_failure_marks_the_span_and_is_raised() -> None:
    provider, exporter = provider_with_spans()
    applying = applying_span("notify apply ledger.file_opened", published(), "e-2", provider)
    with pytest.raises(ValueError, match="region"), applying:
        raise ValueError("no such region")
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert "no such region" in (span.status.description or "")


@pytest.mark.parametrize("registered", [True, False], ids=["batch path", "sdk spans"])
def test_a_failure_the_block_reports_marks_the_span_without_raising(registered: bool) -> None:
    provider, exporter = provider_with_spans(registered)
    attributes = {"wushe.alert_id": "a-1", "wushe.channels": ["webhook"]}
    with continued_span("deliver ledger.file_opened", published(), SpanKind.CLIENT, attributes,
                        "wushe.notify.delivery", provider) as outcome:  # fmt: skip
        carried: dict[str, str] = {}
        propagate.inject(carried)
        outcome.failed = "HTTP 503"
    (span,) = exporter.get_finished_spans()
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "HTTP 503"
    assert span.parent is not None and format(span.parent.span_id, "016x") == PARENT_ID
    assert carried["traceparent"].split("-")[2] == format(span.context.span_id, "016x")


def test_an_unsampled_trace_stays_unsampled_and_exports_nothing() -> None:
    provider, exporter = provider_with_spans()
    with applying_span("ledger apply person.registered", published("00"), "e-3", provider):
        carried: dict[str, str] = {}
        propagate.inject(carried)
    assert exporter.get_finished_spans() == ()
    assert carried["traceparent"].startswith(f"00-{TRACE_ID}-")
    assert carried["traceparent"].endswith("-00")


def test_an_event_without_trace_headers_starts_a_trace_of_its_own() -> None:
    provider, exporter = provider_with_spans()
    with applying_span("ledger apply person.registered", {}, "e-4", provider):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.parent is None
    assert span.context.trace_id != 0


@pytest.mark.parametrize("registered", [True, False], ids=["batch path", "sdk spans"])
def test_a_publishing_span_is_a_producer_root_linked_to_each_message_trace(
    registered: bool,
) -> None:
    provider, exporter = provider_with_spans(registered)
    other_trace = "1" * 32
    carriers = [published(), published(), {"traceparent": f"00-{other_trace}-{'2' * 16}-01"}, {}]
    attributes = {"messaging.destination": "ledger.file", "messaging.batch.message_count": 4}
    started = time.time_ns() - 5_000_000
    record_publishing_span(
        "outbox relay ledger.file_opened", carriers, attributes, "wushe.shared.relay",
        started, provider=provider,
    )  # fmt: skip

    (span,) = exporter.get_finished_spans()
    assert span.name == "outbox relay ledger.file_opened"
    assert span.kind is SpanKind.PRODUCER
    assert span.parent is None
    assert format(span.context.trace_id, "032x") not in (TRACE_ID, other_trace)
    linked = {(format(link.context.trace_id, "032x"), format(link.context.span_id, "016x"))
              for link in span.links}  # fmt: skip
    # The same context twice is one link; a message without a context has none.
    assert linked == {(TRACE_ID, PARENT_ID), (other_trace, "2" * 16)}
    assert dict(span.attributes or {}) == attributes
    assert span.start_time == started
    assert span.end_time is not None and span.end_time > started
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "wushe.shared.relay"


def test_more_messages_than_links_allow_get_a_span_per_that_many() -> None:
    provider, exporter = provider_with_spans()
    limit = SpanLimits().max_links or 128
    carriers = [{"traceparent": f"00-{trace:032x}-{PARENT_ID}-01"} for trace in range(1, limit + 2)]
    record_publishing_span("outbox relay alert.raised", carriers, {}, "wushe.shared.relay",
                           time.time_ns(), provider=provider)  # fmt: skip
    spans = exporter.get_finished_spans()
    assert sorted(len(span.links) for span in spans) == [1, limit]
    linked = {link.context.trace_id for span in spans for link in span.links}
    assert linked == set(range(1, limit + 2))


def test_a_failed_send_marks_its_publishing_span() -> None:
    provider, exporter = provider_with_spans()
    record_publishing_span(
        "outbox relay person.registered", [published()], {}, "wushe.shared.relay",
        time.time_ns(), Status(StatusCode.ERROR, "KafkaTimeoutError()"), provider,
    )  # fmt: skip
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "KafkaTimeoutError()"
