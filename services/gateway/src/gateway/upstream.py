"""Calls to customer_svc and sla_svc over one pooled HTTP client, with the request id.

aiohttp's client rather than httpx, for the CPU a request costs the gateway (a details
view makes two; README, "Architecture", gateway).
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from prometheus_client import CollectorRegistry, Counter, Histogram

from msc_platform import tracing
from msc_platform.http import REQUEST_ID_HEADER
from msc_platform.logs import request_id_var
from msc_platform.service_token import ServiceCredential


class ServiceUnavailable(Exception):
    """A service did not answer in time or could not be reached."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """A service's whole answer, read before the connection went back to the pool."""

    status_code: int
    headers: Mapping[str, str]  # case-insensitive
    content: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return jsonlib.loads(self.content)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8", "replace")


def customer_path(customer_id: str, *below: str) -> str:
    """The services' path of a customer (or of something below it), each part quoted: a `/`
    or `?` inside an id never changes what is asked for."""
    return "/".join(["/api/v1/customers", *(quote(p, safe="") for p in (customer_id, *below))])


class UpstreamMetrics:
    """Duration of the gateway's calls and their failures, per service."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.duration = Histogram(
            "msc_upstream_request_duration_seconds",
            "Calls of the gateway to a service, until the answer is read.",
            ["service"],
            registry=registry,
        )
        self.failures = Counter(
            "msc_upstream_failures",
            "Calls that got no usable answer: timed out, unreachable, or a redirect.",
            ["service", "reason"],
            registry=registry,
        )


class Connections:
    """The pooled client the upstreams share, the credential every call carries (the
    services answer only the gateway) and the calls' metrics; opened and closed with the app."""

    def __init__(
        self,
        credential: ServiceCredential,
        metrics: UpstreamMetrics,
        max_connections: int = 200,
    ) -> None:
        self.credential = credential
        self.metrics = metrics
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def open(self) -> None:
        """Start the pool (inside the running event loop)."""
        # Idle connections are dropped before the services' own keep-alive (uvicorn: 5 s)
        # closes them under a write about to be sent (reads are retried by aiohttp itself).
        connector = aiohttp.TCPConnector(
            limit=self._max_connections, ttl_dns_cache=300, keepalive_timeout=4.0
        )
        self._session = aiohttp.ClientSession(
            connector=connector, json_serialize=jsonlib.dumps, trace_configs=_tracing()
        )

    async def close(self) -> None:
        """Close every pooled connection."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The open session."""
        if self._session is None:
            raise RuntimeError("the gateway's connections are not open (app not started)")
        return self._session


class Upstream:
    """One downstream service; `headers` go with every call."""

    def __init__(
        self,
        connections: Connections,
        name: str,
        base_url: str,
        timeout_s: float,
        headers: Mapping[str, str] | None = None,
    ):
        self._connections = connections
        self.name = name
        self._base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s
        self._headers = dict(headers or {})

    def with_headers(self, headers: Mapping[str, str]) -> Upstream:
        """The same service, on the same connections, with `headers` on every call too."""
        return Upstream(
            self._connections,
            self.name,
            self._base_url,
            self._timeout_s,
            self._headers | dict(headers),
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> Answer:
        """Send a request and read the answer; `ServiceUnavailable` when it cannot in time."""
        sent = {
            REQUEST_ID_HEADER: request_id_var.get(),
            "Authorization": self._connections.credential.header(),
            **self._headers,
        } | dict(headers or {})
        started = time.perf_counter()
        try:
            return await self._send(method, path, params, json, content, sent, timeout_s)
        except ServiceUnavailable as exc:
            self._connections.metrics.failures.labels(self.name, exc.reason).inc()
            raise
        finally:
            self._connections.metrics.duration.labels(self.name).observe(
                time.perf_counter() - started
            )

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json: Any,
        content: bytes | None,
        sent: dict[str, str],
        timeout_s: float | None,
    ) -> Answer:
        try:
            async with asyncio.timeout(timeout_s or self._timeout_s):
                async with self._connections.session.request(
                    method,
                    f"{self._base_url}{path}",
                    params=params,
                    json=json,
                    data=content,
                    headers=sent,
                    allow_redirects=False,
                ) as response:
                    if 300 <= response.status < 400:
                        # Never followed, never passed on: it would point callers inside.
                        raise ServiceUnavailable(self.name, "redirect")
                    body = await response.read()
                    return Answer(response.status, response.headers, body)
        except TimeoutError as exc:
            raise ServiceUnavailable(self.name, "timed out") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ServiceUnavailable(self.name, "unreachable") from exc


def _tracing() -> list[aiohttp.TraceConfig]:
    """A client span per call, passing the trace on in its headers, when tracing is on."""
    if not tracing.enabled():
        return []
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    return [create_trace_config()]
