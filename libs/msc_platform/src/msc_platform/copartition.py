"""Partition assignment that gives each customer exactly one consumer in a group.

Producers key every event by customer id, and Kafka's partitioner puts a key on partition
`h mod N` of a topic of `N` partitions (the same hash `h` for every topic). Let `g` be the
greatest common divisor of the partition counts of the subscribed topics: partition `p` of
any of them then holds only keys with `h mod g == p mod g`. Giving every partition `p` of
every topic to the member that owns bucket `p mod g` puts all of one customer's events,
whatever the topic, with one member, so only that member writes its documents.

- Same partition count `N` everywhere: `g = N`, and this is Kafka's range assignment
  (partition `i` of every topic to one member).
- Partitions added to some topics (6 to 12 on two of four topics): `g` stays 6 and a
  customer's old and new partitions belong to the same member, so its backlog on the old
  partition and its new events are applied by one writer.
- Counts without a useful common divisor (6 and 7): `g = 1`, one member takes everything.
  Exact, but not parallel: the assignment logs it at WARNING.

More members than `g` leaves some idle (they take over when a member leaves).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)

log = logging.getLogger(__name__)


def buckets(partition_counts: Iterable[int]) -> int:
    """How many owners the topics' partitions can be split between without splitting a key."""
    return math.gcd(*(n for n in partition_counts if n > 0)) or 1


def co_partitioned(
    partitions: Mapping[str, Iterable[int]], members: Iterable[str]
) -> dict[str, dict[str, list[int]]]:
    """`{member: {topic: [partition, ...]}}`: partition `p` of every topic to the owner of
    bucket `p mod g`, buckets dealt out to the members in sorted order."""
    by_topic = {topic: sorted(ps) for topic, ps in partitions.items()}
    owners = sorted(members)
    g = buckets(len(ps) for ps in by_topic.values())
    assignment: dict[str, dict[str, list[int]]] = {m: {} for m in owners}
    if not owners:
        return assignment
    for topic, ps in sorted(by_topic.items()):
        for p in ps:
            assignment[owners[(p % g) % len(owners)]].setdefault(topic, []).append(p)
    return assignment


class CoPartitionAssignor(AbstractPartitionAssignor):  # type: ignore[misc]
    """aiokafka assignor of `co_partitioned`; every member of the group must use it."""

    name = "msc-co-partitioned"
    version = 0

    @classmethod
    def assign(
        cls,
        cluster: ClusterMetadata,
        members: Mapping[str, ConsumerProtocolMemberMetadata],
    ) -> dict[str, ConsumerProtocolMemberAssignment]:
        """Assign the partitions of every topic any member subscribes to."""
        topics = sorted({t for meta in members.values() for t in meta.subscription})
        partitions: dict[str, set[int]] = {}
        for topic in topics:
            found = cluster.partitions_for_topic(topic)
            if found is None:
                log.warning("no partition metadata for topic %s; it is left unassigned", topic)
                continue
            partitions[topic] = set(found)
        counts = {t: len(ps) for t, ps in partitions.items()}
        g = buckets(counts.values())
        if g == 1 and len(members) > 1 and any(n > 1 for n in counts.values()):
            log.warning(
                "partition counts %s have no common divisor above 1: one member consumes "
                "everything; give the topics counts with a large common divisor",
                counts,
            )
        else:
            log.info("partition counts %s: %d buckets over %d members", counts, g, len(members))
        plan = co_partitioned(partitions, members)
        out: dict[str, ConsumerProtocolMemberAssignment] = {}
        for member, by_topic in plan.items():
            subscribed = set(members[member].subscription)
            mine = [(t, ps) for t, ps in sorted(by_topic.items()) if t in subscribed]
            out[member] = ConsumerProtocolMemberAssignment(cls.version, mine, b"")
        return out

    @classmethod
    def metadata(cls, topics: Iterable[str]) -> ConsumerProtocolMemberMetadata:
        """What a member tells the group leader: the topics it subscribes to."""
        return ConsumerProtocolMemberMetadata(cls.version, list(topics), b"")

    @classmethod
    def on_assignment(cls, assignment: ConsumerProtocolMemberAssignment) -> None:
        """Nothing to remember between assignments."""
