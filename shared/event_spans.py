"""Spans for the events a consumer applies in batches, made from the SDK's own data types.

Each applied event keeps a span of its own, a child of the span that published it, so
the request's trace runs on through the consumer. Made with the SDK's `Span`, those spans
cost a consumer more than applying many of its events: the span's bounded attributes and
lock, the processors' start hooks and the context manager, several times per event. Here
the provider's sampler and id generator decide as they would, the event's context is
made current while it is applied (so what it emits and logs carries its span), and the
ended span goes to the span processor ``setup_tracing`` installed as a `ReadableSpan`,
which is what the SDK's processors and exporters receive anyway.

A process whose provider did not come from ``setup_tracing`` gets the SDK's spans.
"""

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from weakref import WeakKeyDictionary

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.status import Status, StatusCode
from opentelemetry.util.types import AttributeValue

SCOPE_NAME = "wushe.consumer"
_SCOPE = InstrumentationScope(SCOPE_NAME)
_UNSET = Status(StatusCode.UNSET)
_processors: "WeakKeyDictionary[TracerProvider, SpanProcessor]" = WeakKeyDictionary()


def export_event_spans_to(provider: TracerProvider, processor: SpanProcessor) -> None:
    """Hand the spans of applied events to ``processor``, one ``provider`` installed."""
    _processors[provider] = processor


@cache
def _tracer(provider: trace.TracerProvider) -> trace.Tracer:
    # Asked once per provider rather than once per event: each ask builds a new tracer.
    return provider.get_tracer(SCOPE_NAME)


@contextmanager
def applying_span(
    name: str,
    carrier: Mapping[str, str],
    message_id: str,
    provider: trace.TracerProvider | None = None,
) -> Iterator[None]:
    """The span of one event applied, continuing the trace whose headers are ``carrier``;
    ``provider`` is the global one unless given."""
    attributes: dict[str, AttributeValue] = {"messaging.message.id": message_id}
    parent_context = propagate.extract(carrier)
    provider = provider or trace.get_tracer_provider()
    processor = _processors.get(provider) if isinstance(provider, TracerProvider) else None
    if processor is None or not isinstance(provider, TracerProvider):
        with _tracer(provider).start_as_current_span(
            name, context=parent_context, kind=SpanKind.CONSUMER, attributes=attributes
        ):
            yield
        return
    parent = trace.get_current_span(parent_context).get_span_context()
    ids = provider.id_generator
    trace_id = parent.trace_id if parent.is_valid else ids.generate_trace_id()
    sampling = provider.sampler.should_sample(
        parent_context, trace_id, name, SpanKind.CONSUMER, attributes
    )
    sampled = sampling.decision == Decision.RECORD_AND_SAMPLE
    span_context = SpanContext(
        trace_id,
        ids.generate_span_id(),
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT),
        trace_state=sampling.trace_state,
    )
    token = otel_context.attach(
        trace.set_span_in_context(NonRecordingSpan(span_context), parent_context)
    )
    started = time.time_ns()
    status = _UNSET
    try:
        yield
    except BaseException as error:
        status = Status(StatusCode.ERROR, f"{type(error).__name__}: {error}")
        raise
    finally:
        otel_context.detach(token)
        if sampled:
            processor.on_end(
                ReadableSpan(
                    name,
                    context=span_context,
                    parent=parent if parent.is_valid else None,
                    resource=provider.resource,
                    attributes={**attributes, **dict(sampling.attributes or {})},
                    kind=SpanKind.CONSUMER,
                    status=status,
                    start_time=started,
                    end_time=time.time_ns(),
                    instrumentation_scope=_SCOPE,
                )
            )
