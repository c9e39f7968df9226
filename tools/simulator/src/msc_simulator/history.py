"""A believable history of one MSP's customers, as their backup agents would report it."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from msc_contracts import events as ev
from msc_contracts import topics

COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Pied Piper",
    "Dunder Mifflin",
    "Nakatomi",
    "Aperture",
    "Black Mesa",
    "Monarch",
    "Vehement",
    "Massive Dynamic",
    "Sirius",
    "Zorg",
    "Blue Sun",
    "Weyland",
    "Yoyodyne",
    "Duff",
    "Krusty",
    "Prestige",
]
TRADES = [
    "Logistics",
    "Health",
    "Foods",
    "Energy",
    "Legal",
    "Dental",
    "Motors",
    "Media",
    "Engineering",
    "Insurance",
    "Architects",
    "Retail",
]
SUFFIXES = ["Corp", "Ltd", "GmbH", "Inc", "LLC", "Holdings", "Partners", "Group"]
CITIES = ["Denver", "Leeds", "Lyon", "Osaka", "Porto", "Austin", "Graz", "Perth", "Quebec"]
"""Told apart by city when a name is taken already (the simulator run again)."""
SETS = [
    ("HQ file server", "File Server"),
    ("vCenter cluster", "VMware"),
    ("Microsoft 365 mailboxes", "Microsoft 365"),
    ("SQL Server", "MS SQL Server"),
    ("Finance laptops", "Windows"),
    ("Hyper-V hosts", "Hyper-V"),
    ("SharePoint sites", "Microsoft 365"),
    ("NAS archive", "File Server"),
    ("Linux web servers", "Linux"),
    ("Exchange Online", "Microsoft 365"),
    ("Branch office", "File Server"),
    ("ERP database", "Oracle"),
]


@dataclass
class Customer:
    """A customer to create through the portal API."""

    name: str
    body: dict[str, Any]
    id: str = ""


@dataclass
class Plan:
    """What the simulation makes."""

    customers: list[Customer]
    sets_per_customer: int
    days: int
    seed: int
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))


def _unique_names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """`count` different (company, trade, suffix) triples, drawn without repeats."""
    every = len(COMPANIES) * len(TRADES) * len(SUFFIXES)
    picks = rng.sample(range(every), min(count, every))
    names = []
    for pick in picks:
        company, rest = divmod(pick, len(TRADES) * len(SUFFIXES))
        trade, suffix = divmod(rest, len(SUFFIXES))
        names.append((COMPANIES[company], TRADES[trade], SUFFIXES[suffix]))
    return names


def elsewhere(customer: Customer, attempt: int) -> None:
    """Rename a customer whose name is taken: the same company, in another city."""
    base = customer.name.split(", ")[0]
    customer.name = f"{base}, {CITIES[attempt % len(CITIES)]}"
    if attempt >= len(CITIES):
        customer.name += f" {attempt // len(CITIES) + 1}"
    customer.body["account"]["name"] = customer.name


def customers(count: int, seed: int, regions: Sequence[str]) -> list[Customer]:
    """Customers with plausible accounts, plans (in one of `regions`) and one contact each."""
    rng = random.Random(seed)
    made = []
    for company, trade, suffix in _unique_names(rng, count):
        name = f"{company} {trade} {suffix}"
        company = f"{company} {trade}"
        person = rng.choice(
            ["Dana Lee", "Sam Roe", "Alex Kim", "Priya Rao", "Jo Smith", "Luis Ortega"]
        )
        email = f"{person.split()[0].lower()}@{company.split()[0].lower()}.example"
        made.append(
            Customer(
                name,
                {
                    "account": {
                        "name": name,
                        "customer_name": company,
                        "address": f"{rng.randint(1, 999)} Main St",
                        "phone": f"+1415555{rng.randint(1000, 9999)}",
                    },
                    "service_plan": {
                        "plan": rng.choice(["Standard", "Premium", "Basic"]),
                        "storage_region": rng.choice(regions),
                        "tenant_type": rng.choice(["commercial"] * 4 + ["evaluation"]),
                        "edition": rng.choice(["business", "enterprise", "elite"]),
                        # About one in four renews within a month: the list badges those.
                        "expiry_date": (
                            dt.date.today()
                            + dt.timedelta(
                                days=rng.choice([rng.randint(3, 28), *[rng.randint(45, 700)] * 3])
                            )
                        ).isoformat(),
                        # Some quotas are tight for what their agents move: over 80 % or 100 %.
                        "credit_quota": rng.choice([650, 850, 1000, 2000, 5000, 20000]),
                        "credit_quota_effective_date": (
                            dt.date.today() - dt.timedelta(days=120)
                        ).isoformat(),
                    },
                    "contacts": [
                        {
                            "name": person,
                            "email": email,
                            "phone": f"+1415555{rng.randint(1000, 9999)}",
                        }
                    ],
                },
            )
        )
    return made


Message = tuple[str, str, dict[str, Any]]  # topic, key, event
AGENT_ERRORS = [
    ("E1042", "Source volume unavailable: the snapshot could not be created"),
    ("E2107", "Destination storage quota exceeded"),
    ("E3310", "Network timeout while uploading to the storage region"),
    ("E4001", "VSS writer 'SqlServerWriter' failed: retryable error"),
]


def agent_events(plan: Plan) -> Iterator[Message]:
    """Every event of every customer, in time order per customer."""
    for index, customer in enumerate(plan.customers):
        yield from _customer_events(customer.id, plan, random.Random(plan.seed * 1000 + index))


def _customer_events(cid: str, plan: Plan, rng: random.Random) -> Iterator[Message]:
    start = plan.now - dt.timedelta(days=plan.days)

    def event(topic: str, type_: str, time: dt.datetime, data: dict[str, Any]) -> Message:
        return (
            topic,
            cid,
            {
                "specversion": "1.0",
                "id": uuid.uuid4().hex,
                "source": f"urn:msc:agent:{cid}",
                "type": type_,
                "time": time.isoformat(),
                "customerid": cid,
                "data": data,
            },
        )

    sets = rng.sample(SETS, k=min(plan.sets_per_customer, len(SETS)))
    sets += [
        (f"Workstation group {i}", "Windows") for i in range(plan.sets_per_customer - len(sets))
    ]
    # One customer in ten has an agent that went quiet two days ago (an RPO breach).
    stalled = {rng.randrange(len(sets))} if sets and rng.random() < 0.1 else set()
    for i, (name, workload) in enumerate(sets):
        yield event(
            topics.BACKUP_SETS,
            ev.BACKUP_SET_UPSERTED,
            start - dt.timedelta(days=1),
            {
                "backup_set_id": f"bs-{i}",
                "name": name,
                "workload": workload,
                # The RPO leaves room for the schedule, a late start and a long run.
                "rpo_hours": _every(workload) + rng.choice([6, 12, 24]),
            },
        )
    storage = rng.randint(50, 500) * 10**9
    for day in range(plan.days + 1):
        midnight = (start + dt.timedelta(days=day)).replace(hour=0, minute=0, second=0)
        credits = 0.0
        for i, (_, workload) in enumerate(sets):
            if i in stalled and day > plan.days - 2:
                continue
            for hour in range(rng.randint(0, 3), 24, _every(workload)):
                started = midnight + dt.timedelta(hours=hour, minutes=rng.randint(0, 59))
                if started > plan.now:
                    break
                job = {
                    "job_id": f"b-{i}-{day}-{hour}",
                    "backup_set_id": f"bs-{i}",
                    "job_type": "backup",
                    "started_at": started.isoformat(),
                }
                yield event(
                    topics.BACKUP_JOBS, ev.JOB_REPORTED, started, job | {"status": "running"}
                )
                ended = started + dt.timedelta(minutes=rng.randint(4, 90))
                if ended > plan.now:
                    continue
                status = rng.choices(
                    ["successful", "successful_with_errors", "failed", "canceled"], [92, 4, 3, 1]
                )[0]
                moved = rng.randint(1, 40) * 10**8
                yield event(
                    topics.BACKUP_JOBS,
                    ev.JOB_REPORTED,
                    ended,
                    job
                    | {
                        "status": status,
                        "ended_at": ended.isoformat(),
                        "bytes_transferred": moved,
                        **(
                            dict(
                                zip(
                                    ("error_code", "error_message"),
                                    rng.choice(AGENT_ERRORS),
                                    strict=True,
                                )
                            )
                            if status == "failed"
                            else {}
                        ),
                    },
                )
                credits += moved / 10**9
                alert = f"al-{i}-{day}-{hour}"
                if status == "failed":
                    yield event(
                        topics.BACKUP_ALERTS,
                        ev.ALERT_RAISED,
                        ended,
                        {
                            "alert_id": alert,
                            "severity": rng.choices(["critical", "warning"], [1, 3])[0],
                            "alert_type": "backup_failed",
                            "message": f"Backup of {sets[i][0]} failed",
                            "backup_set_id": f"bs-{i}",
                        },
                    )
                    # Operators clear alerts within hours; half of today's are still open.
                    cleared = ended + dt.timedelta(hours=rng.randint(1, 8))
                    recent = plan.now - ended < dt.timedelta(days=1)
                    if cleared < plan.now and not (recent and rng.random() < 0.5):
                        yield event(
                            topics.BACKUP_ALERTS, ev.ALERT_CLEARED, cleared, {"alert_id": alert}
                        )
            if rng.random() < 0.03:
                restore = midnight + dt.timedelta(hours=14)
                if restore + dt.timedelta(minutes=30) < plan.now:
                    job = {
                        "job_id": f"r-{i}-{day}",
                        "backup_set_id": f"bs-{i}",
                        "job_type": "restore",
                        "started_at": restore.isoformat(),
                    }
                    status = rng.choices(["successful", "failed"], [95, 5])[0]
                    yield event(
                        topics.BACKUP_JOBS,
                        ev.JOB_REPORTED,
                        restore + dt.timedelta(minutes=30),
                        job
                        | {
                            "status": status,
                            "ended_at": (restore + dt.timedelta(minutes=30)).isoformat(),
                        },
                    )
        storage += int(credits * 10**8)
        if midnight.date() <= plan.now.date():
            yield event(
                topics.BACKUP_USAGE,
                ev.USAGE_REPORTED,
                min(midnight + dt.timedelta(hours=23, minutes=59), plan.now),  # today: so far
                {
                    "date": midnight.date().isoformat(),
                    "credits_consumed": round(credits + rng.uniform(1, 5), 2),
                    "storage_bytes": storage,
                },
            )


def _every(workload: str) -> int:
    """Hours between scheduled backups: databases every 6 hours, the rest daily."""
    return 6 if workload in {"MS SQL Server", "Oracle"} else 24
