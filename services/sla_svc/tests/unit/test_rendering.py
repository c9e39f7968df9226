"""The SLA view's JSON: the contract's shape, rendered once per kept view, `as_of` current."""

from __future__ import annotations

import datetime as dt
import json

from msc_contracts import portal
from msc_testkit.clock import FixedClock
from services.sla_svc.tests.fakes import FakeSlaStore
from services.sla_svc.tests.history import NOW, deliver, job, upsert
from sla_svc.api.rendering import RenderedViews, as_of, public
from sla_svc.domain.view import SlaView
from sla_svc.read_cache import ReadCache
from sla_svc.service import SlaService


def contract_json(view: SlaView) -> dict[str, object]:
    return {"as_of": as_of(view), **public(view)}


async def test_kept_views_are_rendered_once_with_their_own_as_of() -> None:
    clock = FixedClock(NOW)
    sla = SlaService(FakeSlaStore(), clock, ReadCache(4))
    await sla.apply(deliver("c1", [upsert("bs-1", 50, rpo=24), job("j1", "successful", 3)]))
    rendered = RenderedViews()
    first = await sla.view("c1", "7d")
    body = json.loads(rendered.body(first))
    assert body == contract_json(first)
    portal.SlaPublic.model_validate(body)  # the contract's shape

    clock.now_ = NOW + dt.timedelta(minutes=7)
    kept = await sla.view("c1", "7d")
    assert kept.rows is first.rows  # answered from the kept view ...
    again = json.loads(rendered.body(kept))
    assert again == contract_json(kept)  # ... with its own as_of
    assert again["as_of"] != body["as_of"]

    await sla.apply(deliver("c1", [job("j2", "failed", 1)], start=2))
    changed = await sla.view("c1", "7d")
    assert json.loads(rendered.body(changed)) == contract_json(changed)
    assert public(changed)["backup_jobs"]["failed"] == 1


async def test_nothing_is_kept_without_capacity() -> None:
    sla = SlaService(FakeSlaStore(), FixedClock(NOW), ReadCache(4))
    await sla.apply(deliver("c1", [upsert("bs-1", 50)]))
    view = await sla.view("c1", "24h")
    assert json.loads(RenderedViews(0).body(view)) == contract_json(view)
