"""Log lines of every service: JSON for a log collector, text for a person.

Each line names the service, and where known the request id, the trace id and the customer
it is about: the request's (`RequestIdMiddleware` sets both ids from the request) or a
record's, given as `extra={"customer_id": ...}`.
"""

from __future__ import annotations

import contextvars
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from msc_platform.tracing import current_trace_id

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
customer_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("customer_id", default="-")
FIELDS = ("asctime", "levelname", "service", "name", "request_id", "trace_id", "customer_id")


class LogContextFilter(logging.Filter):
    """Adds the service's name, the request id, the trace id and the customer id (`-` when
    there is none) to every log record."""

    def __init__(self, service: str = "-") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.trace_id = current_trace_id() or "-"
        if not isinstance(getattr(record, "customer_id", None), str):
            record.customer_id = customer_id_var.get()
        return True


def configure_logging(level: str = "INFO", service: str = "-", log_format: str = "auto") -> None:
    """One log line per record: JSON (`time`, `level`, `service`, `logger`, `request_id`,
    `trace_id`, `customer_id`, `message`, and `exc_info` with a traceback) for log
    collectors, or text for a person. `log_format` `auto` picks text when standard error is
    a terminal, else JSON."""
    handler = logging.StreamHandler()
    handler.addFilter(LogContextFilter(service))
    text = log_format == "text" or (log_format == "auto" and sys.stderr.isatty())
    if text:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(service)s %(name)s "
                "[rid=%(request_id)s trace=%(trace_id)s customer=%(customer_id)s] %(message)s"
            )
        )
    else:
        handler.setFormatter(
            JsonFormatter(
                " ".join(f"%({name})s" for name in FIELDS) + " %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
