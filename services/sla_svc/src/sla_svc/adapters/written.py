"""What the store last wrote of each customer, kept so that the next batch of the same
customer need not read it back: its figures document and the job histories of its sets.

Good only at the revision it was written at: each batch reads the customer's head first
(`MongoSlaStore.heads_of`), and while the head still names the revision this store wrote,
nobody else has written the customer since (one writer per customer; another writer's
save, after a rebalance, names a new revision). An entry is taken out before a save and
put back only once all of the save is written, so a save that fails leaves nothing behind.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sla_svc.domain.job_history import SetHistory

Document = dict[str, Any]


@dataclass
class Written:
    """One customer as this store wrote it at `revision`."""

    revision: str
    customer: Document
    histories: dict[str, SetHistory | None] = field(default_factory=dict)
    """Job histories known at `revision`, by set; None where the store has none."""

    def remember(self, histories: Mapping[str, SetHistory | None]) -> None:
        """Histories read at this revision."""
        self.histories.update(histories)


class WrittenCustomers:
    """The last `customers` customers written, with at most `histories` job histories in
    all (the oldest written are forgotten first)."""

    def __init__(self, customers: int = 500, histories: int = 20_000) -> None:
        self._customers = customers
        self._histories = histories
        self._kept: OrderedDict[str, Written] = OrderedDict()

    def at(self, customer_id: str, revision: str | None) -> Written | None:
        """The customer as written at `revision`, if this store wrote it so."""
        written = self._kept.get(customer_id)
        if written is None or revision is None or written.revision != revision:
            return None
        self._kept.move_to_end(customer_id)
        return written

    def take(self, customer_id: str, revision: str | None) -> Written | None:
        """Forget the customer (a save of it begins); what was known at `revision`."""
        written = self._kept.pop(customer_id, None)
        return written if written is not None and written.revision == revision else None

    def keep(
        self,
        customer_id: str,
        revision: str,
        customer: Document,
        base: Written | None,
        histories: Mapping[str, SetHistory],
    ) -> None:
        """The customer as saved at `revision`: its figures, and the histories known at
        the revision the save started from (`base`) with those it wrote."""
        known: dict[str, SetHistory | None] = dict(base.histories) if base else {}
        known.update(histories)
        self._kept[customer_id] = Written(revision, customer, known)
        total = sum(len(w.histories) for w in self._kept.values())
        while self._kept and (len(self._kept) > self._customers or total > self._histories):
            _, oldest = self._kept.popitem(last=False)
            total -= len(oldest.histories)
