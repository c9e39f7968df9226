"""Co-partitioned assignment: every customer's partitions, on every topic, with one member."""

from __future__ import annotations

import pytest

from msc_platform.copartition import buckets, co_partitioned
from msc_testkit.kafka import partition_of

MEMBERS = [f"m{i}" for i in range(13)]


def owner(plan: dict[str, dict[str, list[int]]], topic: str, partition: int) -> str:
    (found,) = [m for m, topics in plan.items() if partition in topics.get(topic, [])]
    return found


@pytest.mark.parametrize("members", [1, 3, 4, 6, 13])
@pytest.mark.parametrize(
    "counts",
    [
        {"jobs": 6, "sets": 6, "alerts": 6, "customers": 6},
        {"jobs": 12, "sets": 12, "alerts": 6, "customers": 6},  # two topics raised
        {"jobs": 12, "sets": 12, "alerts": 12, "customers": 12},
        {"jobs": 7, "sets": 6, "alerts": 6, "customers": 6},  # no common divisor
    ],
)
def test_every_partition_has_one_owner_and_a_customer_one_owner_on_every_topic(
    members: int, counts: dict[str, int]
) -> None:
    plan = co_partitioned({t: range(n) for t, n in counts.items()}, MEMBERS[:members])
    for topic, n in counts.items():
        for p in range(n):
            owner(plan, topic, p)  # exactly one
    for customer in (f"c-{i:04d}" for i in range(500)):
        owners = {owner(plan, t, partition_of(customer.encode(), n)) for t, n in counts.items()}
        assert len(owners) == 1, customer


def test_a_customer_keeps_its_owner_when_some_topics_gain_partitions() -> None:
    """Its backlog on the old partition and its events on the new one: one writer."""
    before = {"jobs": 6, "sets": 6, "alerts": 6, "customers": 6}
    after = before | {"jobs": 12, "sets": 12}
    plan = co_partitioned({t: range(n) for t, n in after.items()}, MEMBERS[:4])
    for customer in (f"c-{i:04d}" for i in range(500)):
        old = owner(plan, "jobs", partition_of(customer.encode(), before["jobs"]))
        new = owner(plan, "jobs", partition_of(customer.encode(), after["jobs"]))
        assert old == new


def test_work_is_spread_over_as_many_members_as_there_are_buckets() -> None:
    plan = co_partitioned({"a": range(6), "b": range(6)}, MEMBERS[:4])
    assert sorted(sum(len(ps) for ps in topics.values()) for topics in plan.values()) == [
        2,
        2,
        4,
        4,
    ]
    assert buckets([6, 12, 6]) == 6
    assert buckets([7, 6]) == 1
    idle = co_partitioned({"a": range(6)}, MEMBERS[:13])
    assert sum(1 for topics in idle.values() if topics) == 6
