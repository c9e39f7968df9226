"""What every benchmark needs: infrastructure, service processes, a load loop, figures."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiokafka import AIOKafkaProducer

from msc_local.processes import (
    Infrastructure,
    Ports,
    Service,
    metric_sum,
    service_env,
    start_service,
    stop_services,
    wait_ready,
)
from msc_platform.service_token import ServiceCredential

SECRET = secrets.token_hex(32)
"""MSC_JWT_SECRET of the services a benchmark starts."""
SERVICE_AUTH = {"Authorization": ServiceCredential(SECRET, "bench").header()}
"""What a direct call to customer_svc or sla_svc carries (the gateway's own credential)."""
BENCH_PORTS = Ports(kafka=29092, mongo=27019, gateway=28080, customer_svc=28081, sla_svc=28082)


def say(message: str) -> None:
    """Progress on stderr, so the final JSON line stays alone on stdout."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Endpoints:
    """Where the benchmark's infrastructure listens."""

    kafka: str
    mongodb: str
    data_dir: Path


@contextlib.contextmanager
def infrastructure(keep: Path | None = None) -> Iterator[Endpoints]:
    """The servers of KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL, or local ones just for this run,
    their data in `keep` (kept for the next run) or in a directory removed afterwards."""
    # A benchmark stopped with SIGTERM (a supervisor, `timeout`, `kill`) stops its servers
    # too: the signal unwinds like Ctrl-C instead of ending the process where it stands.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    kafka, mongodb = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    data_dir = keep or Path(tempfile.mkdtemp(prefix="msc-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    infra = Infrastructure(data_dir, BENCH_PORTS)
    try:
        if not (kafka and mongodb):
            say("starting a local Kafka and FerretDB for this run ...")
            infra.start(kafka=not kafka, mongo=not mongodb)
        yield Endpoints(
            kafka or f"127.0.0.1:{BENCH_PORTS.kafka}",
            mongodb or f"mongodb://127.0.0.1:{BENCH_PORTS.mongo}",
            data_dir,
        )
    finally:
        infra.stop()
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def services(
    names: list[str], endpoints: Endpoints, extra: dict[str, str]
) -> Iterator[dict[str, Service]]:
    """Service processes on the benchmark ports."""
    env = service_env(
        BENCH_PORTS,
        {
            "KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka,
            "MONGODB_URL": endpoints.mongodb,
            "LOG_LEVEL": "WARNING",
            "MSC_JWT_SECRET": SECRET,
        }
        | extra,
    )
    ports = {
        "customer_svc": BENCH_PORTS.customer_svc,
        "sla_svc": BENCH_PORTS.sla_svc,
        "gateway": BENCH_PORTS.gateway,
    }
    running = {n: start_service(n, ports[n], env, endpoints.data_dir / "logs") for n in names}
    try:
        wait_ready(list(running.values()))
        yield running
    finally:
        stop_services(list(running.values()))


def new_customer(name: str) -> dict[str, Any]:
    """The body of `POST /customers` for a benchmark's customer."""
    return {
        "account": {"name": name, "phone": "+14155550100"},
        "service_plan": {
            "plan": "Standard",
            "storage_region": "us-east-1",
            "tenant_type": "commercial",
            "edition": "enterprise",
        },
        "contacts": [{"name": "Dana Lee", "email": "dana@acme.example"}],
    }


@dataclass(frozen=True)
class Answer:
    """A whole HTTP answer, read before the connection went back to the pool."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8", "replace")


class Http:
    """The benchmarks' pooled HTTP client. aiohttp, so that the load costs little of the CPU
    it shares with what it measures: an httpx request took about 2 ms of CPU on the project's
    2-core machine, an aiohttp one 0.3 ms."""

    def __init__(self, concurrency: int, base_url: str = "") -> None:
        self._concurrency = concurrency
        self._base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Http:
        connector = aiohttp.TCPConnector(limit=self._concurrency)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=60), headers=SERVICE_AUTH
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(self, method: str, url: str, **options: Any) -> Answer:
        """`method url`; any answer of 400 or more stops the benchmark, saying what it was."""
        assert self._session is not None, "use `async with Http(...)`"
        async with self._session.request(method, self._base_url + url, **options) as answer:
            reply = Answer(answer.status, answer.headers, await answer.read())
        if reply.status_code >= 400:
            raise RuntimeError(f"{method} {url} answered {reply.status_code}: {reply.text[:300]}")
        return reply

    async def get(self, url: str, **options: Any) -> Answer:
        """`GET url`."""
        return await self.request("GET", url, **options)

    async def post(self, url: str, **options: Any) -> Answer:
        """`POST url`."""
        return await self.request("POST", url, **options)


@dataclass(frozen=True)
class Figures:
    """Throughput and latency of one measured operation."""

    name: str
    count: int
    seconds: float
    p50_ms: float
    p99_ms: float
    calls: int
    """Every call made, the untimed warm-up ones too."""

    @property
    def per_s(self) -> float:
        """Operations per second."""
        return self.count / self.seconds

    def line(self) -> str:
        """A row of the summary table."""
        return f"{self.name:<42} {self.per_s:>10.0f}/s  p50 {self.p50_ms:>8.2f} ms  p99 {self.p99_ms:>8.2f} ms"


async def measure(
    name: str, operation: Callable[[int], Awaitable[None]], total: int, concurrency: int
) -> Figures:
    """Run `operation(worker)` `total` times over `concurrency` workers; time each call.

    A tenth of as many calls go first, untimed: connections opened, caches and the
    processes' first-call costs warm, as in a system that has been running for a while.
    """
    latencies: list[float] = []

    async def worker(index: int, calls: int, timed: bool) -> None:
        for _ in range(calls):
            started = time.perf_counter()
            await operation(index)
            if timed:
                latencies.append(time.perf_counter() - started)

    warm_up = max(total // 10 // concurrency, 1)
    await asyncio.gather(*(worker(i, warm_up, False) for i in range(concurrency)))

    started = time.perf_counter()
    await asyncio.gather(*(worker(i, total // concurrency, True) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    calls = len(latencies) + warm_up * concurrency
    figures = Figures(name, len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, calls)
    say(figures.line())
    return figures


async def produce(bootstrap: str, events: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
    """Publish (topic, key, event) as an agent would, in batches; return how many."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=512 * 1024, acks="all"
    )
    await producer.start()
    sent = 0
    try:
        pending = []
        for topic, key, event in events:
            pending.append(await producer.send(topic, json.dumps(event).encode(), key=key.encode()))
            sent += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


SETTLED = (
    "msc_events_applied_total",
    "msc_events_duplicates_ignored_total",
    "msc_events_dead_lettered_total",
    "msc_events_skipped",
)
"""Every way a consumed event is settled."""


def wait_applied(url: str, total: int) -> None:
    """Wait until the service has settled `total` events, showing progress."""
    started = time.perf_counter()
    last = -1.0
    while (seen := metric_sum(url, SETTLED)) < total:
        if int(seen) // 20000 != int(last) // 20000:
            say(f"  {int(seen):>7} / {total} applied after {time.perf_counter() - started:.0f} s")
        last = seen
        time.sleep(0.25)


def cloud_event(
    rng: random.Random, customer_id: str, type_: str, time: dt.datetime, data: dict[str, Any]
) -> dict[str, Any]:
    """An event as an agent publishes it, its id drawn from `rng` (so a run repeats)."""
    return {
        "specversion": "1.0",
        "id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "source": "urn:msc:agent:bench",
        "type": type_,
        "time": time.isoformat(),
        "customerid": customer_id,
        "data": data,
    }
