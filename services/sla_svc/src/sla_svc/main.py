"""Wiring of the SLA service: `uvicorn --factory sla_svc.main:create_app`."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from msc_contracts.topics import BACKUP_ALERTS, BACKUP_JOBS, BACKUP_SETS, CUSTOMER_EVENTS
from msc_platform import consumer_group
from msc_platform.clock import Clock, SystemClock
from msc_platform.consumer_metrics import ConsumerMetrics
from msc_platform.event_consumer import EventConsumer, kafka_broker
from msc_platform.health import kafka_probe, mongo_probe, shut_down
from msc_platform.http import (
    health_router,
    install_http_metrics,
    install_problem_handlers,
    install_request_id,
    install_request_limits,
)
from msc_platform.logs import configure_logging
from msc_platform.service_token import RequireServiceToken
from msc_platform.stored_format import MigrationMetrics
from msc_platform.tracing import install_tracing
from sla_svc.adapters.kafka_acknowledgements import KafkaAlertAcknowledgements
from sla_svc.adapters.mongo_store import MongoSlaStore
from sla_svc.adapters.store import RememberingStore
from sla_svc.api.errors import install_service_errors
from sla_svc.api.routes import router
from sla_svc.config import Settings
from sla_svc.consumers import sla_events_handler
from sla_svc.service import SlaService

log = logging.getLogger(__name__)
GROUP_POLL_S = 5.0
"""How often a start waiting to migrate asks who is still in the consumer group."""


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("sla_svc could not start consuming", exc_info=task.exception())


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the SLA service; connections open in the lifespan, not here."""
    settings = settings or Settings()
    configure_logging(settings.log_level, "sla_svc", settings.log_format)
    registry = CollectorRegistry()
    metrics = ConsumerMetrics(registry)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_url.get_secret_value(), tz_aware=True, connect=False
    )
    broker = kafka_broker(settings)
    clock = clock or SystemClock()
    store = MongoSlaStore(mongo[settings.mongodb_database])
    remembering = RememberingStore(
        store,
        clock,
        settings.read_cache_customers,
        dt.timedelta(milliseconds=settings.read_cache_recheck_ms),
    )
    service = SlaService(remembering, clock, KafkaAlertAcknowledgements(broker))
    # One consumer for every topic: members of one group must subscribe alike, or each
    # join rebalances the others.
    consumer = EventConsumer(
        broker,
        name="sla-events",
        topics=[BACKUP_JOBS, BACKUP_SETS, BACKUP_ALERTS, CUSTOMER_EVENTS],
        group_id=settings.consumer_group,
        handler=sla_events_handler(service),
        metrics=metrics,
        max_records=settings.batch_size,
        stall_after_s=settings.consumer_stall_after_s,
        max_message_bytes=settings.kafka_max_message_bytes,
        on_revoked=remembering.forget_all,
    )

    migration_metrics = MigrationMetrics(registry)

    async def upgrade() -> None:
        """Migrate stored data of the previous format once no instance is in the group
        (the previous release's cannot read the new one); another instance of this
        release may migrate meanwhile, which ends the wait too."""
        group, bootstrap = settings.consumer_group, settings.kafka_bootstrap_servers
        while await store.needs_upgrade():
            members = await consumer_group.members_of(bootstrap, group)
            if not members:
                await store.upgrade(migration_metrics)
                return
            log.warning(
                "waiting for the %d member(s) of consumer group %s (instances of the previous "
                "release) to stop before migrating the stored data; stop them (Helm: the "
                "chart recreates sla_svc on upgrade; by hand: kubectl scale --replicas=0)",
                members,
                group,
            )
            await asyncio.sleep(GROUP_POLL_S)

    async def upgrade_then_consume() -> None:
        """Migrate, resume unfinished purges (retried while the database or broker does not
        answer), then consume; a consumer that cannot start ends the process, as before,
        for its supervisor to start it again."""
        delay = 1.0
        while True:
            try:
                await upgrade()
                await store.resume_purges()
                break
            except Exception:
                log.exception("could not prepare the stored data; retrying in %.0f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        try:
            await broker.start()
        except Exception:
            log.exception("the Kafka consumer could not start; stopping")
            os.kill(os.getpid(), signal.SIGTERM)
            raise

    starting: asyncio.Task[None] | None = None

    async def started() -> None:
        """Ready once the stored data is of this format and the consumer runs."""
        if starting is None or not starting.done():
            raise RuntimeError(
                "migrating the stored data or starting the consumer (progress: the log, "
                "msc_stored_format_migration_done of msc_stored_format_migration_items)"
            )
        starting.result()  # a failure shows here, and in the log

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal starting
        await store.needs_upgrade()  # refuses at once a format it cannot migrate
        # A long migration runs while the process answers /healthz (so an orchestrator
        # does not restart it) and /readyz says it is not ready yet.
        starting = asyncio.create_task(upgrade_then_consume())
        starting.add_done_callback(_log_failure)
        try:
            yield
        finally:
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            await shut_down({"Kafka": broker.stop, "purges": store.close, "MongoDB": mongo.close})

    app = FastAPI(title="MSC SLA service", version="1.0", lifespan=lifespan)
    app.state.service = service
    install_problem_handlers(app)
    install_service_errors(app)
    install_request_id(app)
    app.add_middleware(RequireServiceToken, secret=settings.jwt_secret.get_secret_value())
    install_request_limits(app, settings.max_request_body_bytes)
    install_http_metrics(app, registry)
    install_tracing(app, "sla_svc")
    app.include_router(router)
    app.include_router(
        health_router(
            {
                "mongodb": mongo_probe(mongo),
                "started": started,
                "kafka": kafka_probe(broker),
                "consumer": consumer.probe,
            },
            registry,
            # Consumption goes on without them (a dead letter is then logged and counted).
            degraded_without={"dead_letter_topics": consumer.dead_letter_topics.probe},
        )
    )
    return app
