"""The portal API's route classes, which refuse a query parameter a route does not take (and,
for some routes, a caller restricted to customer groups), and the router every resource
module of the API builds its routes on."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from gateway.api.deps import require_unrestricted
from msc_platform.http import Problem

PREFIX = "/api/v1"


class KnownQueryOnly(APIRoute):
    """A route that refuses (422, naming it) a query parameter it does not take, or one
    given twice, instead of ignoring it: a misspelt `limt=5` would otherwise answer as if it
    were not there, and of `q=a&q=b` only one would count. Checked in the route's handler,
    with the parameters known once, rather than as a dependency solved on every request."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not self.include_in_schema:
            return handler  # `elsewhere`: its 404 or 405 says what is wrong
        known = frozenset(param.alias for param in self.dependant.query_params)

        async def checked(request: Request) -> Response:
            _refuse_unknown_query(request, known)
            return await handler(request)

        return checked


class UnrestrictedOnly(KnownQueryOnly):
    """A route only a caller who sees every customer may call: a caller restricted to
    customer groups is answered 403 before the body is read (`Guard` has checked the role)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        to = f"call {' '.join(sorted(self.methods or ()))} {self.path}"

        async def checked(request: Request) -> Response:
            require_unrestricted(request, to)
            return await handler(request)

        return checked


def _refuse_unknown_query(request: Request, known: frozenset[str]) -> None:
    given = request.query_params
    if not given:
        return
    errors = [
        {"field": name[:100], "message": "not a parameter of this route"}
        for name in sorted(set(given) - known)
    ] + [
        {"field": name, "message": "given more than once"}
        for name in sorted(set(given) & known)
        if len(given.getlist(name)) > 1
    ]
    if errors:
        detail = f"invalid query parameters: {', '.join(e['field'] for e in errors)}"
        raise Problem(422, "Validation failed", detail[:500], errors=errors[:20])


def portal_router(route_class: type[KnownQueryOnly] = KnownQueryOnly) -> APIRouter:
    """A router of the portal API (`/api/v1`, tagged `portal`, with `KnownQueryOnly` routes
    or those of a class derived from it)."""
    return APIRouter(prefix=PREFIX, tags=["portal"], route_class=route_class)
