"""Benchmark of customer_svc: reading a customer and `PATCH account`, beside a bare find_one.

    make bench-customer      (or: uv run python bench/customer_api.py --requests 3000)

Prints a table on stderr and, last on stdout, one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid

from pymongo import AsyncMongoClient

from _harness import Endpoints, Http, infrastructure, measure, new_customer, say, services


async def run(
    endpoints: Endpoints, url: str, database: str, total: int, concurrency: int
) -> dict[str, float]:
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
        await mongo.close()
    return {
        "concurrency": concurrency,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    database = f"bench_customers_{uuid.uuid4().hex[:6]}"
    with (
        infrastructure() as endpoints,
        services(
            ["customer_svc"], endpoints, {"CUSTOMER_SVC_MONGODB_DATABASE": database}
        ) as running,
    ):
        figures = asyncio.run(
            run(endpoints, running["customer_svc"].url, database, args.requests, args.concurrency)
        )
    say("done; the customer service is stopped and its data removed")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
