"""Test infrastructure for the whole suite: a real Kafka, a real MongoDB-wire server and a real
OpenID provider (Keycloak with the demo realms).

Explicit KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL win; otherwise testcontainers when a Docker
engine answers; otherwise the project's own local servers (deploy/local/infra.sh) on test
ports with a fresh data directory. An explicit OIDC_ISSUER_URL (with OIDC_CLIENT_SECRET, and
KC_BOOTSTRAP_ADMIN_USERNAME and _PASSWORD for its admin API) wins; otherwise the local
Keycloak, in that same fresh data directory. Missing infrastructure fails the tests that need
it; it never skips them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from msc_local.processes import Infrastructure, Ports, port_open
from msc_local.provider import KeycloakAdmin, LocalKeycloak, OpenIdProvider, keycloak_url
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
    """The Kafka, MongoDB and OpenID provider endpoints of this test session, started here if
    need be."""
    kafka, mongodb = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    provider = OpenIdProvider.from_env()
    with ExitStack() as stack:
        if kafka and mongodb:
            asyncio.run(create_topics(kafka, partitions=6))
        elif _docker_answers():
            kafka, mongodb = stack.enter_context(_containers())
        else:
            stack.enter_context(_local(TEST_PORTS, kafka=True, mongo=True))
            kafka, mongodb = (
                f"127.0.0.1:{TEST_PORTS.kafka}",
                f"mongodb://127.0.0.1:{TEST_PORTS.mongo}",
            )
        if provider is None:
            keycloak = stack.enter_context(_local_keycloak())
            yield Endpoints(kafka, mongodb, keycloak.provider(), keycloak.admin())
        else:
            yield Endpoints(kafka, mongodb, provider, _admin_from_env(provider))


@contextmanager
def _local(
    ports: Ports, kafka: bool = False, mongo: bool = False, keycloak: bool = False
) -> Iterator[Path]:
    """What is asked for, from infra.sh, in a fresh data directory."""
    data_dir = Path(tempfile.mkdtemp(prefix="msc-test-"))
    infra = Infrastructure(data_dir, ports)
    try:
        infra.start(kafka=kafka, mongo=mongo, keycloak=keycloak)
    except subprocess.CalledProcessError as exc:
        infra.stop()
        pytest.fail(
            "could not start the local infrastructure (deploy/local/infra.sh exited "
            f"{exc.returncode}); see the output above and the logs in {data_dir}/logs, or set "
            "KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL, or OIDC_ISSUER_URL, to running servers",
            pytrace=False,
        )
    try:
        yield data_dir
    finally:
        infra.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def _local_keycloak() -> Iterator[LocalKeycloak]:
    """Keycloak with the demo realms; on a free port when another session holds the test one."""
    ports = TEST_PORTS
    if port_open(ports.keycloak):
        ports = replace(ports, keycloak=_free_port())
    with _local(ports, keycloak=True) as data_dir:
        yield LocalKeycloak(data_dir, ports.keycloak)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _admin_from_env(provider: OpenIdProvider) -> KeycloakAdmin | None:
    username = os.environ.get("KC_BOOTSTRAP_ADMIN_USERNAME")
    password = os.environ.get("KC_BOOTSTRAP_ADMIN_PASSWORD")
    if not (username and password):
        return None
    return KeycloakAdmin(keycloak_url(provider.issuer_url), username, password)


@contextmanager
def _containers() -> Iterator[tuple[str, str]]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    with (
        MongoDbContainer("mongo:8") as mongo,
        KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka,
    ):
        bootstrap = kafka.get_bootstrap_server()
        asyncio.run(create_topics(bootstrap, partitions=6))
        yield bootstrap, mongo.get_connection_url()
