"""Request limits: bodies over a size, and paths holding an encoded separator, refused unread."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from msc_platform.http.problems import Problem, problem_response

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


def install_request_limits(app: FastAPI, max_bytes: int = MAX_BODY_BYTES) -> None:
    """Bodies over `max_bytes` are answered 413 unread, encoded slashes in paths 404 (see
    `RequestLimitsMiddleware`); install it last, so that it runs before other middleware."""
    app.add_middleware(RequestLimitsMiddleware, max_bytes=max_bytes)
