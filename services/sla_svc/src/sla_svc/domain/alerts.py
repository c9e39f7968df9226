"""Rule 3: an alert is open from its `raised` until its `cleared`, and cleared for good.

An open alert may be acknowledged: someone has seen it. It stays open (and counted open)
until cleared; the first acknowledgement (by time, then id) is kept, and nothing that
arrives later, a redelivered or late `raised` included, takes it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Raised:
    """The `raised` event that defines an alert (the latest one, if it was raised twice)."""

    order: str
    time: str
    severity: str
    backup_set_id: str | None
    alert_type: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class Acknowledged:
    """Who acknowledged an alert (the `sub` of their token) and when."""

    order: str
    time: str
    by: str


@dataclass(frozen=True)
class AlertState:
    """What is known of one alert."""

    alert_id: str
    raised: Raised | None = None
    cleared: bool = False
    acknowledged: Acknowledged | None = None

    @property
    def open(self) -> bool:
        """Raised and not cleared."""
        return self.raised is not None and not self.cleared


def raise_alert(state: AlertState | None, alert_id: str, raised: Raised) -> AlertState:
    """The alert after a `raised` event; the latest `raised` (by time, then id) defines it."""
    state = state or AlertState(alert_id)
    if state.raised is None or raised.order > state.raised.order:
        return replace(state, raised=raised)
    return state


def clear_alert(state: AlertState | None, alert_id: str) -> AlertState:
    """The alert after a `cleared` event: cleared, whatever arrives later."""
    return replace(state or AlertState(alert_id), cleared=True)


def acknowledge_alert(
    state: AlertState | None, alert_id: str, acknowledged: Acknowledged
) -> AlertState:
    """The alert after an acknowledgement: the first one (by time, then id) is kept."""
    state = state or AlertState(alert_id)
    if state.acknowledged is None or acknowledged.order < state.acknowledged.order:
        return replace(state, acknowledged=acknowledged)
    return state


def newest_open(
    index: Mapping[str, tuple[str, str, str | None]],
    severity: str | None,
    after: str | None,
    limit: int,
) -> tuple[list[str], str | None]:
    """A page of open alert ids, newest raised first (then by id), of one severity or all,
    after the cursor `after`; and the cursor of the next page. `index` maps each open
    alert to its raised time and severity (`CustomerSla.open_alert_index`)."""
    keys = sorted(
        ((time, alert_id) for alert_id, (time, sev, _) in index.items() if severity in (None, sev)),
        reverse=True,
    )
    if after is not None:
        time, _, alert_id = after.partition("|")
        keys = [key for key in keys if key < (time, alert_id)]
    page = keys[:limit]
    more = len(keys) > limit
    return [alert_id for _, alert_id in page], (f"{page[-1][0]}|{page[-1][1]}" if more else None)
