"""Which database errors say a write was not applied, and which leave it unknown."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    WTimeoutError,
)

from customer_svc.adapters.mongo_customers import refused


@pytest.mark.parametrize(
    ("error", "known"),
    [
        (DuplicateKeyError("E11000", 11000), True),
        (OperationFailure("not authorized", 13), True),
        (AutoReconnect("connection closed"), False),
        (NetworkTimeout("timed out"), False),
        (ExecutionTimeout("operation exceeded time limit", 50), False),
        (WTimeoutError("waiting for replication timed out", 64), False),
        (asyncio.CancelledError(), False),
    ],
)
def test_only_a_servers_refusal_says_a_write_was_not_applied(
    error: BaseException, known: bool
) -> None:
    assert refused(error) is known
