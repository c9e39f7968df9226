"""Dependencies of the portal routes: the caller and the two services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.auth import Principal, Unauthenticated, decode
from gateway.upstream import Upstream

bearer = HTTPBearer(auto_error=False, description="A portal JWT (HS256).")


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The authenticated caller; 401 without a valid token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("missing bearer token")
    secret: str = request.app.state.jwt_secret
    return decode(credentials.credentials, secret)


async def customers(request: Request) -> Upstream:
    """customer_svc."""
    upstream: Upstream = request.app.state.customers
    return upstream


async def sla(request: Request) -> Upstream:
    """sla_svc."""
    upstream: Upstream = request.app.state.sla
    return upstream


PrincipalDep = Annotated[Principal, Depends(principal)]
CustomersDep = Annotated[Upstream, Depends(customers)]
SlaDep = Annotated[Upstream, Depends(sla)]
