"""customer_svc's `/readyz` checks that the dead-letter topic of its usage consumer exists
(the check that names a missing one is proven in msc_platform's
tests/integration/test_dead_letters.py)."""

from __future__ import annotations

import httpx


async def test_readyz_checks_the_dead_letter_topics(api: httpx.AsyncClient) -> None:
    ready = await api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["dead_letter_topics"] == "ok"
