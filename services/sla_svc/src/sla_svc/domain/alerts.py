"""Rule 3: an alert is open from its `raised` until its `cleared`, and cleared for good."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Raised:
    """The `raised` event that defines an alert (the latest one, if it was raised twice)."""

    order: str
    time: str
    severity: str
    backup_set_id: str | None


@dataclass(frozen=True)
class AlertState:
    """What is known of one alert."""

    alert_id: str
    raised: Raised | None = None
    cleared: bool = False

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
