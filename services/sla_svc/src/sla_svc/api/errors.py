"""How the SLA service's errors are answered (RFC 9457 problem+json), in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from msc_platform.http import Problem, problem_response
from sla_svc.domain.prepared import InvalidCursor
from sla_svc.service import AlertAlreadyCleared, CustomerDeleted, UnknownAlert, UnknownWindow

ERRORS = (CustomerDeleted, UnknownAlert, AlertAlreadyCleared, UnknownWindow, InvalidCursor)


def to_problem(exc: Exception) -> Problem:
    """The problem document for an error of the service."""
    match exc:
        case CustomerDeleted():
            return Problem(404, "Not found", f"customer {exc} was deleted")
        case UnknownAlert():
            return Problem(404, "Not found", f"the customer has no alert {exc}")
        case AlertAlreadyCleared():
            return Problem(409, "Conflict", "the alert is cleared: nothing to acknowledge")
        case UnknownWindow():
            return Problem(
                422,
                "Validation failed",
                "invalid fields: window",
                errors=[{"field": "window", "message": "must be one of 24h, 7d, 30d"}],
            )
        case InvalidCursor():
            return Problem(
                422,
                "Validation failed",
                "invalid fields: cursor",
                errors=[{"field": "cursor", "message": str(exc)}],
            )
    raise exc


def install_service_errors(app: FastAPI) -> None:
    """Map every error of the service to its status."""

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(to_problem(exc))

    for error in ERRORS:
        app.add_exception_handler(error, handle)
