"""OpenTelemetry traces across the services: HTTP in and out, and Kafka records.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set;
then each process exports its spans over OTLP/HTTP in batches, configured by the SDK's
standard variables (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_SCHEDULE_DELAY`, ...). The
trace context travels as W3C `traceparent`/`tracestate`: in HTTP headers (the FastAPI and
aiohttp instrumentations), in Kafka record headers, and in the outbox, where a stored
change keeps the context of the request that made it until the relay publishes its events.
A consumer starts one span per record, a child of the context in the record's headers, so
the work an event causes continues the trace of whatever published it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from aiokafka import ConsumerRecord
from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
UNTRACED_URLS = "healthz,readyz,metrics"
"""Probes and scrapes: frequent, and nobody follows them."""
Carrier = dict[str, str]
"""The trace context as headers (`traceparent`, `tracestate`); empty when not traced."""
KafkaHeaders = Sequence[tuple[str, bytes]]
TRACE_HEADERS = ("traceparent", "tracestate")
MAX_TRACE_HEADER_BYTES = 512
"""A longer one is no W3C trace context (tracestate's limit): ignored, not passed on."""

_tracer = trace.get_tracer("msc")
_enabled = False


def install_tracing(app: FastAPI, service: str) -> None:
    """When an OTLP endpoint is configured: export this process's spans (flushed at exit)
    and give every request a server span continuing the caller's trace (probes and
    `/metrics` left out). Nothing otherwise."""
    global _enabled
    if not any(os.environ.get(name) for name in ENDPOINT_VARIABLES):
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    if not _enabled:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _enabled = True
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=UNTRACED_URLS, exclude_spans=["receive", "send"]
    )


def enabled() -> bool:
    """True once `install_tracing` found an endpoint to export to."""
    return _enabled


def current_trace_id() -> str | None:
    """The current trace's id as 32 hex digits, None outside a trace."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


def current_carrier() -> Carrier:
    """The current trace context, to store with work that continues it later."""
    carrier: Carrier = {}
    if _enabled:
        propagate.inject(carrier)
    return carrier


@contextmanager
def publishing(topic: str, carrier: Mapping[str, str] | None) -> Iterator[Carrier]:
    """A producer span for publishing on `topic`, a child of `carrier`'s context (or of the
    current one); yields the record headers that carry it to the consumers."""
    if not _enabled:
        yield {}
        return
    parent = propagate.extract(carrier) if carrier else None
    with _tracer.start_as_current_span(
        f"{topic} publish",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic},
    ):
        headers: Carrier = {}
        propagate.inject(headers)
        yield headers


def trace_headers(headers: KafkaHeaders) -> list[tuple[str, bytes]]:
    """The trace context among a record's headers, to pass on with it (to a dead letter)."""
    return [(k, v) for k, v in headers if k in TRACE_HEADERS and len(v) <= MAX_TRACE_HEADER_BYTES]


class RecordSpans:
    """One consumer span per record of a batch, each a child of the context its producer
    put in the record's headers; ended together once the batch is settled."""

    def __init__(self, group: str) -> None:
        self._group = group
        self._spans: dict[tuple[str, int, int], Span] = {}

    def start(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Open the record's span."""
        if not _enabled:
            return
        carrier = {k: v.decode("latin-1") for k, v in trace_headers(record.headers)}
        parent: Context | None = propagate.extract(carrier) if carrier else None
        self._spans[_place(record)] = _tracer.start_span(
            f"{record.topic} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.consumer.group.name": self._group,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
            },
        )

    def describe(
        self, record: ConsumerRecord[bytes, bytes], event_type: str, customer: str
    ) -> None:
        """Add what the record turned out to be."""
        span = self._spans.get(_place(record))
        if span is not None:
            span.set_attributes({"cloudevents.event_type": event_type, "msc.customer_id": customer})

    def fail(self, record: ConsumerRecord[bytes, bytes], reason: str) -> None:
        """Mark the record's span as failed: the record was dead-lettered."""
        span = self._spans.get(_place(record))
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, reason[:200]))

    def end(self) -> None:
        """End every span of the batch."""
        for span in self._spans.values():
            span.end()
        self._spans.clear()


def _place(record: ConsumerRecord[bytes, bytes]) -> tuple[str, int, int]:
    return record.topic, record.partition, record.offset
