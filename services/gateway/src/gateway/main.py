"""Wiring of the gateway: `uvicorn --factory gateway.main:create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gateway.api.errors import install_gateway_errors
from gateway.api.routes import router
from gateway.auth import mint
from gateway.config import Settings
from gateway.upstream import Connections, Upstream
from msc_platform.health import Probe
from msc_platform.http import (
    configure_logging,
    health_router,
    install_problem_handlers,
    install_request_id,
)

log = logging.getLogger(__name__)
PORTAL_DIR = Path(__file__).parent / "portal"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    connections = Connections()
    customers = Upstream(
        connections, "customer_svc", settings.customer_svc_url, settings.customer_timeout_s
    )
    sla = Upstream(connections, "sla_svc", settings.sla_svc_url, settings.sla_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.dev_mode:
            token = mint(settings.jwt_secret.get_secret_value(), "msp_admin", "dev-admin")
            log.warning("DEV MODE: msp_admin token for the portal: %s", token)
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
    )
    app.state.jwt_secret = settings.jwt_secret.get_secret_value()
    app.state.customers = customers
    app.state.sla = sla
    install_problem_handlers(app)
    install_gateway_errors(app)
    install_request_id(app)
    app.include_router(router)
    app.include_router(health_router({"customer_svc": _ready(customers), "sla_svc": _ready(sla)}))
    app.mount("/", StaticFiles(directory=PORTAL_DIR, html=True), name="portal")
    return app


def _ready(upstream: Upstream) -> Probe:
    async def probe() -> None:
        answer = await upstream.request("GET", "/readyz", timeout_s=2.0)
        if answer.status_code != 200:
            raise ConnectionError(f"{upstream.name} is not ready: {answer.text}")

    return probe
