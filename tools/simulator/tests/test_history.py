"""The simulator's history is valid contract traffic and looks like a living MSP."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict

from customer_svc.config import DEFAULT_REGIONS
from msc_contracts import events as ev
from msc_contracts.events import decode_event
from msc_contracts.http.customers import CustomerCreate
from msc_simulator.history import Plan, agent_events, customers, elsewhere

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def plan(count: int = 20, sets: int = 8, days: int = 14) -> Plan:
    made = customers(count, seed=7, regions=DEFAULT_REGIONS)
    for i, customer in enumerate(made):
        customer.id = f"c-{i}"
    return Plan(made, sets, days, seed=7, now=NOW)


def test_every_customer_and_event_is_valid_under_the_contract() -> None:
    the_plan = plan()
    for customer in the_plan.customers:
        CustomerCreate.model_validate(customer.body)
    types: Counter[str] = Counter()
    for topic, key, event in agent_events(the_plan):
        decoded = decode_event(json.dumps(event).encode(), key.encode(), topic)
        assert decoded.time <= NOW
        types[decoded.type] += 1
    assert types.keys() == {
        ev.BACKUP_SET_UPSERTED,
        ev.JOB_REPORTED,
        ev.ALERT_RAISED,
        ev.ALERT_CLEARED,
        ev.USAGE_REPORTED,
    }


def test_jobs_end_alerts_mostly_clear_and_only_some_customers_are_in_trouble() -> None:
    the_plan = plan()
    statuses: dict[str, list[str]] = defaultdict(list)
    open_alerts: dict[str, set[str]] = defaultdict(set)
    for _, key, event in agent_events(the_plan):
        data = event["data"]
        if event["type"] == ev.JOB_REPORTED:
            statuses[data["job_id"]].append(data["status"])
        elif event["type"] == ev.ALERT_RAISED:
            open_alerts[key].add(data["alert_id"])
        elif event["type"] == ev.ALERT_CLEARED:
            open_alerts[key].discard(data["alert_id"])
    ended = [s for s in statuses.values() if s[-1] != "running"]
    assert len(ended) >= 0.95 * len(statuses)  # only jobs still running at `now` lack an end
    finals = Counter(s[-1] for s in ended)
    assert finals["successful"] > 0.85 * len(ended) and finals["failed"] > 0
    troubled = sum(1 for alerts in open_alerts.values() if alerts)
    assert 0 < troubled < len(the_plan.customers) / 2


def test_few_customers_breach_an_rpo() -> None:
    the_plan = plan()
    rpo: dict[tuple[str, str], int] = {}
    last_success: dict[tuple[str, str], dt.datetime] = {}
    for _, key, event in agent_events(the_plan):
        data = event["data"]
        if event["type"] == ev.BACKUP_SET_UPSERTED:
            rpo[(key, data["backup_set_id"])] = data["rpo_hours"]
        elif event["type"] == ev.JOB_REPORTED and data["status"] in {
            "successful",
            "successful_with_errors",
        }:
            ended = dt.datetime.fromisoformat(data["ended_at"])
            set_key = (key, data["backup_set_id"])
            last_success[set_key] = max(ended, last_success.get(set_key, ended))
    breached = {
        set_key
        for set_key, hours in rpo.items()
        if NOW - last_success[set_key] > dt.timedelta(hours=hours)
    }
    customers_breached = {cid for cid, _ in breached}
    # Stalled agents, and sets whose last backups failed.
    assert 0 < len(customers_breached) <= len(the_plan.customers) / 3


def test_names_are_plausible_and_unique_and_a_taken_one_moves_to_another_city() -> None:
    made = customers(200, seed=3, regions=DEFAULT_REGIONS)
    names = [c.name for c in made]
    assert len(set(names)) == len(names)
    assert not any("#" in name or "(" in name for name in names)  # no serial numbers
    first = made[0]
    taken = first.name
    elsewhere(first, 0)
    assert first.name.startswith(f"{taken}, ") and first.body["account"]["name"] == first.name
    elsewhere(first, 1)
    assert first.name.count(", ") == 1  # the city replaced, not appended again
