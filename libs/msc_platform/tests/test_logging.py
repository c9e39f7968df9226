"""Log lines: JSON for a collector, with the service and the request id; text on request."""

from __future__ import annotations

import io
import json
import logging

from msc_platform.http import configure_logging, request_id_var


def logged(log_format: str) -> str:
    configure_logging("INFO", "sla_svc", log_format)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    token = request_id_var.set("rid-1")
    try:
        logging.getLogger("sla_svc.consumers").warning("dead-lettering %s", "backup.jobs[2]@7")
    finally:
        request_id_var.reset(token)
    return stream.getvalue()


def test_json_lines_carry_the_service_level_logger_and_request_id() -> None:
    line = json.loads(logged("json"))
    assert line["service"] == "sla_svc" and line["level"] == "WARNING"
    assert line["logger"] == "sla_svc.consumers" and line["request_id"] == "rid-1"
    assert line["message"] == "dead-lettering backup.jobs[2]@7" and "time" in line


def test_text_for_a_person() -> None:
    text = logged("text")
    assert "WARNING sla_svc sla_svc.consumers [rid=rid-1] dead-lettering backup.jobs[2]@7" in text
