"""Request ids: taken or made per request, kept for log lines, echoed in the answer."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from msc_platform.http.paths import CUSTOMER_PATH
from msc_platform.logs import customer_id_var, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"


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
