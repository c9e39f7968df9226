"""The running system for journeys: the three services as real processes on test ports."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from msc_local.processes import Service, service_env, start_service, stop_services, wait_ready
from msc_local.tokens import Role, mint
from msc_testkit.infrastructure import TEST_PORTS, Endpoints
from msc_testkit.otlp import Collector, running_collector


@dataclass
class System:
    """The running system as a journey sees it."""

    gateway_url: str
    jwt_secret: str
    kafka: str
    services: dict[str, Service]
    traces: Collector

    def token(self, role: Role = "msp_admin", customer_id: str | None = None) -> str:
        """A valid token for `role`."""
        return mint(self.jwt_secret, role, f"test-{role}", customer_id)

    def headers(self, role: Role = "msp_admin", customer_id: str | None = None) -> dict[str, str]:
        """Authorization headers for `role`."""
        return {"Authorization": f"Bearer {self.token(role, customer_id)}"}


@pytest.fixture(scope="session")
def traces() -> Iterator[Collector]:
    """Where the system's services export their spans."""
    with running_collector() as collector:
        yield collector


@pytest.fixture(scope="session")
def system(infrastructure: Endpoints, traces: Collector) -> Iterator[System]:
    """customer_svc, sla_svc and the gateway, started against the test infrastructure,
    with tracing on."""
    secret = secrets.token_hex(32)
    env = service_env(
        TEST_PORTS,
        {
            "KAFKA_BOOTSTRAP_SERVERS": infrastructure.kafka,
            "MONGODB_URL": infrastructure.mongodb,
            "MSC_JWT_SECRET": secret,
            "CUSTOMER_SVC_MONGODB_DATABASE": f"e2e_customers_{secrets.token_hex(4)}",
            "SLA_SVC_MONGODB_DATABASE": f"e2e_sla_{secrets.token_hex(4)}",
            "CUSTOMER_SVC_CONSUMER_GROUP": f"e2e-customer-{secrets.token_hex(4)}",
            "SLA_SVC_CONSUMER_GROUP": f"e2e-sla-{secrets.token_hex(4)}",
            "OTEL_EXPORTER_OTLP_ENDPOINT": traces.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",  # ms: spans reach the test soon
        },
    )
    log_dir = Path(tempfile.mkdtemp(prefix="msc-e2e-logs-"))
    ports = {
        "customer_svc": TEST_PORTS.customer_svc,
        "sla_svc": TEST_PORTS.sla_svc,
        "gateway": TEST_PORTS.gateway,
    }
    services = {name: start_service(name, port, env, log_dir) for name, port in ports.items()}
    try:
        wait_ready(list(services.values()))
        yield System(
            f"http://127.0.0.1:{TEST_PORTS.gateway}",
            secret,
            infrastructure.kafka,
            services,
            traces,
        )
    finally:
        stop_services(list(services.values()))


@pytest.fixture
async def gateway(system: System) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the gateway."""
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=10) as client:
        yield client


@pytest.fixture
async def producer(system: System) -> AsyncIterator[AIOKafkaProducer]:
    """A Kafka producer, as an agent would use."""
    producer = AIOKafkaProducer(bootstrap_servers=system.kafka, acks="all")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()
