"""A customer's figures at one stored revision, as a read answers from them: the figures
prepared once, the hour details known at that revision, and the views last answered.

A view asked for again is answered as it was (with the new `as_of`) until the first instant
at which it could differ (`SlaView.valid_until`), and its JSON is rendered once
(`KeptView.rendered`). The store keeps snapshots in its memory while their revision is the
stored one (`adapters.store.RememberingStore`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.prepared import PreparedSla, SetQuery
from sla_svc.domain.view import SlaView

ViewKey = tuple[str, str | None, int, SetQuery]
"""A view's window, cursor and page size."""
VIEWS_PER_SNAPSHOT = 16
Render = Callable[[SlaView], bytes]


@dataclass
class KeptView:
    """A view computed from a snapshot, and its rendering once asked for. Until
    `view.valid_until` it is the answer to its key at any `as_of`, so whatever of the
    rendering does not depend on `as_of` is done once."""

    view: SlaView
    _rendered: bytes | None = None

    def at(self, as_of: dt.datetime) -> SlaView:
        """The view as of `as_of`."""
        return replace(self.view, as_of=as_of)

    def rendered(self, render: Render) -> bytes:
        """`render(view)`, computed on first use (`render` must not depend on `as_of`)."""
        if self._rendered is None:
            self._rendered = render(self.view)
        return self._rendered


@dataclass
class Snapshot:
    """A snapshot of a customer's stored figures at one revision: the figures, prepared, the
    hour details read at that revision, and the views last answered from them."""

    revision: str
    customer: CustomerSla
    details: dict[str, HourDetail | None] = field(default_factory=dict)
    views: dict[ViewKey, KeptView] = field(default_factory=dict)
    checked_at: dt.datetime | None = None
    """When `revision` was last known to be the stored one."""

    def details_of(self, hours: Iterable[str]) -> dict[str, HourDetail]:
        """The details of these hours that exist (each hour must be known here)."""
        return {hour: detail for hour in hours if (detail := self.details[hour])}

    @cached_property
    def sla(self) -> PreparedSla:
        """The figures prepared, on first use."""
        return PreparedSla(self.customer)

    def view(self, key: ViewKey, as_of: dt.datetime) -> KeptView | None:
        """The view kept for `key`, if it is still the answer at `as_of`."""
        kept = self.views.get(key)
        if kept is None or not kept.view.as_of <= as_of < kept.view.valid_until:
            return None
        return kept

    def keep(self, key: ViewKey, view: SlaView) -> KeptView:
        """Keep `view`; only the last few pages asked for are kept."""
        kept = KeptView(view)
        self.views.pop(key, None)
        self.views[key] = kept
        if len(self.views) > VIEWS_PER_SNAPSHOT:
            del self.views[next(iter(self.views))]
        return kept
