"""The portal API (`/api/v1`), one router per resource, and the answer to whatever none of
them has: 405 with the methods the path has, else 404.

`Guard` has checked the token of every request here, and that any change comes from an
`msp_admin`, before the body was read; the routes check what depends on the customer asked
for (`deps.visible`: a `customer_viewer` sees its own; `deps.services`: a caller
restricted to customer groups sees theirs) and who may list.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute

from gateway.api import alerts, customers, groups, portal, sla
from gateway.api.route_class import portal_router
from msc_platform.http import Problem

ROUTERS = (
    portal.router,
    customers.router,
    groups.router,
    groups.unrestricted_router,
    sla.router,
    alerts.router,
)


def include_portal_api(app: FastAPI) -> None:
    """Add every route of the portal API to `app`, and `elsewhere` after them."""
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(_elsewhere(ROUTERS))


def _elsewhere(routers: tuple[APIRouter, ...]) -> APIRouter:
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    fallback = portal_router()

    @fallback.api_route(
        "/{rest:path}",
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"],
        include_in_schema=False,
    )
    async def elsewhere(request: Request) -> Response:
        """Whatever no route above answers: 405 with the methods the path has, else 404 (the
        portal's files, served after the API, would otherwise claim every path)."""
        path = request.url.path
        allowed = sorted(
            {
                method
                for route in routes
                if route.path_regex.match(path)
                for method in route.methods or ()
            }
        )
        if allowed:
            detail = f"{request.method} is not allowed here"
            raise Problem(405, "Method not allowed", detail, headers={"Allow": ", ".join(allowed)})
        raise Problem(404, "Not found", f"no {path} here")

    return fallback
