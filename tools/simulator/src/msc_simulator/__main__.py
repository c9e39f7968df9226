"""`python -m msc_simulator simulate --customers 50 --backup-sets 20 --days 30`

Creates customers through the portal API (with an msp_admin token signed with
MSC_JWT_SECRET), then publishes their agents' history to Kafka, as agents would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter

import httpx
from aiokafka import AIOKafkaProducer

from msc_local.tokens import mint
from msc_simulator.history import Plan, agent_events, customers, elsewhere


async def simulate(args: argparse.Namespace) -> int:
    secret = os.environ.get("MSC_JWT_SECRET", "")
    if not secret:
        print(
            "Set MSC_JWT_SECRET to the gateway's secret (make run prints where it is).",
            file=sys.stderr,
        )
        return 2
    token = mint(secret, "msp_admin", "agent-simulator")
    started = time.monotonic()
    async with httpx.AsyncClient(
        base_url=args.gateway, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        try:
            regions = await api.get("/api/v1/storage-regions")
        except httpx.TransportError as exc:
            return _unreachable(args.gateway, exc)
        if regions.status_code != 200:
            print(f"reading the storage regions failed: {regions.status_code}", file=sys.stderr)
            return 1
        made = customers(args.customers, args.seed, regions.json()["items"])
        plan = Plan(made, args.backup_sets, args.days, args.seed)
        for n, customer in enumerate(plan.customers, 1):
            for attempt in range(20):  # a name taken by an earlier run: the same in another city
                try:
                    answer = await api.post("/api/v1/customers", json=customer.body)
                except httpx.TransportError as exc:
                    return _unreachable(args.gateway, exc)
                if answer.status_code != 409:
                    break
                elsewhere(customer, attempt)
            if answer.status_code != 201:
                print(
                    f"creating {customer.name} failed: {answer.status_code} {answer.text}",
                    file=sys.stderr,
                )
                return 1
            customer.id = answer.json()["id"]
            if n % 10 == 0 or n == len(plan.customers):
                print(f"[simulate] created {n}/{len(plan.customers)} customers", flush=True)
    producer = AIOKafkaProducer(bootstrap_servers=args.kafka, linger_ms=20, acks="all")
    try:
        await producer.start()
    except Exception as exc:
        print(f"Cannot reach Kafka at {args.kafka} ({exc}); is `make run` up?", file=sys.stderr)
        return 1
    sent: Counter[str] = Counter()
    try:
        pending = []
        for topic, key, event in agent_events(plan):
            pending.append(await producer.send(topic, json.dumps(event).encode(), key=key.encode()))
            sent[event["type"].removeprefix("com.msc.")] += 1
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
                print(f"[simulate] published {sum(sent.values())} events", flush=True)
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    print(
        f"[simulate] done in {time.monotonic() - started:.0f} s: {len(plan.customers)} customers, "
        f"{args.backup_sets} backup sets each, {args.days} days; "
        + ", ".join(f"{n} {t}" for t, n in sorted(sent.items())),
        flush=True,
    )
    return 0


def _unreachable(gateway: str, exc: Exception) -> int:
    print(f"Cannot reach the gateway at {gateway} ({exc}); is `make run` up?", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m msc_simulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("simulate", help="create customers and publish their agents' history")
    run.add_argument("--customers", type=int, default=50)
    run.add_argument("--backup-sets", type=int, default=20, help="backup sets per customer")
    run.add_argument("--days", type=int, default=30, help="days of history")
    run.add_argument("--seed", type=int, default=7)
    run.add_argument(
        "--gateway", default=os.environ.get("MSC_GATEWAY_URL", "http://127.0.0.1:8080")
    )
    run.add_argument("--kafka", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    args = parser.parse_args(argv)
    return asyncio.run(simulate(args))


if __name__ == "__main__":
    sys.exit(main())
