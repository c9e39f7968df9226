"""A view stays the same, but for `as_of`, at every instant before its `valid_until`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from services.sla_svc.tests.history import latest_jobs
from sla_svc.domain.backup_sets import BackupSet, Presence
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.prepared import PreparedSla
from sla_svc.domain.time_keys import hour_key, hour_start, instant
from sla_svc.domain.view import WINDOWS, Window, sla_view

NOW = dt.datetime(2026, 11, 28, 5, 0, 0, tzinfo=dt.UTC)


def figures(rng: random.Random, as_of: dt.datetime) -> tuple[PreparedSla, dict[str, HourDetail]]:
    """Sets with successes around their RPO, hour totals, and per-instant details of every
    hour near either edge of any window."""
    customer = CustomerSla(customer_id="c-1")
    for i in range(40):
        rpo = rng.choice([1, 6, 24])
        successes = {
            f"j{i}-{n}": instant(as_of - dt.timedelta(seconds=rng.randint(0, rpo * 3600 + 7200)))
            for n in range(rng.randint(0, 2))
        }
        presence = Presence("o", False, f"Set {i}", "VMware", rpo)
        customer.sets[f"bs-{i:03d}"] = BackupSet(
            f"bs-{i:03d}", presence, latest=latest_jobs(successes)
        )
    details: dict[str, HourDetail] = {}
    for length in WINDOWS.values():
        for edge in (as_of - length, as_of):
            for offset in (-1, 0, 1):
                hour = hour_key(edge + dt.timedelta(hours=offset))
                customer.job_hours[hour] = {"backup:successful": rng.randint(1, 9)}
                detail = details.setdefault(hour, HourDetail(customer_id="c-1", hour=hour))
                start = hour_start(hour)
                for _ in range(rng.randint(0, 6)):
                    moment = instant(start + dt.timedelta(seconds=rng.uniform(0, 3600)))
                    detail.jobs[moment] = {"backup:successful": 1}
                    if rng.random() < 0.3:
                        detail.alerts[moment] = {"warning": 1}
    return PreparedSla(customer), details


def test_a_view_is_the_same_until_it_says_otherwise() -> None:
    rng = random.Random(11)
    for _ in range(150):
        as_of = NOW + dt.timedelta(seconds=rng.randint(0, 7200))
        sla, details = figures(rng, as_of)
        name = rng.choice(list(WINDOWS))
        view = sla_view(sla, details, Window(name, as_of), limit=25)
        assert view.valid_until >= as_of
        seconds = int((view.valid_until - as_of).total_seconds())
        for later in {0, seconds - 1, *(rng.randint(0, seconds) for _ in range(5))} - {-1}:
            moment = as_of + dt.timedelta(seconds=later)
            if moment < view.valid_until:
                again = sla_view(sla, details, Window(name, moment), limit=25)
                assert replace(again, as_of=as_of) == view, (name, as_of, moment)


def test_a_set_passing_its_rpo_ends_the_view() -> None:
    success = NOW - dt.timedelta(hours=5, minutes=50)
    customer = CustomerSla(customer_id="c-1")
    customer.sets["bs-1"] = BackupSet(
        "bs-1", Presence("o", False, None, None, 6), latest=latest_jobs({"j": instant(success)})
    )
    sla = PreparedSla(customer)
    view = sla_view(sla, {}, Window("24h", NOW))
    assert view.rpo_breached == 0
    assert view.valid_until == success + dt.timedelta(hours=6)
    later = sla_view(sla, {}, Window("24h", view.valid_until + dt.timedelta(seconds=1)))
    assert later.rpo_breached == 1
    assert later.valid_until == NOW + dt.timedelta(hours=1)  # the next hour, nothing sooner
