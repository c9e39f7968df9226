"""Retrying through transient infrastructure errors: which errors a retry can cure, and
the backoff with jitter between attempts."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiokafka.errors import KafkaError, KafkaTimeoutError
from prometheus_client import Counter
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

from msc_platform.fencing import Revoked

log = logging.getLogger(__name__)
T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """True for infrastructure errors that a retry can cure: the database or the broker
    unreachable, a failover, a timeout, or two upserts of one new document at once (handlers
    only upsert by `_id`, so reading again and retrying settles it)."""
    if isinstance(exc, ConnectionFailure | DuplicateKeyError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, KafkaError):
        return isinstance(exc, KafkaTimeoutError) or bool(exc.retriable)
    return isinstance(exc, OperationFailure) and exc.has_error_label("RetryableWriteError")


def backoff(attempt: int, cap_s: float) -> float:
    """Seconds to wait before retry `attempt` (1, 2, ...): exponential from 0.1 s up to
    `cap_s`, with full jitter so that instances that failed together do not retry together."""
    return random.uniform(0, min(cap_s, 0.1 * 2 ** (attempt - 1)))


class Retrying:
    """Runs an attempt again, with `backoff`, for as long as it fails for a transient
    reason, counting each retry; gives up with `Revoked` once `given_up()` says the batch
    is no longer this member's."""

    def __init__(
        self, *, max_backoff_s: float, retries: Counter, given_up: Callable[[], bool]
    ) -> None:
        self._max_backoff_s = max_backoff_s
        self._retries = retries
        self._given_up = given_up

    async def run(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """`attempt()` until it succeeds or fails for a reason a retry cannot cure."""
        failures = 0
        while True:
            if self._given_up():
                raise Revoked
            try:
                return await attempt()
            except (PyMongoError, KafkaError, OSError, TimeoutError) as exc:
                if not is_transient(exc):
                    raise
                failures += 1
                delay = backoff(failures, self._max_backoff_s)
                self._retries.inc()
                log.warning(
                    "transient %s error, retry %d in %.1f s: %r", what, failures, delay, exc
                )
                await asyncio.sleep(delay)
