"""HTTP plumbing shared by the services: health routes, problem+json errors, request ids,
request limits and security headers."""

from __future__ import annotations

import re
import urllib.parse
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from msc_contracts.bounds import MAX_NAME_CHARS
from msc_contracts.ids import ID_PATTERN
from msc_platform.health import Probe, check_all
from msc_platform.http_metrics import HttpMetrics
from msc_platform.logs import customer_id_var, request_id_var

PathId = Annotated[
    str, Path(pattern=ID_PATTERN, description="An id (`msc_contracts.ids`); anything else: 404.")
]
"""A customer or contact id in a URL path."""
PROBLEM_JSON = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"
ACTOR_HEADER = "X-MSC-Actor"
"""Who asked for a change (the `sub` of the portal token, percent-encoded), as the gateway
tells the service it calls with its own token (`actor_of` reads it back)."""


def actor_of(value: str | None) -> str | None:
    """The actor an `ACTOR_HEADER` value names, as an event may carry it: at most 200
    characters, each unprintable one (a newline, a control) shown as U+FFFD."""
    if not value:
        return None
    actor = urllib.parse.unquote(value, errors="replace")[:MAX_NAME_CHARS]
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in actor)


class FieldError(BaseModel):
    """One invalid field."""

    field: str = Field(examples=["account.phone"])
    message: str = Field(examples=["must be E.164: + and 8 to 15 digits"])


class ProblemDetail(BaseModel):
    """An RFC 9457 problem (`application/problem+json`)."""

    type: str
    title: str = Field(examples=["Validation failed"])
    status: int = Field(examples=[422])
    detail: str
    errors: list[FieldError] | None = Field(default=None, description="Validation failures only.")


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
        if any(err["loc"][:1] == ("path",) for err in exc.errors()):
            # A path segment that is not an id names nothing: `..`, `%2E`, an encoded `/`.
            return problem_response(Problem(404, "Not found", "no such resource"))
        errors = validation_errors(exc)
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            Problem(422, "Validation failed", f"invalid fields: {fields}", errors=errors)
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not read the body as JSON at all
            errors = [{"field": "body", "message": "not a JSON document"}]
            return problem_response(
                Problem(422, "Validation failed", "invalid fields: body", errors=errors)
            )
        titles = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}
        title = titles.get(exc.status_code, "Error")
        headers = dict(exc.headers) if exc.headers else None
        problem = Problem(exc.status_code, title, str(exc.detail), headers=headers)
        return problem_response(problem)


MAX_BODY_BYTES = 1024 * 1024
"""Default largest request body (1 MiB): far above any valid one, far below what hurts."""


class BodyTooLarge(StarletteHTTPException):
    """The request body passed the limit while it was being read (an HTTP error, so that
    FastAPI's body reading passes it on instead of calling it a parse error)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _limit(max_bytes))


def _limit(max_bytes: int) -> str:
    return f"request bodies are limited to {max_bytes} bytes"


class RequestLimitsMiddleware:
    """Answers 413 problem+json to a body over `max_bytes` without reading it: at once when
    `Content-Length` says so, else as soon as the chunks read pass the limit. And 404 to a
    path holding an encoded `/` or `\\`: routing sees it decoded, so `c-1%2Fcontacts` would
    otherwise pass for two ids.

    Plain ASGI, outside everything that reads the body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or b""
        if any(code in raw_path.lower() for code in (b"%2f", b"%5c")):
            response = problem_response(Problem(404, "Not found", "no such resource"))
            await response(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Problem(
                413, "Content too large", _limit(self.max_bytes), headers={"Connection": "close"}
            )
        )
        await response(scope, receive, send)


SECURITY_HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeadersMiddleware:
    """Browser hardening on every answer, and answers of `/api/` kept out of every cache
    (they are per user): `Cache-Control: no-store`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith("/api/")

        async def hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in SECURITY_HEADERS} | (
                    {b"cache-control"} if private else set()
                )
                headers = [h for h in message.get("headers", []) if h[0] not in names]
                headers += SECURITY_HEADERS
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, hardened)


def bearer_token(scope: Scope) -> str | None:
    """The token of the request's `Authorization: Bearer <token>` header, if it has one."""
    value = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
    scheme, _, token = value.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


CUSTOMER_PATH = re.compile(
    rf"/api/v1/customers/({ID_PATTERN.removeprefix('^').removesuffix('$')})(?:/|$)"
)
"""A path about one customer."""


class RequestIdMiddleware:
    """Take or make an `X-Request-ID`, keep it (and the customer the path names) for log
    lines and echo it in the response.

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
        about = CUSTOMER_PATH.match(scope["path"])
        customer = customer_id_var.set(about.group(1) if about else "-")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != wanted]
                message["headers"] = [*headers, (wanted, rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            customer_id_var.reset(customer)


def install_request_id(app: FastAPI) -> None:
    """Every request gets an `X-Request-ID` (see `RequestIdMiddleware`)."""
    app.add_middleware(RequestIdMiddleware)


def install_http_metrics(app: FastAPI, registry: CollectorRegistry) -> None:
    """HTTP rate, errors and duration per route on `/metrics`: `http_requests_total`,
    `http_request_duration_seconds` and kin, labelled by route template (never the raw path),
    method and status class; probes and `/metrics` itself are left out."""
    app.add_middleware(HttpMetrics, registry=registry, routes=app.router.routes)


def install_request_limits(app: FastAPI, max_bytes: int = MAX_BODY_BYTES) -> None:
    """Bodies over `max_bytes` are answered 413 unread, encoded slashes in paths 404 (see
    `RequestLimitsMiddleware`); install it last, so that it runs before other middleware."""
    app.add_middleware(RequestLimitsMiddleware, max_bytes=max_bytes)


def health_router(
    probes: dict[str, Probe],
    registry: CollectorRegistry | None = None,
    degraded_without: dict[str, Probe] | None = None,
) -> APIRouter:
    """`/healthz`, `/readyz` and, with a registry, `/metrics`.

    `/readyz` is 503 unless every probe of `probes` passes; the probes of
    `degraded_without` name what the service can answer without (its answers are then
    partial): they show in the body, as `"status": "degraded"`, and in the
    `msc_dependency_up{dependency}` gauge, never in the status code.
    """
    router = APIRouter(tags=["health"])
    optional = degraded_without or {}
    up = (
        Gauge(
            "msc_dependency_up",
            "1 when the dependency answered the last readiness check, else 0.",
            ["dependency"],
            registry=registry,
        )
        if registry is not None and optional
        else None
    )

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = await check_all(probes | optional)
        ready = all(checks[name] == "ok" for name in probes)
        whole = all(checks[name] == "ok" for name in optional)
        if up is not None:
            for name in optional:
                up.labels(name).set(float(checks[name] == "ok"))
        status = "not ready" if not ready else "ready" if whole else "degraded"
        return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)

    if registry is not None:

        @router.get("/metrics", include_in_schema=False)  # Prometheus text, not JSON
        async def metrics() -> Response:
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
