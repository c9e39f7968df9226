"""Every customer's daily credits, held in memory for the customers list's plan badges, so
a page of the list reads no usage: its cost stays its own length whatever it searches.

A customer's days are held as one array of floats from its first kept day to its last
(8 bytes a day: about 1 KB a customer, 10 MB for 10,000), replaced whole each time its
usage is read again; the sum over the window is taken when a page asks, so the window
moves on with the date without anything being written.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Sequence

from customer_svc.domain.consumption import DailyUsage, window_start


class RecentCredits:
    """Daily credits per customer, as last read from the usage store."""

    def __init__(self) -> None:
        self._days: dict[str, tuple[int, array[float]]] = {}  # first day's ordinal, credits
        self.filled = False
        """True once every stored customer's usage has been put (until then badges would lie)."""

    def __len__(self) -> int:
        return len(self._days)

    def put(self, customer_id: str, days: Iterable[DailyUsage]) -> None:
        """Hold these as the customer's days (none: forget the customer)."""
        by_day = {d.date.toordinal(): d.credits_consumed for d in days}
        if not by_day:
            self._days.pop(customer_id, None)
            return
        first = min(by_day)
        credits = array("d", bytes(8 * (max(by_day) - first + 1)))
        for day, value in by_day.items():
            credits[day - first] = value
        self._days[customer_id] = (first, credits)

    def of(self, customer_ids: Sequence[str], today: dt.date) -> dict[str, float]:
        """Each customer's credits over the 90 days that end `today` (0 without usage),
        rounded as the details view's `consumption` rounds them."""
        start, end = window_start(today).toordinal(), today.toordinal()
        found: dict[str, float] = {}
        for cid in customer_ids:
            held = self._days.get(cid)
            if held is None:
                found[cid] = 0.0
                continue
            first, credits = held
            inside = credits[max(start - first, 0) : max(end - first + 1, 0)]
            found[cid] = round(sum(inside), 6)
        return found
