"""How the customer domain's errors are answered (RFC 9457 problem+json)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from customer_svc.domain import errors
from customer_svc.service import InvalidCursor
from msc_platform.http import Problem, problem_response


def to_problem(exc: Exception) -> Problem:
    """The problem document for a domain error."""
    match exc:
        case errors.CustomerNotFound():
            return Problem(404, "Not found", f"customer {exc} does not exist")
        case errors.ContactNotFound():
            return Problem(404, "Not found", f"contact {exc} does not exist")
        case errors.DuplicateAccountName():
            return Problem(
                409,
                "Conflict",
                f"another customer already has the account name {exc}",
                errors=[{"field": "account.name", "message": "already used by another customer"}],
            )
        case errors.RestrictedCaller():
            return Problem(403, "Forbidden", str(exc))
        case errors.StaleVersion():
            return Problem(
                412,
                "Precondition failed",
                f"the customer was changed since it was read ({exc}); read it again",
            )
        case errors.InvalidField():
            return Problem(
                422,
                "Validation failed",
                f"invalid fields: {exc.field}",
                errors=[{"field": exc.field, "message": exc.message}],
            )
        case errors.OutcomeUnknown():
            return Problem(
                503,
                "Service unavailable",
                "the database did not answer: the change may or may not be stored; read the "
                "customer again, then retry",
                headers={"Retry-After": "1"},
            )
        case errors.StillLoading():
            return Problem(
                503,
                "Service unavailable",
                "the customers and their usage are still being read after a start; try again "
                "in a moment",
                headers={"Retry-After": "1"},
            )
        case InvalidCursor():
            return Problem(
                422,
                "Validation failed",
                "invalid fields: cursor",
                errors=[{"field": "cursor", "message": "not a cursor from this list"}],
            )
    raise exc


def install_domain_errors(app: FastAPI) -> None:
    """Map every domain error to its status."""

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(to_problem(exc))

    app.add_exception_handler(errors.DomainError, handle)
    app.add_exception_handler(InvalidCursor, handle)
