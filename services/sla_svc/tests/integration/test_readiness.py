"""sla_svc's `/readyz` checks that the dead-letter topics of its consumer exist (the check
that names a missing one is proven in msc_platform's tests/integration/test_dead_letters.py)."""

from __future__ import annotations

import httpx


async def test_readyz_checks_the_dead_letter_topics(sla_api: httpx.AsyncClient) -> None:
    ready = await sla_api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["dead_letter_topics"] == "ok"
