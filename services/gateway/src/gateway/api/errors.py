"""How the gateway answers auth failures and upstream trouble (problem+json)."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from gateway.auth import Forbidden, Unauthenticated
from gateway.compose import CustomerMissing, UpstreamFailed
from gateway.upstream import ServiceUnavailable
from msc_platform.http import PROBLEM_JSON, Problem, problem_response


def unauthorized(exc: Exception) -> Response:
    """401: no valid token."""
    return problem_response(
        Problem(
            401,
            "Unauthorized",
            f"a valid bearer token is required ({exc})",
            headers={"WWW-Authenticate": 'Bearer realm="msc"'},
        )
    )


def forbidden(exc: Exception) -> Response:
    """403: the token's role may not do this."""
    return problem_response(Problem(403, "Forbidden", str(exc)))


def install_gateway_errors(app: FastAPI) -> None:
    """Map auth and upstream errors to 401, 403, 404, 503 or the upstream's own problem."""

    async def on_unauthenticated(_: Request, exc: Exception) -> Response:
        return unauthorized(exc)

    async def on_forbidden(_: Request, exc: Exception) -> Response:
        return forbidden(exc)

    async def missing(_: Request, exc: Exception) -> Response:
        return problem_response(Problem(404, "Not found", "the customer does not exist"))

    async def unavailable(_: Request, exc: Exception) -> Response:
        return problem_response(
            Problem(
                503,
                "Service unavailable",
                f"{exc}; try again shortly",
                headers={"Retry-After": "5"},
            )
        )

    async def passed_through(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, UpstreamFailed)
        answer = exc.response
        media_type = answer.headers.get("Content-Type", PROBLEM_JSON)
        return Response(answer.content, answer.status_code, media_type=media_type)

    app.add_exception_handler(Unauthenticated, on_unauthenticated)
    app.add_exception_handler(Forbidden, on_forbidden)
    app.add_exception_handler(CustomerMissing, missing)
    app.add_exception_handler(ServiceUnavailable, unavailable)
    app.add_exception_handler(UpstreamFailed, passed_through)
