"""A clock for tests."""

from __future__ import annotations

import datetime as dt


class FixedClock:
    """A clock that says what it is told."""

    def __init__(self, now: dt.datetime) -> None:
        self.now_ = now

    def now(self) -> dt.datetime:
        """The time it was told."""
        return self.now_
