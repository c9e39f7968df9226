"""HTTP rate, errors and duration per route template, as Prometheus metrics.

A plain ASGI middleware that reads the route the router matched from the scope it left
behind, rather than a library that matches every route again for each request and builds
a Request and a Response to record one (the gateway's CPU per composed view, which that
cost weighed on: `bench/results.md`). Only a request answered before routing (a 401, a
413) is matched again, to label it by its template all the same.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class HttpMetrics:
    """`http_requests_total{handler, method, status}` (status class: `2xx`...) and
    `http_request_duration_seconds{handler, method}`, labelled by route template (never
    the raw path; `none` for paths no route answers); `excluded` paths are not counted."""

    def __init__(
        self,
        app: ASGIApp,
        registry: CollectorRegistry,
        routes: Iterable[BaseRoute],
        excluded: frozenset[str] = frozenset({"/metrics", "/healthz", "/readyz"}),
    ) -> None:
        self.app = app
        self._routes = routes
        self._excluded = excluded
        self._requests = Counter(
            "http_requests_total",
            "HTTP requests by route template, method and status class.",
            ["handler", "method", "status"],
            registry=registry,
        )
        self._duration = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["handler", "method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._excluded:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recorded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        finally:
            handler = self._template(scope)
            method = scope["method"]
            self._requests.labels(handler, method, f"{str(status)[0]}xx").inc()
            self._duration.labels(handler, method).observe(time.perf_counter() - started)

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:  # answered before routing: match it here
            route = next((r for r in self._routes if r.matches(scope)[0] == Match.FULL), None)
        path = getattr(route, "path", None)
        if not isinstance(path, str) or "{rest:path}" in path:
            return "none"  # no route, or the gateway's catch-all 404/405
        return path or "/"  # a mount at the root (the portal's files)


def install_http_metrics(app: FastAPI, registry: CollectorRegistry) -> None:
    """HTTP rate, errors and duration per route on `/metrics`: `http_requests_total`,
    `http_request_duration_seconds` and kin, labelled by route template (never the raw path),
    method and status class; probes and `/metrics` itself are left out."""
    app.add_middleware(HttpMetrics, registry=registry, routes=app.router.routes)
