"""Test infrastructure for the whole suite: a real Kafka and a real MongoDB-wire server.

Explicit KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL win; otherwise testcontainers when a Docker
engine answers; otherwise the project's own local servers (deploy/local/infra.sh) on test
ports with a fresh data directory. Missing infrastructure fails the tests that need it; it
never skips them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from msc_local.processes import Infrastructure
from msc_platform.topics import create_topics
from msc_testkit.credentials import TEST_SECRET
from msc_testkit.infrastructure import TEST_PORTS, Endpoints

os.environ.setdefault("MSC_JWT_SECRET", TEST_SECRET)  # every service the tests start


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under an `integration` or `e2e` folder is marked `integration`."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "integration" in parts or "e2e" in parts:
            item.add_marker(pytest.mark.integration)


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Endpoints]:
    """The Kafka and MongoDB endpoints of this test session, started here if need be."""
    kafka, mongodb = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if kafka and mongodb:
        asyncio.run(create_topics(kafka, partitions=6))
        yield Endpoints(kafka, mongodb)
    elif _docker_answers():
        yield from _containers()
    else:
        yield from _local()


def _local() -> Iterator[Endpoints]:
    data_dir = Path(tempfile.mkdtemp(prefix="msc-test-"))
    infra = Infrastructure(data_dir, TEST_PORTS)
    try:
        infra.start()
    except subprocess.CalledProcessError as exc:
        infra.stop()
        pytest.fail(
            "could not start the local Kafka and FerretDB (deploy/local/infra.sh exited "
            f"{exc.returncode}); see the output above and the logs in {data_dir}/logs, or set "
            "KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL to running servers",
            pytrace=False,
        )
    try:
        yield Endpoints(f"127.0.0.1:{TEST_PORTS.kafka}", f"mongodb://127.0.0.1:{TEST_PORTS.mongo}")
    finally:
        infra.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _containers() -> Iterator[Endpoints]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    with (
        MongoDbContainer("mongo:8") as mongo,
        KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka,
    ):
        bootstrap = kafka.get_bootstrap_server()
        asyncio.run(create_topics(bootstrap, partitions=6))
        yield Endpoints(bootstrap, mongo.get_connection_url())
