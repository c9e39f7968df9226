"""Which of the topics a service writes to the broker lacks, known cheaply.

The broker's topic list is asked for at most once per `refresh_s` (a readiness probe
every few seconds, or a batch of dead letters, reuses the last answer), and again at once
when a publish says a topic is unknown, to tell a missing topic from a broker that does not
answer: only an answer from the broker can say a topic is missing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence

log = logging.getLogger(__name__)

ListTopics = Callable[[], Awaitable[Collection[str]]]


class TopicPresence:
    """The topics among `topics` that the broker's last listing lacked."""

    def __init__(self, list_topics: ListTopics, topics: Sequence[str], refresh_s: float = 30.0):
        self._list_topics = list_topics
        self._topics = tuple(topics)
        self._refresh_s = refresh_s
        self._missing: frozenset[str] = frozenset()
        self._known = False
        self._asked_at: float | None = None
        self._lock = asyncio.Lock()

    async def missing(self) -> frozenset[str]:
        """The topics missing at the last listing, asking again once it is `refresh_s` old.
        Before the broker has answered once, none is taken as missing."""
        asked_at = self._asked_at
        if asked_at is None or time.monotonic() - asked_at >= self._refresh_s:
            await self._refresh(asked_at)
        return self._missing

    async def confirmed_missing(self, topic: str) -> bool:
        """True if the broker, asked now, says `topic` does not exist; False if it has it
        or does not answer (then it is the broker that is missing, not the topic)."""
        answered = await self._refresh(self._asked_at)
        return answered and topic in self._missing

    async def probe(self) -> None:
        """Readiness: fails naming the topics the broker lacks."""
        missing = await self.missing()
        if missing:
            raise RuntimeError(
                f"topics missing on the broker: {', '.join(sorted(missing))}; records that "
                "would go there are logged and counted in msc_dead_letters_lost_total "
                "instead (create them: python -m msc_platform.topics)"
            )

    async def _refresh(self, seen_at: float | None) -> bool:
        """Ask the broker; True if it answered. Concurrent callers share one request."""
        async with self._lock:
            if self._asked_at != seen_at:
                return self._known  # another caller asked while this one waited
            self._asked_at = time.monotonic()
            try:
                existing = set(await self._list_topics())
            except Exception as exc:  # the broker's fault, not the topics': keep what is known
                log.warning("could not list the broker's topics: %r", exc)
                self._known = False
                return False
            missing = frozenset(t for t in self._topics if t not in existing)
            if missing != self._missing:
                log.log(
                    logging.ERROR if missing else logging.INFO,
                    "topics missing on the broker: %s",
                    ", ".join(sorted(missing)) or "none",
                )
            self._missing = missing
            self._known = True
            return True
