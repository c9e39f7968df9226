"""The current time as a port, so tests can fix it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    """The current time."""

    def now(self) -> dt.datetime:
        """Now, timezone-aware UTC."""


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """Now, timezone-aware UTC."""
        return dt.datetime.now(dt.UTC)
