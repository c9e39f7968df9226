"""The SLA view's JSON: the contract's shape, rendered once per kept view, `as_of` current."""

from __future__ import annotations

import datetime as dt
import json

from msc_contracts.http import sla as schemas
from msc_testkit.clock import FixedClock
from services.sla_svc.tests.fakes import FakeSlaStore, sla_service
from services.sla_svc.tests.history import NOW, deliver, job, upsert
from sla_svc.api.rendering import sla_public, with_as_of, without_as_of
from sla_svc.domain.view import SlaView


def contract_json(view: SlaView) -> dict[str, object]:
    return sla_public(view).model_dump(mode="json")


class CountingRender:
    """`without_as_of`, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, view: SlaView) -> bytes:
        self.calls += 1
        return without_as_of(view)


async def test_kept_views_are_rendered_once_with_their_own_as_of() -> None:
    clock = FixedClock(NOW)
    sla = sla_service(FakeSlaStore(), clock=clock, customers=4)
    await sla.apply(deliver("c1", [upsert("bs-1", 50, rpo=24), job("j1", "successful", 3)]))
    render = CountingRender()
    first, rest = await sla.rendered_view("c1", "7d", None, 100, render)
    body = json.loads(with_as_of(first, rest))
    assert body == contract_json(first)
    schemas.SlaPublic.model_validate(body)  # the contract's shape

    clock.now_ = NOW + dt.timedelta(minutes=7)
    kept, rest = await sla.rendered_view("c1", "7d", None, 100, render)
    assert render.calls == 1  # answered from the kept view, not rendered again ...
    again = json.loads(with_as_of(kept, rest))
    assert again == contract_json(kept)  # ... with its own as_of
    assert again["as_of"] != body["as_of"]

    await sla.apply(deliver("c1", [job("j2", "failed", 1)]))
    changed, rest = await sla.rendered_view("c1", "7d", None, 100, render)
    assert render.calls == 2
    assert json.loads(with_as_of(changed, rest)) == contract_json(changed)
    assert sla_public(changed).backup_jobs.failed == 1


async def test_without_capacity_every_view_is_rendered_afresh() -> None:
    sla = sla_service(FakeSlaStore(), customers=0)
    await sla.apply(deliver("c1", [upsert("bs-1", 50)]))
    render = CountingRender()
    for _ in range(2):
        view, rest = await sla.rendered_view("c1", "24h", None, 100, render)
        assert json.loads(with_as_of(view, rest)) == contract_json(view)
    assert render.calls == 2
