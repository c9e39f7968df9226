"""Fencing of a consumer's writes: a member that has begun giving up a batch's partitions
(a rebalance, or its eviction from the group after it was stuck) stops writing at its next
write command, so that it never writes for long beside the partitions' new owner.

`EventConsumer` says, for the task applying a batch (and the tasks it starts), how to tell
whether the batch is still this member's; every write command of `msc_platform.mongo`
asks first (`ensure_still_owned`). Outside a batch nothing is fenced.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar


class Revoked(Exception):
    """The batch's partitions are being revoked: leave it unsettled for the next owner."""


_batch_owned: ContextVar[Callable[[], bool]] = ContextVar("msc_batch_owned", default=lambda: True)


def owned_while(check: Callable[[], bool]) -> None:
    """From now on in this task (and those it starts), writes go on while `check()`."""
    _batch_owned.set(check)


def ensure_still_owned() -> None:
    """Raise `Revoked` once the batch being applied is no longer this member's."""
    if not _batch_owned.get()():
        raise Revoked
