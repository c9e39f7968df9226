"""The last 90 days' credits of the customers a list page shows, for their plan badges,
remembered a few minutes so that paging and searching do not read every row's usage again.

An instance forgets a customer's figure when it records usage for it; usage recorded by
another instance shows after at most `ttl` (the badges may be that much behind).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence

from customer_svc.domain.consumption import consumption, window_start
from customer_svc.ports import UsageRepository
from msc_platform.clock import Clock


class RecentCredits:
    """Credits of the last 90 UTC days per customer, each kept for `ttl` (and only on the
    day it was summed), at most `size` customers."""

    def __init__(
        self,
        usage: UsageRepository,
        clock: Clock,
        ttl: dt.timedelta = dt.timedelta(minutes=5),
        size: int = 50_000,
    ) -> None:
        self._usage = usage
        self._clock = clock
        self._ttl = ttl
        self._size = size
        self._kept: OrderedDict[str, tuple[float, dt.datetime]] = OrderedDict()

    async def of(self, customer_ids: Sequence[str]) -> dict[str, float]:
        """Each customer's credits; those not kept (or kept too long) are read, together."""
        now = self._clock.now()
        found: dict[str, float] = {}
        for cid in customer_ids:
            kept = self._kept.get(cid)
            if kept and now - kept[1] < self._ttl and kept[1].date() == now.date():
                found[cid] = kept[0]
        missing = [cid for cid in dict.fromkeys(customer_ids) if cid not in found]
        today = now.date()
        read = await asyncio.gather(
            *(self._usage.days(cid, window_start(today)) for cid in missing)
        )
        for cid, days in zip(missing, read, strict=True):
            found[cid] = consumption(days, today).credits_consumed
            self._kept[cid] = (found[cid], now)
            self._kept.move_to_end(cid)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return found

    def forget(self, customer_ids: Sequence[str]) -> None:
        """Their usage changed: read it again next time."""
        for cid in customer_ids:
            self._kept.pop(cid, None)
