"""Wiring of the customer service: `uvicorn --factory customer_svc.main:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from customer_svc.adapters.customer_list_feed import customer_list_feed
from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.adapters.mongo_usage import MongoUsageRepository
from customer_svc.adapters.name_keys import refold_name_keys
from customer_svc.adapters.outbox_relay import OutboxRelay, Publish
from customer_svc.adapters.usage_feed import usage_feed
from customer_svc.api.errors import install_domain_errors
from customer_svc.api.routes import groups_router, router, settings_router
from customer_svc.config import Settings
from customer_svc.consumers import usage_handler
from customer_svc.service import CustomerService
from msc_contracts.topics import BACKUP_USAGE, CUSTOMER_EVENTS
from msc_platform.clock import Clock, SystemClock
from msc_platform.consumer_metrics import ConsumerMetrics
from msc_platform.event_consumer import EventConsumer, kafka_broker
from msc_platform.group_progress import GroupProgress
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
from msc_platform.tracing import Carrier, install_tracing


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    publish: Publish | None = None,
) -> FastAPI:
    """Build the customer service; connections open in the lifespan, not here.

    `clock` and `publish` (how lifecycle events reach Kafka) may be swapped by tests.
    """
    settings = settings or Settings()
    clock = clock or SystemClock()
    configure_logging(settings.log_level, "customer_svc", settings.log_format)
    registry = CollectorRegistry()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_url.get_secret_value(), tz_aware=True, connect=False
    )
    broker = kafka_broker(settings)
    db = mongo[settings.mongodb_database]
    customers = MongoCustomerRepository(db, clock)
    usage = MongoUsageRepository(db)

    async def publish_to_kafka(key: str, value: bytes, headers: Carrier) -> None:
        await broker.publish(
            value,
            topic=CUSTOMER_EVENTS,
            key=key.encode(),
            headers=headers,
        )

    relay = OutboxRelay(
        customers, publish or publish_to_kafka, on_deleted=usage.purge, registry=registry
    )
    service = CustomerService(customers, usage, clock, relay, settings.storage_regions)
    list_feed = customer_list_feed(
        service.customer_list, customers, settings, registry, service.recent_usage.forget
    )
    usage_consumers = GroupProgress(settings.kafka_bootstrap_servers, settings.consumer_group)
    recent_usage = usage_feed(
        service.recent_usage, usage, customers, settings, usage_consumers, clock, registry
    )
    consumer = EventConsumer(
        broker,
        name="usage",
        topics=[BACKUP_USAGE],
        group_id=settings.consumer_group,
        handler=usage_handler(service, registry),
        metrics=ConsumerMetrics(registry),
        stall_after_s=settings.consumer_stall_after_s,
        max_message_bytes=settings.kafka_max_message_bytes,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await usage.check_format()
        await customers.ensure_indexes()
        await refold_name_keys(db)
        await broker.start()
        relay.start()
        list_feed.start()
        recent_usage.start()
        try:
            yield
        finally:
            await shut_down(
                {
                    "outbox relay": relay.stop,
                    "customers list": list_feed.stop,
                    "recent usage": recent_usage.stop,
                    "usage consumers' progress": usage_consumers.close,
                    "Kafka": broker.stop,
                    "MongoDB": mongo.close,
                }
            )

    app = FastAPI(title="MSC customer service", version="1.0", lifespan=lifespan)
    app.state.service = service
    app.state.relay = relay
    install_problem_handlers(app)
    install_domain_errors(app)
    install_request_id(app)
    app.add_middleware(RequireServiceToken, secret=settings.jwt_secret.get_secret_value())
    install_request_limits(app, settings.max_request_body_bytes)
    install_http_metrics(app, registry)
    install_tracing(app, "customer_svc")
    app.include_router(router)
    app.include_router(settings_router)
    app.include_router(groups_router)
    app.include_router(
        health_router(
            {
                "mongodb": mongo_probe(mongo),
                "kafka": kafka_probe(broker),
                "consumer": consumer.probe,
                "customer_list": list_feed.probe,
                "recent_usage": recent_usage.probe,
            },
            registry,
            # Consumption goes on without them (a dead letter is then logged and counted).
            degraded_without={"dead_letter_topics": consumer.dead_letter_topics.probe},
        )
    )
    return app
