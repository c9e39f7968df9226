"""One trace follows a portal request through the gateway into customer_svc, and on through
the outbox and Kafka into sla_svc's consumption of the event the request caused."""

from __future__ import annotations

import json
import secrets
import uuid

import httpx

from msc_testkit.kafka import eventually
from msc_testkit.otlp import CollectedSpan
from tests.e2e.conftest import System
from tests.e2e.test_backup_job_journey import NEW_CUSTOMER


def traced_request() -> tuple[str, dict[str, str]]:
    """A new trace id and the `traceparent` header that starts a request in it."""
    trace_id = secrets.token_hex(16)
    return trace_id, {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}


async def trace_reaching(
    system: System, trace_id: str, *expected: tuple[str, str]
) -> list[CollectedSpan]:
    """The spans of the trace, once a span of each `(service, kind)` is among them (each
    process exports on its own schedule)."""

    async def reached() -> list[CollectedSpan]:
        spans = system.traces.of_trace(trace_id)
        return spans if set(expected) <= {(s.service, s.kind) for s in spans} else []

    spans: list[CollectedSpan] = await eventually(reached, timeout_s=20)
    return spans


def one(spans: list[CollectedSpan], service: str, kind: str, name_start: str) -> CollectedSpan:
    found = [
        s
        for s in spans
        if s.service == service and s.kind == kind and s.name.startswith(name_start)
    ]
    assert len(found) == 1, f"expected one {kind} span {name_start!r} of {service} in {spans}"
    return found[0]


async def test_a_portal_request_is_one_trace_from_the_gateway_into_customer_svc(
    system: System, gateway: httpx.AsyncClient
) -> None:
    body = json.loads(json.dumps(NEW_CUSTOMER))
    body["account"]["name"] = f"Traced {uuid.uuid4().hex[:8]}"
    created = await gateway.post("/api/v1/customers", json=body, headers=system.headers())
    customer_id = created.json()["id"]
    trace_id, traceparent = traced_request()

    read = await gateway.get(
        f"/api/v1/customers/{customer_id}/details", headers=system.headers() | traceparent
    )
    assert read.status_code == 200, read.text

    spans = await trace_reaching(
        system, trace_id, ("gateway", "SERVER"), ("gateway", "CLIENT"), ("customer_svc", "SERVER")
    )
    gateway_server = one(spans, "gateway", "SERVER", "GET /api/v1/customers/{customer_id}/details")
    calls = [s for s in spans if s.service == "gateway" and s.kind == "CLIENT"]
    served = [s for s in spans if s.service == "customer_svc" and s.kind == "SERVER"]
    assert calls and all(c.parent_span_id == gateway_server.span_id for c in calls), spans
    assert served and {s.parent_span_id for s in served} <= {c.span_id for c in calls}, spans


async def test_sla_svc_consuming_a_customer_event_continues_the_request_that_caused_it(
    system: System, gateway: httpx.AsyncClient
) -> None:
    body = json.loads(json.dumps(NEW_CUSTOMER))
    body["account"]["name"] = f"Traced {uuid.uuid4().hex[:8]}"
    trace_id, traceparent = traced_request()

    created = await gateway.post(
        "/api/v1/customers", json=body, headers=system.headers() | traceparent
    )
    assert created.status_code == 201, created.text

    spans = await trace_reaching(
        system,
        trace_id,
        ("customer_svc", "SERVER"),
        ("customer_svc", "PRODUCER"),
        ("sla_svc", "CONSUMER"),
    )
    served = one(spans, "customer_svc", "SERVER", "POST /api/v1/customers")
    published = one(spans, "customer_svc", "PRODUCER", "customers.events publish")
    consumed = one(spans, "sla_svc", "CONSUMER", "customers.events process")
    # The relay publishes later, from its own task: its span continues the request's trace
    # from what the outbox stored with the change.
    assert published.parent_span_id == served.span_id, spans
    assert consumed.parent_span_id == published.span_id, spans
