"""Calls to customer_svc and sla_svc over one pooled HTTP client, with the request id."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from msc_platform.http import REQUEST_ID_HEADER, request_id_var


class ServiceUnavailable(Exception):
    """A service did not answer in time or could not be reached."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class Upstream:
    """One downstream service."""

    def __init__(self, client: httpx.AsyncClient, name: str, base_url: str, timeout_s: float):
        self._client = client
        self.name = name
        self._base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> httpx.Response:
        """Send a request; `ServiceUnavailable` when the service cannot answer in time."""
        sent = {REQUEST_ID_HEADER: request_id_var.get()} | (headers or {})
        limit = timeout_s or self._timeout_s
        call = self._client.request(
            method,
            f"{self._base_url}{path}",
            params=params,
            json=json,
            content=content,
            headers=sent,
            timeout=limit,
        )
        try:
            # httpx limits each phase (connect, read...); this limits the whole exchange.
            return await asyncio.wait_for(call, limit)
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise ServiceUnavailable(self.name, "timed out") from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(self.name, f"unreachable ({exc.__class__.__name__})") from exc
