"""Property: an event the contract accepts can always be shown. Arbitrary events, hostile
values included (lone surrogates, control characters, huge or non-finite numbers, dates
from year 1 to 9999), go through the contract's decoder; whatever it accepts is applied,
and every window of the view, the view's next page and the health badge render as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msc_contracts import events as ev
from msc_contracts.events import InvalidEvent, decode_event
from msc_contracts.topics import BACKUP_ALERTS, BACKUP_JOBS, BACKUP_SETS
from services.sla_svc.tests.fakes import FakeSlaStore, sla_service
from sla_svc.api.rendering import with_as_of, without_as_of
from sla_svc.consumers import to_change
from sla_svc.domain.prepared import SetQuery
from sla_svc.domain.view import WINDOWS
from sla_svc.service import Change

NOW = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)
CUSTOMER = "c-1"


def mostly(valid: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> Any:
    """`valid` nine times in ten: most events get through, each field is sometimes hostile."""
    return st.integers(min_value=0, max_value=9).flatmap(lambda i: valid if i else hostile)


hostile_text = st.one_of(
    st.sampled_from(["", " ", "\ud800", "a\x00b", "tab\there", "é" * 300]),
    st.text(max_size=20),
    st.text(st.characters(exclude_categories=()), max_size=20),  # surrogates too
)
names = mostly(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30), hostile_text)
ids = mostly(st.sampled_from(["bs-1", "bs-2", "j1", "j2", "a1", "a2"]), hostile_text)
instants = mostly(
    st.datetimes(
        min_value=dt.datetime(2026, 10, 1),
        max_value=dt.datetime(2026, 11, 29),
        timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-11))]),
    ),
    st.datetimes(timezones=st.just(dt.UTC)),  # year 1 to 9999
).map(lambda d: d.isoformat())
numbers = mostly(
    st.integers(min_value=0, max_value=10_000),
    st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)),
)
anything = st.one_of(names, numbers, st.none(), st.booleans())


def event(event_type: str, data: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {
            "specversion": st.just("1.0"),
            "id": mostly(st.uuids().map(str), hostile_text),
            "source": st.just("urn:test"),
            "type": st.just(event_type),
            "time": instants,
            "customerid": st.just(CUSTOMER),
            "data": data,
        }
    )


jobs = event(
    ev.JOB_REPORTED,
    st.fixed_dictionaries(
        {
            "job_id": ids,
            "backup_set_id": ids,
            "job_type": st.sampled_from(["backup", "backup", "restore", "other"]),
            "status": st.sampled_from(
                ["queued", "running", "successful", "successful_with_errors", "failed", "x"]
            ),
        },
        optional={
            "started_at": instants,
            "ended_at": instants,
            "bytes_transferred": numbers,
            "error_code": anything,
            "error_message": anything,
        },
    ),
)
sets = event(
    ev.BACKUP_SET_UPSERTED,
    st.fixed_dictionaries(
        {"backup_set_id": ids, "name": names, "workload": names},
        optional={"rpo_hours": numbers},
    ),
) | event(ev.BACKUP_SET_DELETED, st.fixed_dictionaries({"backup_set_id": ids}))
alerts = event(
    ev.ALERT_RAISED,
    st.fixed_dictionaries(
        {
            "alert_id": ids,
            "severity": st.sampled_from(["critical", "warning", "info", "info", "panic"]),
            "alert_type": names,
            "message": names,
        },
        optional={"backup_set_id": st.one_of(ids, st.none())},
    ),
) | event(ev.ALERT_CLEARED, st.fixed_dictionaries({"alert_id": ids}))
TOPIC_OF = {
    ev.JOB_REPORTED: BACKUP_JOBS,
    ev.BACKUP_SET_UPSERTED: BACKUP_SETS,
    ev.BACKUP_SET_DELETED: BACKUP_SETS,
    ev.ALERT_RAISED: BACKUP_ALERTS,
    ev.ALERT_CLEARED: BACKUP_ALERTS,
}


def accepted(raw_events: list[dict[str, Any]]) -> list[Change]:
    out = []
    for raw in raw_events:
        topic = TOPIC_OF[raw["type"]]
        try:
            value = json.dumps(raw).encode("utf-8", errors="surrogatepass")
            decoded = decode_event(value, CUSTOMER.encode(), topic, now=NOW)
        except InvalidEvent:
            continue
        out.append(to_change(decoded))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(jobs, sets, alerts), min_size=1, max_size=25))
async def test_every_accepted_event_can_be_shown(raw_events: list[dict[str, Any]]) -> None:
    sla = sla_service(FakeSlaStore(), customers=4)
    await sla.apply(accepted(raw_events))
    for window in WINDOWS:
        view, rest = await sla.rendered_view(CUSTOMER, window, None, 2, without_as_of)
        json.loads(with_as_of(view, rest))
        if view.next_cursor:
            page = await sla.rendered_view(CUSTOMER, window, view.next_cursor, 2, without_as_of)
            json.loads(with_as_of(*page))
    for order in ("name", "rpo_status", "last_successful_backup_at"):  # every order pages
        query = SetQuery(order, descending=True)  # type: ignore[arg-type]
        view, rest = await sla.rendered_view(CUSTOMER, "7d", None, 2, without_as_of, query)
        json.loads(with_as_of(view, rest))
        if view.next_cursor:
            await sla.rendered_view(CUSTOMER, "7d", view.next_cursor, 2, without_as_of, query)
    alerts_page = await sla.open_alerts(CUSTOMER, None, None, 2)
    if alerts_page.next_cursor:  # alert ids are any text: the cursor must still page
        await sla.open_alerts(CUSTOMER, None, alerts_page.next_cursor, 2)
    assert set((await sla.health([CUSTOMER])).values()) <= {"ok", "warning", "critical", "unknown"}
