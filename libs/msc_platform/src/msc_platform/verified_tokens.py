"""Tokens already verified, remembered until they expire: a caller sends the same token on
every request, and checking its signature each time is most of what a small request costs
(the gateway's CPU per details view: `bench/results.md`)."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


class VerifiedTokens(Generic[T]):
    """What each verified token said, kept until its `exp`; the least recently used go
    first beyond `size`. Only a token whose signature and claims passed is ever kept."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[str, tuple[T, float]] = OrderedDict()

    def get(self, token: str) -> T | None:
        """What `token` said, if it was verified and has not expired since."""
        kept = self._kept.get(token)
        if kept is None:
            return None
        if kept[1] <= time.time():
            del self._kept[token]
            return None
        self._kept.move_to_end(token)
        return kept[0]

    def keep(self, token: str, said: T, expires_at: float) -> None:
        """Remember a token just verified, until `expires_at` (seconds since the epoch)."""
        self._kept[token] = (said, expires_at)
        self._kept.move_to_end(token)
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)
