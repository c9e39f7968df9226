"""The list's plan badges: expiry within 30 days, credits over 80 % / 100 % of the quota."""

from __future__ import annotations

import datetime as dt

import pytest

from customer_svc.domain.model import ServicePlan
from customer_svc.domain.plan_health import plan_badges, quota_used

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("expiry", "badges"),
    [
        (None, []),
        (TODAY - dt.timedelta(days=1), ["expired"]),
        (TODAY, ["expires_soon"]),
        (TODAY + dt.timedelta(days=30), ["expires_soon"]),
        (TODAY + dt.timedelta(days=31), []),
    ],
)
def test_expiry(expiry: dt.date | None, badges: list[str]) -> None:
    assert plan_badges(ServicePlan(expiry_date=expiry), 0.0, TODAY) == badges


@pytest.mark.parametrize(
    ("quota", "credits", "badges", "share"),
    [
        (None, 10**6, [], None),
        (1000, 800.0, [], 0.8),
        (1000, 800.5, ["credits_over_80"], 0.8005),
        (1000, 1000.0, ["credits_over_80"], 1.0),
        (1000, 1000.01, ["credits_over_100"], 1.0),
        (0, 0.0, [], None),
        (0, 0.5, ["credits_over_100"], None),
    ],
)
def test_credits(quota: int | None, credits: float, badges: list[str], share: float | None) -> None:
    plan = ServicePlan(credit_quota=quota)
    assert plan_badges(plan, credits, TODAY) == badges
    assert quota_used(plan, credits) == share


def test_both_at_once() -> None:
    plan = ServicePlan(expiry_date=TODAY, credit_quota=10)
    assert plan_badges(plan, 11, TODAY) == ["expires_soon", "credits_over_100"]
