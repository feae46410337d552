"""OpenTelemetry: OTLP to a collector when configured, otherwise a local span file."""

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import orjson
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

from wushe.shared.event_spans import export_event_spans_to
from wushe.shared.settings import Settings


class JsonLinesSpanExporter(SpanExporter):
    """Appends one JSON line per span; several processes may share the file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        # orjson: the export thread holds the GIL while it encodes, and at thousands of
        # spans a second the standard library's encoder took a tenth of a consumer's CPU.
        lines = b"".join(
            orjson.dumps(span_record(span), default=_json_default, option=orjson.OPT_APPEND_NEWLINE)
            for span in spans
        )
        with self._lock:
            # One O_APPEND write per batch keeps lines from different processes whole.
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, lines)
            finally:
                os.close(fd)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def span_record(span: ReadableSpan) -> dict[str, object]:
    context = span.get_span_context()
    assert context is not None
    parent = span.parent
    resource = span.resource.attributes if span.resource else {}
    return {
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
        "parent_id": format(parent.span_id, "016x") if parent else None,
        "name": span.name,
        "service": resource.get("service.name", "unknown"),
        "kind": span.kind.name,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "links": [
            {"trace_id": format(link.context.trace_id, "032x"),
             "span_id": format(link.context.span_id, "016x")}
            for link in span.links
        ],
    }  # fmt: skip


def _json_default(value: object) -> object:
    """What orjson cannot write itself (tuples and lists it writes as arrays)."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return repr(value)


def setup_tracing(service: str, settings: Settings) -> TracerProvider:
    """Install the global tracer provider for this process and return it."""
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": service, "service.namespace": "wushe",
             "deployment.environment": settings.environment,
             "wushe.deployment": settings.deployment}
        )
    )  # fmt: skip
    exporter: SpanExporter
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint.rstrip("/") + "/v1/traces")
    else:
        exporter = JsonLinesSpanExporter(settings.span_file)
    processor = BatchSpanProcessor(
        exporter,
        schedule_delay_millis=500,
        max_queue_size=settings.span_queue_size,
        max_export_batch_size=min(2_048, settings.span_queue_size),
    )
    provider.add_span_processor(processor)
    export_event_spans_to(provider, processor)
    trace.set_tracer_provider(provider)
    return provider


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
