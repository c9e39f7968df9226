"""What the portal routes need from the request: the caller, the two services as the caller
may ask them, and whether the caller may see the customer asked about.

Plain functions of the request rather than FastAPI dependencies: solving dependencies was
the largest part of the gateway's own CPU per details view (a sixth, by profile), and
these need nothing solved. The bearer scheme is documented in the OpenAPI document by
`document_bearer_auth`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi

from gateway.auth import Forbidden, Principal, Unauthenticated
from gateway.compose import Services
from msc_contracts.bounds import MAX_NAME_CHARS
from msc_platform.http import ACTOR_HEADER, Problem


def caller(request: Request) -> Principal:
    """The caller, authenticated by `Guard` before the request got here."""
    who = request.scope.get("state", {}).get("principal")
    if not isinstance(who, Principal):
        raise Unauthenticated("missing bearer token")
    return who


def services(request: Request) -> Services:
    """customer_svc and sla_svc as the caller asks them: restricted to its customer groups
    if it has a restriction (`Services.restricted`); as they are, at no cost, if not."""
    found: Services = request.app.state.services
    groups = caller(request).customer_groups
    return found if groups is None else found.restricted_to(groups)


def require_unrestricted(request: Request, to: str) -> None:
    """Raise `Forbidden` when the caller is restricted to customer groups: only one who
    sees every customer may do `to`."""
    if caller(request).customer_groups is not None:
        raise Forbidden(f"a caller restricted to customer groups may not {to}")


def visible(request: Request, customer_id: str) -> Services:
    """The services, to ask about a customer the caller may see (a `customer_viewer` sees
    its own); any other is answered 404, as if it did not exist."""
    if not caller(request).sees_customer(customer_id):
        raise Problem(404, "Not found", f"customer {customer_id} does not exist")
    return services(request)


def actor(request: Request) -> dict[str, str]:
    """The header that names the caller to a service, for its audit trail."""
    return {
        ACTOR_HEADER: quote(caller(request).subject[:MAX_NAME_CHARS], safe="", errors="replace")
    }


def document_bearer_auth(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The app's OpenAPI document with every `/api/` operation requiring a bearer token."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes["HTTPBearer"] = {
                "type": "http",
                "scheme": "bearer",
                "description": "A portal JWT (HS256).",
            }
            for path, operations in schema["paths"].items():
                if path.startswith("/api/"):
                    for operation in operations.values():
                        operation["security"] = [{"HTTPBearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi
