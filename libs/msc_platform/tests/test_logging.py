"""Log lines: JSON for a collector, with the service, the request, trace and customer ids;
text on request."""

from __future__ import annotations

import io
import json
import logging

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from msc_platform.logs import configure_logging, customer_id_var, request_id_var

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736


def logged(log_format: str, **extra: str) -> str:
    configure_logging("INFO", "sla_svc", log_format)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    token = request_id_var.set("rid-1")
    customer = customer_id_var.set("c-42")
    span = NonRecordingSpan(SpanContext(TRACE_ID, 0x00F067AA0BA902B7, False, TraceFlags(1)))
    try:
        with trace.use_span(span):
            logging.getLogger("sla_svc.consumers").warning(
                "dead-lettering %s", "backup.jobs[2]@7", extra=extra
            )
    finally:
        request_id_var.reset(token)
        customer_id_var.reset(customer)
    return stream.getvalue()


def test_json_lines_carry_the_service_level_logger_request_trace_and_customer() -> None:
    line = json.loads(logged("json"))
    assert line["service"] == "sla_svc" and line["level"] == "WARNING"
    assert line["logger"] == "sla_svc.consumers" and line["request_id"] == "rid-1"
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert line["customer_id"] == "c-42"
    assert line["message"] == "dead-lettering backup.jobs[2]@7" and "time" in line


def test_a_record_may_name_its_own_customer() -> None:
    assert json.loads(logged("json", customer_id="c-7"))["customer_id"] == "c-7"


def test_text_for_a_person() -> None:
    text = logged("text")
    assert (
        "WARNING sla_svc sla_svc.consumers [rid=rid-1 trace=4bf92f3577b34da6a3ce929d0e0e4736 "
        "customer=c-42] dead-lettering backup.jobs[2]@7"
    ) in text
