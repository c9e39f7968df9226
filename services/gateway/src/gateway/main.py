"""Wiring of the gateway: `uvicorn --factory gateway.main:create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry
from swagger_ui_bundle import swagger_ui_path

from gateway.api.deps import document_bearer_auth
from gateway.api.errors import install_gateway_errors
from gateway.api.guard import Guard
from gateway.api.routers import include_portal_api
from gateway.compose import Services
from gateway.config import Settings
from gateway.upstream import Connections, Upstream, UpstreamMetrics
from msc_contracts.schemas import asyncapi
from msc_platform.health import Probe
from msc_platform.http import (
    SecurityHeadersMiddleware,
    health_router,
    install_http_metrics,
    install_problem_handlers,
    install_request_id,
    install_request_limits,
)
from msc_platform.logs import configure_logging
from msc_platform.service_token import ServiceCredential
from msc_platform.tracing import install_tracing

log = logging.getLogger(__name__)
PORTAL_DIR = Path(__file__).parent / "portal"
API_DOCS_DIR = Path(__file__).parent / "api_docs"
"""Swagger UI's page: the assets come from the `swagger-ui-bundle-v2` package, nothing
from a CDN, and the page has no inline script (the CSP forbids it)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway."""
    settings = settings or Settings()
    configure_logging(settings.log_level, "gateway", settings.log_format)
    registry = CollectorRegistry()
    connections = Connections(
        ServiceCredential(settings.jwt_secret.get_secret_value()), UpstreamMetrics(registry)
    )
    customers = Upstream(
        connections, "customer_svc", settings.customer_svc_url, settings.customer_timeout_s
    )
    sla = Upstream(connections, "sla_svc", settings.sla_svc_url, settings.sla_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        connections.open()
        try:
            yield
        finally:
            await connections.close()

    app = FastAPI(
        title="MSC portal API",
        version="1.0",
        description="Managed Services Center: customers, their Summary and SLA tabs.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,  # operationId: the route's name
    )
    app.state.services = Services(customers, sla)
    app.openapi = document_bearer_auth(app)  # type: ignore[method-assign]
    install_problem_handlers(app)
    install_gateway_errors(app)
    app.add_middleware(Guard, secret=settings.jwt_secret.get_secret_value())
    install_request_id(app)
    install_request_limits(app, settings.max_request_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    include_portal_api(app)
    # Without sla_svc the details view still answers (`partial: true`): not a reason to
    # take the portal out of service.
    install_http_metrics(app, registry)
    install_tracing(app, "gateway")
    app.include_router(
        health_router(
            {"customer_svc": _ready(customers)},
            registry,
            degraded_without={"sla_svc": _ready(sla)},
        )
    )
    for path in ("/docs", "/redoc"):  # ReDoc is not bundled: both lead to Swagger UI
        app.add_api_route(path, _to_docs, include_in_schema=False)
    events_document = asyncapi()  # the event contract, as docs/asyncapi.yaml has it

    async def event_contract() -> dict[str, Any]:
        return events_document

    app.add_api_route("/asyncapi.json", event_contract, include_in_schema=False)
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")
    app.mount("/docs", StaticFiles(directory=API_DOCS_DIR, html=True), name="docs")
    app.mount("/", StaticFiles(directory=PORTAL_DIR, html=True), name="portal")
    return app


async def _to_docs() -> RedirectResponse:
    return RedirectResponse("/docs/")


def _ready(upstream: Upstream) -> Probe:
    async def probe() -> None:
        answer = await upstream.request("GET", "/readyz", timeout_s=2.0)
        if answer.status_code != 200:
            raise ConnectionError(f"{upstream.name} is not ready: {answer.text}")

    return probe
