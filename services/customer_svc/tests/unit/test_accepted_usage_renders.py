"""Property: a usage event the contract accepts always gives a consumption block of finite
numbers (a credit figure of 1e309 once made the block's credits `null`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from customer_svc.domain.consumption import DailyUsage, consumption
from msc_contracts import events as ev
from msc_contracts.events import InvalidEvent, decode_event
from msc_contracts.topics import BACKUP_USAGE

NOW = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)
days = st.dates(min_value=dt.date(2026, 8, 1), max_value=dt.date(2026, 11, 29)) | st.dates()
amounts = (
    st.integers(min_value=0, max_value=10**6)
    | st.sampled_from([1e308, 1e309, float("nan"), 2**63, 10**30])
    | st.integers()
    | st.floats()
)


@given(st.lists(st.tuples(days, amounts, amounts), min_size=1, max_size=120))
def test_accepted_usage_sums_to_finite_figures(
    reports: list[tuple[dt.date, object, object]],
) -> None:
    usage = []
    for day, credits, storage in reports:
        raw = {
            "specversion": "1.0",
            "id": "u-1",
            "source": "urn:test",
            "type": ev.USAGE_REPORTED,
            "time": NOW.isoformat(),
            "customerid": "c-1",
            "data": {
                "date": day.isoformat(),
                "credits_consumed": credits,
                "storage_bytes": storage,
            },
        }
        try:
            data = decode_event(json.dumps(raw).encode(), b"c-1", BACKUP_USAGE, now=NOW).data
        except InvalidEvent:
            continue
        usage.append(DailyUsage(data.date, data.credits_consumed, data.storage_bytes))
    block = consumption(usage, NOW.date())
    json.dumps(dataclasses.asdict(block), default=str, allow_nan=False)
