"""Writes `bench/results.md`: every figure of the last run of each benchmark, its baseline
from the same run, the ratio and the target, in one table.

    python bench/report.py      (`make bench` and each `make bench-*` run it last)

Each benchmark's JSON line is kept in `bench/results/<benchmark>.json` by the Makefile; a
benchmark not run yet shows as such.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"


@dataclass(frozen=True)
class Target:
    """One row: `figure` of `bench`, against `baseline` of the same run."""

    bench: str
    what: str
    figure: str
    baseline: str | None
    target: str
    at_most: float | None = None  # of figure / baseline (or of figure alone without one)
    at_least: float | None = None

    def row(self, figures: dict[str, float] | None) -> str:
        if figures is None or self.figure not in figures:
            return f"| {self.what} | not run | | | {self.target} | |"
        value = float(figures[self.figure])
        base = float(figures[self.baseline]) if self.baseline else None
        ratio = value / base if base else value
        met = (self.at_most is None or ratio <= self.at_most) and (
            self.at_least is None or ratio >= self.at_least
        )
        shown_base = f"{base:g} (`{self.baseline}`)" if base is not None else ""
        shown_ratio = f"{ratio:.2f}" if base is not None else ""
        return (
            f"| {self.what} | {value:g} (`{self.figure}`) | {shown_base} | {shown_ratio} "
            f"| {self.target} | {'yes' if met else '**no**'} |"
        )


TARGETS = [
    Target(
        "customer_api",
        "customer GET p99, ms",
        "get_p99_ms",
        "find_one_p99_ms",
        "<= 2 x find_one p99",
        at_most=2,
    ),
    *(
        Target(
            "customer_api",
            f"{name} at {n:,} customers, p99 ms",
            f"{key}_{n}",
            f"find_one_p99_ms_{n}",
            "<= 3 x find_one p99",
            at_most=3,
        )
        for n in (1000, 10000)
        for name, key in (
            ("list, first page of 50", "list_p99_ms"),
            ("list, pages 2-21", "list_next_p99_ms"),
            ("list, q search", "list_q_p99_ms"),
        )
    ),
    Target(
        "customer_api",
        "list p99 at 10,000 customers, ms",
        "list_p99_ms_10000",
        "list_p99_ms_1000",
        "<= 1.5 x its p99 at 1,000",
        at_most=1.5,
    ),
    Target(
        "gateway_details",
        "gateway CPU per composed view, ms",
        "cpu_ms_per_details_gateway",
        "cpu_ms_per_details_customer_svc",
        "<= 0.5 x customer_svc's CPU per direct GET",
        at_most=0.5,
    ),
    Target(
        "gateway_details",
        "composed details p50, ms (concurrency as run)",
        "details_p50_ms",
        "slower_direct_p50_ms",
        "<= 1.3 x the slower direct call's p50 at concurrency 1",
        at_most=1.3,
    ),
    Target(
        "sla_read",
        "SLA view p99 of the 1,000-set customer (warm), ms",
        "sla_p99_ms",
        "find_one_p99_ms",
        "<= 2 x find_one p99",
        at_most=2,
    ),
    Target(
        "sla_read",
        "SLA view p50 of the 1,000-set customer, read cache off (cold), ms",
        "uncached_sla_p50_ms",
        "uncached_find_one_p50_ms",
        "<= 10 x find_one p50",
        at_most=10,
    ),
    Target(
        "sla_ingest",
        "ingest, events/s",
        "events_per_s",
        "db_bulk_writes_per_s",
        ">= 1.0 x the bulk-write ceiling",
        at_least=1.0,
    ),
    Target(
        "sla_ingest",
        "ingest against the naive consumer, events/s",
        "events_per_s",
        "naive_events_per_s",
        ">= 5 x naive",
        at_least=5,
    ),
    Target("sla_ingest", "ingest peak RSS, MB", "peak_rss_mb", None, "< 300 MB", at_most=300),
]


def load(bench: str) -> dict[str, float] | None:
    path = RESULTS / f"{bench}.json"
    if not path.exists() or not path.read_text().strip():
        return None
    figures: dict[str, float] = json.loads(path.read_text().strip().splitlines()[-1])
    return figures


def main() -> None:
    runs = {bench: load(bench) for bench in sorted({t.bench for t in TARGETS})}
    stamps = {
        bench: dt.datetime.fromtimestamp((RESULTS / f"{bench}.json").stat().st_mtime).strftime(
            "%Y-%m-%d %H:%M"
        )
        for bench, figures in runs.items()
        if figures is not None
    }
    lines = [
        "# Where performance stands",
        "",
        "Written by `bench/report.py` from the last run of each benchmark "
        "(`bench/results/*.json`); each ratio is against a baseline measured in the same run. "
        'How long each takes, and what it measures: README, "Benchmarks".',
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}. Runs: "
        + ", ".join(f"`{b}` {stamps.get(b, 'not run')}" for b in runs)
        + ".",
        "",
        "| figure | value | baseline | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
        *(t.row(runs[t.bench]) for t in TARGETS),
        "",
    ]
    (HERE / "results.md").write_text("\n".join(lines))
    print(f"wrote {HERE / 'results.md'}")


if __name__ == "__main__":
    main()
