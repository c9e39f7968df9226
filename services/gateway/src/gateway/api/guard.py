"""Who may call the API, decided before anything reads a request's body."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.api.errors import forbidden, unauthorized
from gateway.auth import Authenticator, Forbidden, Unauthenticated
from msc_platform.http import bearer_token

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Guard:
    """Checks the bearer token of every `/api/` request (401) and, for any change, that the
    role is `msp_admin` (403), before a route parses the body (422); routes find the caller
    in `request.state.principal` and check what depends on the customer asked for.

    Plain ASGI, so that a refused request's body is never read.
    """

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self._tokens = Authenticator(secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        try:
            token = bearer_token(scope)
            if token is None:
                raise Unauthenticated("missing bearer token")
            who = self._tokens.principal(token)
            if scope["method"] not in READ_METHODS:
                who.may_write()
        except Unauthenticated as exc:
            await unauthorized(exc)(scope, receive, send)
            return
        except Forbidden as exc:
            await forbidden(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = who
        await self.app(scope, receive, send)
