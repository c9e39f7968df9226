"""The bearer token a request carries."""

from __future__ import annotations

from starlette.types import Scope


def bearer_token(scope: Scope) -> str | None:
    """The token of the request's `Authorization: Bearer <token>` header, if it has one."""
    value = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
    scheme, _, token = value.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
