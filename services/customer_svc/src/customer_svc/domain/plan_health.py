"""Plan health in the customers list: badges for a plan about to expire or a credit quota
nearly or wholly used in the last 90 days (`consumption.WINDOW_DAYS`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from customer_svc.domain.model import ServicePlan

EXPIRY_WARNING_DAYS = 30
CREDITS_WARNING_SHARE = 0.8

PlanBadge = Literal["expired", "expires_soon", "credits_over_80", "credits_over_100"]


def quota_used(plan: ServicePlan, credits: float) -> float | None:
    """The share of the credit quota the last 90 days' credits are (1.0 = all of it); None
    without a quota or with a quota of 0 (whose every credit is over it)."""
    if not plan.credit_quota:
        return None
    return round(credits / plan.credit_quota, 4)


def plan_badges(plan: ServicePlan, credits: float, today: dt.date) -> list[PlanBadge]:
    """At most one expiry badge (`expired`, or `expires_soon` within 30 days, today
    included) and one credits badge (`credits_over_100` above the quota, else
    `credits_over_80` above 80 % of it)."""
    badges: list[PlanBadge] = []
    if plan.expiry_date is not None:
        days_left = (plan.expiry_date - today).days
        if days_left < 0:
            badges.append("expired")
        elif days_left <= EXPIRY_WARNING_DAYS:
            badges.append("expires_soon")
    if plan.credit_quota is not None:
        if credits > plan.credit_quota:
            badges.append("credits_over_100")
        elif credits > CREDITS_WARNING_SHARE * plan.credit_quota:
            badges.append("credits_over_80")
    return badges
