"""The gateway's OpenAPI document describes each route with the contract's own models
(`msc_contracts.http`), the ones the services answer with: no copy to drift."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel

from gateway.api.routers import ROUTERS
from gateway.config import Settings
from gateway.main import create_app
from msc_contracts import http
from msc_contracts.http import customers, portal, sla
from services.gateway.tests.fakes import SECRET

CONTRACT = {
    name: model
    for module in (customers, portal, sla)
    for name, model in vars(module).items()
    if isinstance(model, type) and issubclass(model, BaseModel)
}
ERRORS = {"ProblemDetail", "FieldError", "HTTPValidationError", "ValidationError"}
"""The error documents (`msc_platform.http`, FastAPI)."""


def _ref(content: dict[str, Any]) -> str:
    ref: str = content.get("application/json", {}).get("schema", {}).get("$ref")
    return ref.rsplit("/", 1)[-1]


def test_each_routes_body_and_answer_are_the_contracts_models() -> None:
    app = create_app(Settings(jwt_secret=SECRET))
    spec = app.openapi()
    routes = [
        r
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute) and r.include_in_schema
    ]
    assert len(routes) == 19
    for route in routes:
        (method,) = route.methods
        operation = spec["paths"][route.path][method.lower()]
        success = route.status_code or 200
        if success == 204 or "text/csv" in route.responses[success].get("content", {}):
            continue  # no JSON answer
        answer = route.responses[success]["model"]
        assert answer.__module__.startswith(f"{http.__name__}."), route.path
        assert CONTRACT[_ref(operation["responses"][str(success)]["content"])] is answer
        if route.body_field is not None:
            body = route.body_field.field_info.annotation
            assert body.__module__.startswith(f"{http.__name__}."), route.path
            assert CONTRACT[_ref(operation["requestBody"]["content"])] is body


def test_every_schema_of_the_document_is_one_of_the_contract() -> None:
    spec = create_app(Settings(jwt_secret=SECRET)).openapi()
    assert set(spec["components"]["schemas"]) - ERRORS <= set(CONTRACT)
