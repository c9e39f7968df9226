"""A verified token is remembered until it expires, and no longer; the cache is bounded."""

from __future__ import annotations

import pytest

from msc_platform import verified_tokens
from msc_platform.verified_tokens import VerifiedTokens


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1_000.0]
    monkeypatch.setattr(verified_tokens.time, "time", lambda: now[0])
    return now


def test_a_token_is_remembered_until_it_expires(clock: list[float]) -> None:
    kept: VerifiedTokens[str] = VerifiedTokens(10)
    kept.keep("t", "alice", expires_at=1_060.0)
    assert kept.get("t") == "alice"
    clock[0] = 1_060.0
    assert kept.get("t") is None  # expired: verified again (and refused) by the caller
    assert kept.get("never seen") is None


def test_the_least_recently_used_go_first(clock: list[float]) -> None:
    kept: VerifiedTokens[int] = VerifiedTokens(2)
    kept.keep("a", 1, 2_000.0)
    kept.keep("b", 2, 2_000.0)
    assert kept.get("a") == 1  # used: "b" is now the oldest
    kept.keep("c", 3, 2_000.0)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
