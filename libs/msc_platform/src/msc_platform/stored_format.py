"""A service's stored format: the mark on its database, and the forward migrations that
bring a database written by an earlier release to the format this one reads.

Each service marks its database (`meta` collection, `{"_id": "format", "version": N}`).
At start it upgrades a database of an older format in place, one step at a time, each step
idempotent and resumable (a crash half-way is finished by the next start), while a lease
in `meta` keeps one instance migrating and the others waiting; it refuses only formats
older than its oldest step, or newer than its own, saying what to run instead.

Small on purpose: the migration tools on PyPI run file-based scripts from a command line
and hold locks FerretDB cannot give; here a step is a function of the service's own code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

log = logging.getLogger(__name__)
Document = dict[str, Any]
Progress = Callable[[int, int], None]
"""Told `(done, total)` as a step goes."""
LEASE = dt.timedelta(seconds=60)
"""How long a migrating instance holds the database without renewing (it renews at a
third of it): a crashed one is taken over after this."""


class StoredFormatMismatch(RuntimeError):
    """The database holds documents of a format this code neither reads nor migrates."""


@dataclass(frozen=True)
class Migration:
    """One step, from format `source` to `source + 1`: `run` rewrites what changed shape;
    run again after a crash, it finishes what is left and changes nothing twice."""

    source: int
    summary: str
    run: Callable[[Progress], Awaitable[None]]


class MigrationMetrics:
    """`msc_stored_format_version` (the format of the database as last read or written)
    and `msc_stored_format_migration_done` of `msc_stored_format_migration_items` (items
    of the step running)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.version = Gauge(
            "msc_stored_format_version", "Stored format of the database.", registry=registry
        )
        self.done = Gauge(
            "msc_stored_format_migration_done",
            "Items the running migration step has done.",
            registry=registry,
        )
        self.total = Gauge(
            "msc_stored_format_migration_items",
            "Items the running migration step has to do.",
            registry=registry,
        )


async def check_stored_format(
    db: AsyncDatabase[Document],
    version: int,
    witness: AsyncCollection[Document],
    migrations: Sequence[Migration] = (),
) -> bool:
    """Mark a database without data with `version`; refuse one of a format `migrations`
    do not reach; True when it is of an older one, to migrate (`upgrade_stored_format`).

    `witness` is a collection that has documents whenever the database has data; a database
    with data but no mark was written before marks existed (format 1).
    """
    found = await _format_of(db["meta"], witness, version)
    _refuse_unless_reachable(db.name, found, version, {m.source: m for m in migrations})
    return found < version


async def upgrade_stored_format(
    db: AsyncDatabase[Document],
    version: int,
    witness: AsyncCollection[Document],
    migrations: Sequence[Migration] = (),
    metrics: MigrationMetrics | None = None,
) -> None:
    """Mark a database without data with `version`; migrate one of an older format that
    `migrations` reach; refuse any other (`check_stored_format`)."""
    meta = db["meta"]
    steps = {m.source: m for m in migrations}
    while await check_stored_format(db, version, witness, migrations):
        async with _lease(meta) as held:
            if not held:  # another instance migrates: wait for it
                await asyncio.sleep(1)
                continue
            found = await _format_of(meta, witness, version)  # it may have just finished
            for source in range(found, version):
                await _run_step(db.name, meta, steps[source], metrics)
    if metrics:
        metrics.version.set(version)


async def _format_of(
    meta: AsyncCollection[Document], witness: AsyncCollection[Document], version: int
) -> int:
    marker = await meta.find_one({"_id": "format"})
    if marker is None and await witness.find_one({}, {"_id": 1}) is None:
        try:
            await meta.insert_one({"_id": "format", "version": version})
            return version
        except DuplicateKeyError:  # another instance starting at the same time marked it
            marker = await meta.find_one({"_id": "format"})
    return int(marker["version"]) if marker else 1


def _refuse_unless_reachable(
    name: str, found: int, version: int, steps: dict[int, Migration]
) -> None:
    if found > version:
        raise StoredFormatMismatch(
            f"database {name} holds documents of format {found}, written by a newer release; "
            f"this one reads format {version}: run that release or a newer one"
        )
    missing = [source for source in range(found, version) if source not in steps]
    if missing:
        oldest = max(missing) + 1
        raise StoredFormatMismatch(
            f"database {name} holds documents of format {found}, this service reads format "
            f"{version} and migrates from format {oldest} on: if a release migrates format "
            f"{found} (README, Upgrades), run it on this database first, then this one; "
            "else start on an empty database (its *_MONGODB_DATABASE setting, or a fresh "
            "MSC_DATA_DIR for make run)"
        )


async def _run_step(
    name: str,
    meta: AsyncCollection[Document],
    step: Migration,
    metrics: MigrationMetrics | None,
) -> None:
    target = step.source + 1
    log.warning(
        "migrating database %s from stored format %d to %d: %s",
        name,
        step.source,
        target,
        step.summary,
    )
    reported = [0.0]

    def progress(done: int, total: int) -> None:
        if metrics:
            metrics.done.set(done)
            metrics.total.set(total)
        now = asyncio.get_running_loop().time()
        if done == total or now - reported[0] >= 5:
            reported[0] = now
            log.warning("migrating database %s to format %d: %d of %d", name, target, done, total)

    await step.run(progress)
    await meta.update_one({"_id": "format"}, {"$set": {"version": target}})
    if metrics:
        metrics.version.set(target)
    log.warning("database %s is at stored format %d", name, target)


@asynccontextmanager
async def _lease(meta: AsyncCollection[Document]) -> AsyncIterator[bool]:
    """Hold the database's migration lease while the block runs (yields False when another
    instance holds it), renewing it at a third of `LEASE`."""
    owner = uuid.uuid4().hex
    now = dt.datetime.now(dt.UTC)
    await meta.delete_one({"_id": "migration", "until": {"$lt": now}})  # a crashed holder's
    try:
        await meta.insert_one({"_id": "migration", "owner": owner, "until": now + LEASE})
    except DuplicateKeyError:
        yield False
        return

    async def renew() -> None:
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            until = dt.datetime.now(dt.UTC) + LEASE
            try:
                await meta.update_one(
                    {"_id": "migration", "owner": owner}, {"$set": {"until": until}}
                )
            except Exception:  # the next renewal, well within the lease, tries again
                log.warning("could not renew the migration lease; retrying", exc_info=True)

    renewing = asyncio.create_task(renew())
    try:
        yield True
    finally:
        renewing.cancel()
        await meta.delete_one({"_id": "migration", "owner": owner})
