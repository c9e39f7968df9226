"""Every customer's daily usage of the last 90 days, held in memory: the Summary tab's
consumption and the customers list's plan badges read no usage from the database, so a
page of the list (a search above all) costs its own length and a customer's details one
read of the customer.

A customer's days are held as two arrays from its first kept day to its last, credits
(floats) and storage (integers, -1 on a day without a report): 16 bytes a day, compact
enough to hold every customer (README, "Usage is held in memory too"). They are replaced
whole each time the customer's usage is read again; the window is applied when asked, so
it moves on with the date without anything being written.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Sequence

from customer_svc.domain.consumption import DailyUsage, credits_sum, window_start

NO_REPORT = -1


class RecentUsage:
    """Daily usage per customer, as last read from the usage store."""

    def __init__(self) -> None:
        self._days: dict[str, tuple[int, array[float], array[int]]] = {}
        """Per customer: its first day's ordinal, credits and storage from that day on."""
        self.filled = False
        """True once every stored customer's usage has been put (until then it would lie)."""

    def __len__(self) -> int:
        return len(self._days)

    def put(self, customer_id: str, days: Iterable[DailyUsage]) -> None:
        """Hold these as the customer's days (none: forget the customer)."""
        by_day = {d.date.toordinal(): d for d in days}
        if not by_day:
            self.forget(customer_id)
            return
        first, span = min(by_day), max(by_day) - min(by_day) + 1
        credits = array("d", bytes(8 * span))
        storage = array("q", [NO_REPORT]) * span
        for ordinal, day in by_day.items():
            credits[ordinal - first] = day.credits_consumed
            storage[ordinal - first] = day.storage_bytes
        self._days[customer_id] = (first, credits, storage)

    def forget(self, customer_id: str) -> None:
        """Hold nothing for the customer (deleted, or never created)."""
        self._days.pop(customer_id, None)

    def days(self, customer_id: str, since: dt.date) -> list[DailyUsage]:
        """The customer's reported days from `since` on, oldest first."""
        held = self._days.get(customer_id)
        if held is None:
            return []
        first, credits, storage = held
        start = max(since.toordinal() - first, 0)
        return [
            DailyUsage(dt.date.fromordinal(first + i), credits[i], storage[i])
            for i in range(start, len(storage))
            if storage[i] != NO_REPORT
        ]

    def credits(self, customer_ids: Sequence[str], today: dt.date) -> dict[str, float]:
        """Each customer's credits over the 90 days that end `today` (0 without usage), as
        the Summary tab's `consumption` sums them."""
        start, end = window_start(today).toordinal(), today.toordinal()
        found: dict[str, float] = {}
        for cid in customer_ids:
            held = self._days.get(cid)
            if held is None:
                found[cid] = 0.0
                continue
            first, credits, _ = held
            inside = credits[max(start - first, 0) : max(end - first + 1, 0)]
            found[cid] = credits_sum(inside)
        return found
