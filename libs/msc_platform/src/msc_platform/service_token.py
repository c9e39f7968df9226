"""How the gateway proves itself to the services behind it, so that they are no way around
it: every `/api/` request to customer_svc or sla_svc carries a JWT signed with the shared
`MSC_JWT_SECRET` whose role is `service`. Portal tokens (the users' roles) are refused
there: only the gateway applies the users' roles.
"""

from __future__ import annotations

import datetime as dt
import time

import jwt
from starlette.types import ASGIApp, Receive, Scope, Send

from msc_platform.http import Problem, bearer_token, problem_response
from msc_platform.verified_tokens import VerifiedTokens

SERVICE_ROLE = "service"
TOKEN_LIFETIME = dt.timedelta(hours=1)


def mint_service_token(secret: str, caller: str = "gateway") -> str:
    """A service token of `caller`, valid for `TOKEN_LIFETIME`."""
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": caller, "role": SERVICE_ROLE, "iat": now, "exp": now + TOKEN_LIFETIME}
    return jwt.encode(claims, secret, algorithm="HS256")


class ServiceCredential:
    """The `Authorization` header a caller sends: one token, minted again when half its
    lifetime is gone (signing on every request would cost the gateway CPU for nothing)."""

    def __init__(self, secret: str, caller: str = "gateway") -> None:
        self._secret = secret
        self._caller = caller
        self._value = ""
        self._renew_at = 0.0

    def header(self) -> str:
        """`Bearer <token>`."""
        now = time.monotonic()
        if now >= self._renew_at:
            self._value = f"Bearer {mint_service_token(self._secret, self._caller)}"
            self._renew_at = now + TOKEN_LIFETIME.total_seconds() / 2
        return self._value


class RequireServiceToken:
    """Answers 401 problem+json to any `/api/` request without a valid service token.

    Verified tokens are remembered until they expire (at most `cache_size`), so the usual
    caller, one gateway token an hour, is checked once. Plain ASGI: a refused body is
    never read.
    """

    def __init__(self, app: ASGIApp, secret: str, cache_size: int = 64) -> None:
        self.app = app
        self._secret = secret
        self._verified: VerifiedTokens[bool] = VerifiedTokens(cache_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            reason = self._refusal(bearer_token(scope))
            if reason:
                detail = f"only the gateway calls this service ({reason})"
                problem = Problem(
                    401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"}
                )
                await problem_response(problem)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, token: str | None) -> str | None:
        if token is None:
            return "no bearer token"
        if self._verified.get(token):
            return None
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], options={"require": ["exp", "role"]}
            )
        except jwt.PyJWTError as exc:
            return str(exc)
        if claims["role"] != SERVICE_ROLE:
            return f"role {claims['role']!r} is not a service"
        self._verified.keep(token, True, float(claims["exp"]))
        return None
