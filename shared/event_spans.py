"""Spans for the events consumers apply and relays publish, made from the SDK's own data
types.

Each applied event keeps a span of its own, a child of the span that published it, so
the request's trace runs on through the consumer. Made with the SDK's `Span`, those spans
cost a consumer more than applying many of its events: the span's bounded attributes and
lock, the processors' start hooks and the context manager, several times per event. Here
the provider's sampler and id generator decide as they would, the event's context is
made current while it is applied (so what it emits and logs carries its span), and the
ended span goes to the span processor ``setup_tracing`` installed as a `ReadableSpan`,
which is what the SDK's processors and exporters receive anyway.

An outbox relay's span, one for each event type of a batch it sends, linked to the
traces of the batch's messages, is made the same way. A process whose provider did not
come from ``setup_tracing`` gets the SDK's spans.
"""

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cache
from types import TracebackType
from weakref import WeakKeyDictionary

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.status import Status, StatusCode
from opentelemetry.util.types import AttributeValue

SCOPE_NAME = "wushe.consumer"
_UNSET = Status(StatusCode.UNSET)
# The SDK's limit of links per span (OTEL_SPAN_LINK_COUNT_LIMIT, 128 by default).
_LINKS_PER_SPAN = SpanLimits().max_links or 128
_processors: "WeakKeyDictionary[TracerProvider, SpanProcessor]" = WeakKeyDictionary()


def export_event_spans_to(provider: TracerProvider, processor: SpanProcessor) -> None:
    """Hand the spans of applied events to ``processor``, one ``provider`` installed."""
    _processors[provider] = processor


@cache
def _tracer(provider: trace.TracerProvider, scope_name: str) -> trace.Tracer:
    # Asked once per provider rather than once per event: each ask builds a new tracer.
    return provider.get_tracer(scope_name)


@cache
def _scope(name: str) -> InstrumentationScope:
    return InstrumentationScope(name)


@dataclass
class _Span:
    """A span under way, to be handed to ``processor`` as a ``ReadableSpan`` when it ends."""

    provider: TracerProvider
    processor: SpanProcessor
    name: str
    kind: SpanKind
    scope: InstrumentationScope
    parent_context: Context
    parent: SpanContext
    context: SpanContext
    attributes: dict[str, AttributeValue]
    links: Sequence[Link]
    sampled: bool
    started: int

    @classmethod
    def begin(
        cls,
        provider: TracerProvider,
        processor: SpanProcessor,
        name: str,
        kind: SpanKind,
        scope: InstrumentationScope,
        parent_context: Context,
        attributes: dict[str, AttributeValue],
        links: Sequence[Link] = (),
    ) -> "_Span":
        """Sampled and given ids as the SDK's tracer would."""
        parent = trace.get_current_span(parent_context).get_span_context()
        ids = provider.id_generator
        trace_id = parent.trace_id if parent.is_valid else ids.generate_trace_id()
        sampling = provider.sampler.should_sample(
            parent_context, trace_id, name, kind, attributes, links
        )
        sampled = sampling.decision == Decision.RECORD_AND_SAMPLE
        context = SpanContext(
            trace_id,
            ids.generate_span_id(),
            is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT),
            trace_state=sampling.trace_state,
        )
        attributes = {**attributes, **dict(sampling.attributes or {})}
        return cls(provider, processor, name, kind, scope, parent_context, parent, context,
                   attributes, links, sampled, time.time_ns())  # fmt: skip

    def as_current(self) -> Context:
        return trace.set_span_in_context(NonRecordingSpan(self.context), self.parent_context)

    def end(self, status: Status = _UNSET) -> None:
        if not self.sampled:
            return
        self.processor.on_end(
            ReadableSpan(
                self.name,
                context=self.context,
                parent=self.parent if self.parent.is_valid else None,
                resource=self.provider.resource,
                attributes=self.attributes,
                kind=self.kind,
                links=self.links,
                status=status,
                start_time=self.started,
                end_time=time.time_ns(),
                instrumentation_scope=self.scope,
            )
        )


def _span_sink(provider: trace.TracerProvider) -> tuple[TracerProvider, SpanProcessor] | None:
    """The provider and the processor ``setup_tracing`` gave it; None for any other."""
    if isinstance(provider, TracerProvider) and (processor := _processors.get(provider)):
        return provider, processor
    return None


@dataclass
class SpanOutcome:
    """What the block inside a span tells of its end: ``failed`` marks the span an error
    without raising one (a delivery whose partner refused it)."""

    failed: str | None = None


def continued_span(
    name: str,
    carrier: Mapping[str, str],
    kind: SpanKind,
    attributes: dict[str, AttributeValue],
    scope_name: str,
    provider: trace.TracerProvider | None = None,
) -> AbstractContextManager[SpanOutcome]:
    """A span continuing the trace whose headers are ``carrier``, current while the block
    runs; ``provider`` is the global one unless given. An exception, or a reason the
    block gives in ``failed``, marks it an error."""
    parent_context = propagate.extract(carrier)
    provider = provider or trace.get_tracer_provider()
    sink = _span_sink(provider)
    if sink is None:
        return _sdk_span(name, parent_context, kind, attributes, _tracer(provider, scope_name))
    return _CurrentSpan(
        _Span.begin(*sink, name, kind, _scope(scope_name), parent_context, attributes)
    )


class _CurrentSpan(AbstractContextManager[SpanOutcome]):
    """``span`` current while the block runs, ended when it ends. A class rather than a
    generator: a consumer enters one for every event it applies."""

    __slots__ = ("_outcome", "_span", "_token")

    def __init__(self, span: _Span) -> None:
        self._span = span
        self._outcome = SpanOutcome()

    def __enter__(self) -> SpanOutcome:
        self._token = otel_context.attach(self._span.as_current())
        return self._outcome

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        otel_context.detach(self._token)
        if error is not None:
            self._span.end(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        elif self._outcome.failed is not None:
            self._span.end(Status(StatusCode.ERROR, self._outcome.failed))
        else:
            self._span.end()


@contextmanager
def _sdk_span(
    name: str,
    parent_context: Context,
    kind: SpanKind,
    attributes: dict[str, AttributeValue],
    tracer: trace.Tracer,
) -> Iterator[SpanOutcome]:
    """The same with the SDK's own span, for a provider ``setup_tracing`` did not make."""
    outcome = SpanOutcome()
    with tracer.start_as_current_span(
        name, context=parent_context, kind=kind, attributes=attributes
    ) as sdk_span:
        yield outcome
        if outcome.failed is not None:
            sdk_span.set_status(Status(StatusCode.ERROR, outcome.failed))


def applying_span(
    name: str,
    carrier: Mapping[str, str],
    message_id: str,
    provider: trace.TracerProvider | None = None,
) -> AbstractContextManager[SpanOutcome]:
    """The span of one event applied, continuing the trace whose headers are ``carrier``;
    ``provider`` is the global one unless given."""
    attributes: dict[str, AttributeValue] = {"messaging.message.id": message_id}
    return continued_span(name, carrier, SpanKind.CONSUMER, attributes, SCOPE_NAME, provider)


def record_publishing_span(
    name: str,
    carriers: Sequence[Mapping[str, str]],
    attributes: dict[str, AttributeValue],
    scope_name: str,
    started: int,
    status: Status = _UNSET,
    provider: trace.TracerProvider | None = None,
) -> None:
    """The span of a relay's sending of a batch, from ``started`` (ns) until now: a root
    span of kind PRODUCER linked to the trace context of each message, ``carriers``
    (their stored headers), as OpenTelemetry's messaging conventions have batch sends.
    The messages keep those contexts, so each consumer's span is a child of the span
    that wrote the message. More messages than the SDK's limit of links per span get a
    span per that many."""
    provider = provider or trace.get_tracer_provider()
    contexts: dict[tuple[int, int], SpanContext] = {}
    for carrier in carriers:
        context = _linked_context(carrier)
        if context.is_valid:
            contexts[(context.trace_id, context.span_id)] = context
    valid = [contexts[ids] for ids in sorted(contexts)]
    sink = _span_sink(provider)
    for first in range(0, max(len(valid), 1), _LINKS_PER_SPAN):
        links = [Link(context) for context in valid[first : first + _LINKS_PER_SPAN]]
        if sink is None:
            sdk_span = _tracer(provider, scope_name).start_span(
                name, context=Context(), kind=SpanKind.PRODUCER, attributes=attributes,
                links=links, start_time=started,
            )  # fmt: skip
            sdk_span.set_status(status)
            sdk_span.end()
            continue
        span = _Span.begin(*sink, name, SpanKind.PRODUCER, _scope(scope_name), Context(),
                           attributes, links)  # fmt: skip
        span.started = started
        span.end(status)


def _linked_context(carrier: Mapping[str, str]) -> SpanContext:
    return trace.get_current_span(propagate.extract(carrier)).get_span_context()
