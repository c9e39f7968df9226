"""What the portal routes need from the request: the caller and the two services.

Plain functions of the request rather than FastAPI dependencies: solving dependencies was
the largest part of the gateway's own CPU per details view (a sixth, by profile), and
these need nothing solved. The bearer scheme is documented in the OpenAPI document by
`document_bearer_auth`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi

from gateway.auth import Principal, Unauthenticated
from gateway.upstream import Upstream


@dataclass(frozen=True)
class Services:
    """The services behind the gateway."""

    customers: Upstream
    sla: Upstream


def caller(request: Request) -> Principal:
    """The caller, authenticated by `Guard` before the request got here."""
    who = request.scope.get("state", {}).get("principal")
    if not isinstance(who, Principal):
        raise Unauthenticated("missing bearer token")
    return who


def services(request: Request) -> Services:
    """customer_svc and sla_svc."""
    found: Services = request.app.state.services
    return found


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
