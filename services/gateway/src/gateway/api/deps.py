"""Dependencies of the portal routes: the caller and the two services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.auth import Principal, Unauthenticated
from gateway.upstream import Upstream

bearer = HTTPBearer(auto_error=False, description="A portal JWT (HS256).")


async def principal(
    request: Request,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, authenticated by `Guard` before the request got here (`bearer` only
    puts the scheme in the OpenAPI document)."""
    who = getattr(request.state, "principal", None)
    if not isinstance(who, Principal):
        raise Unauthenticated("missing bearer token")
    return who


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
