"""The portal API's route class, which refuses a query parameter a route does not take, and
the router every resource module of the API builds its routes on."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

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


def portal_router() -> APIRouter:
    """A router of the portal API (`/api/v1`, tagged `portal`, with `KnownQueryOnly` routes)."""
    return APIRouter(prefix=PREFIX, tags=["portal"], route_class=KnownQueryOnly)
