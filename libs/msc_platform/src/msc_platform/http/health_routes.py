"""The routes a service answers about itself: `/healthz`, `/readyz` and `/metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from msc_platform.health import Probe, check_all


def health_router(
    probes: dict[str, Probe],
    registry: CollectorRegistry | None = None,
    degraded_without: dict[str, Probe] | None = None,
) -> APIRouter:
    """`/healthz`, `/readyz` and, with a registry, `/metrics`.

    `/readyz` is 503 unless every probe of `probes` passes; the probes of
    `degraded_without` name what the service can answer without (its answers are then
    partial): they show in the body, as `"status": "degraded"`, and in the
    `msc_dependency_up{dependency}` gauge, never in the status code.
    """
    router = APIRouter(tags=["health"])
    optional = degraded_without or {}
    up = (
        Gauge(
            "msc_dependency_up",
            "1 when the dependency answered the last readiness check, else 0.",
            ["dependency"],
            registry=registry,
        )
        if registry is not None and optional
        else None
    )

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = await check_all(probes | optional)
        ready = all(checks[name] == "ok" for name in probes)
        whole = all(checks[name] == "ok" for name in optional)
        if up is not None:
            for name in optional:
                up.labels(name).set(float(checks[name] == "ok"))
        status = "not ready" if not ready else "ready" if whole else "degraded"
        return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)

    if registry is not None:

        @router.get("/metrics", include_in_schema=False)  # Prometheus text, not JSON
        async def metrics() -> Response:
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
