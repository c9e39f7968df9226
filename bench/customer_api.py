"""Benchmark of customer_svc: reading a customer, `PATCH account` and the customers list
(first page, next pages, a `q` search) at each fleet size, beside a bare find_one.

    make bench-customer      (or: uv run python bench/customer_api.py --customers 1000,10000)

Prints a table on stderr and, last on stdout, one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import uuid
from collections.abc import Awaitable, Callable

from pymongo import AsyncMongoClient

from _harness import Endpoints, Http, infrastructure, measure, new_customer, say, services


async def run(
    endpoints: Endpoints,
    url: str,
    database: str,
    total: int,
    concurrency: int,
    fleets: list[int],
) -> dict[str, float]:
    figures: dict[str, float] = {"concurrency": concurrency}
    async with Http(concurrency, url) as http:
        ids, etags = [], []
        for i in range(concurrency):
            body = new_customer(f"Bench {uuid.uuid4().hex[:8]} {i}")
            created = await http.post("/api/v1/customers", json=body)
            ids.append(created.json()["id"])
            etags.append(created.headers["ETag"])

        async def read(worker: int) -> None:
            await http.get(f"/api/v1/customers/{ids[0]}")

        async def patch(worker: int) -> None:
            answer = await http.request(
                "PATCH",
                f"/api/v1/customers/{ids[worker]}/account",
                json={"address": f"{uuid.uuid4().hex[:6]} Main St"},
                headers={"If-Match": etags[worker]},
            )
            etags[worker] = answer.headers["ETag"]

        mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            endpoints.mongodb, maxPoolSize=concurrency
        )
        collection = mongo[database]["customers"]

        async def find_one(worker: int) -> None:
            assert await collection.find_one({"_id": ids[0]}) is not None

        say(f"{total} operations each at concurrency {concurrency}")
        bare = await measure("driver find_one (same doc)", find_one, total, concurrency)
        get = await measure("GET /customers/{id}", read, total, concurrency)
        upd = await measure("PATCH /customers/{id}/account", patch, total // 2, concurrency)
        figures |= {
            "get_per_s": round(get.per_s, 1),
            "get_p50_ms": round(get.p50_ms, 2),
            "get_p99_ms": round(get.p99_ms, 2),
            "patch_per_s": round(upd.per_s, 1),
            "patch_p50_ms": round(upd.p50_ms, 2),
            "patch_p99_ms": round(upd.p99_ms, 2),
            "find_one_per_s": round(bare.per_s, 1),
            "find_one_p50_ms": round(bare.p50_ms, 2),
            "find_one_p99_ms": round(bare.p99_ms, 2),
            "get_p99_over_find_one_p99": round(get.p99_ms / bare.p99_ms, 2),
        }
        made = Fleet()
        for fleet in fleets:
            figures |= await list_at(http, made, fleet, total, concurrency, find_one)
        if len(fleets) > 1:
            small, large = fleets[0], fleets[-1]
            figures[f"list_p99_{large}_over_{small}"] = round(
                figures[f"list_p99_ms_{large}"] / figures[f"list_p99_ms_{small}"], 2
            )
        await mongo.close()
    return figures


async def list_at(
    http: Http,
    made: Fleet,
    fleet: int,
    total: int,
    concurrency: int,
    find_one: Callable[[int], Awaitable[None]],
) -> dict[str, float]:
    """The list's first page, its next pages and a `q` search once `fleet` customers exist,
    each beside a bare find_one measured right before them."""
    await made.grow_to(http, fleet, concurrency)
    say(f"{fleet} customers: the list at concurrency {concurrency}")
    cursors: list[str] = []
    cursor = None
    for _ in range(20):  # the cursors of pages 2 to 21
        params = {"limit": "50"} | ({"cursor": cursor} if cursor else {})
        cursor = (await http.get("/api/v1/customers", params=params)).json()["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)

    async def first_page(worker: int) -> None:
        await http.get("/api/v1/customers", params={"limit": "50"})

    async def next_page(worker: int) -> None:
        cursor = cursors[random.randrange(len(cursors))]
        await http.get("/api/v1/customers", params={"limit": "50", "cursor": cursor})

    async def search(worker: int) -> None:  # a name's fragment: a few dozen match
        await http.get("/api/v1/customers", params={"limit": "50", "q": random.choice(FRAGMENTS)})

    bare = await measure(f"driver find_one ({fleet})", find_one, total, concurrency)
    first = await measure(f"list, first page of 50 ({fleet})", first_page, total, concurrency)
    later = await measure(f"list, pages 2-21 ({fleet})", next_page, total, concurrency)
    found = await measure(f"list, q search ({fleet})", search, total, concurrency)
    return {
        f"find_one_p99_ms_{fleet}": round(bare.p99_ms, 2),
        f"list_p50_ms_{fleet}": round(first.p50_ms, 2),
        f"list_p99_ms_{fleet}": round(first.p99_ms, 2),
        f"list_next_p99_ms_{fleet}": round(later.p99_ms, 2),
        f"list_q_p99_ms_{fleet}": round(found.p99_ms, 2),
        f"list_p99_over_find_one_p99_{fleet}": round(first.p99_ms / bare.p99_ms, 2),
        f"list_next_p99_over_find_one_p99_{fleet}": round(later.p99_ms / bare.p99_ms, 2),
        f"list_q_p99_over_find_one_p99_{fleet}": round(found.p99_ms / bare.p99_ms, 2),
    }


FRAGMENTS = [f"{a}{b}{c}" for a in "0123456789abcdef" for b in "02468ace" for c in "13579bdf"]
"""Three hex digits: each is in about 1 name of 700 (names hold 8 random hex digits)."""


class Fleet:
    """The customers the benchmark made (the list's own count is not public)."""

    def __init__(self) -> None:
        self.size = 0

    async def grow_to(self, http: Http, size: int, concurrency: int) -> None:
        """Create customers until there are `size`, showing progress."""
        if size <= self.size:
            return
        say(f"creating {size - self.size} customers ...")
        numbers = iter(range(self.size, size))

        async def creator() -> None:
            for n in numbers:
                body = new_customer(f"Fleet {uuid.uuid4().hex[:8]} {n}")
                await http.post("/api/v1/customers", json=body)
                if (n + 1) % 1000 == 0:
                    say(f"  {n + 1} customers")

        await asyncio.gather(*(creator() for _ in range(concurrency)))
        self.size = size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--customers",
        default="1000,10000",
        help="fleet sizes, comma-separated: the list is measured at each (default 1000,10000)",
    )
    args = parser.parse_args()
    database = f"bench_customers_{uuid.uuid4().hex[:6]}"
    with (
        infrastructure() as endpoints,
        services(
            ["customer_svc"], endpoints, {"CUSTOMER_SVC_MONGODB_DATABASE": database}
        ) as running,
    ):
        figures = asyncio.run(
            run(
                endpoints,
                running["customer_svc"].url,
                database,
                args.requests,
                args.concurrency,
                [int(n) for n in args.customers.split(",")],
            )
        )
    say("done; the customer service is stopped and its data removed")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
