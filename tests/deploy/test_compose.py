"""docker-compose.yml cannot run here (no Docker engine), so its structure is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"customer_svc": 8081, "sla_svc": 8082, "gateway": 8080}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_infrastructure_uses_the_official_images(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["mongo"]["image"].startswith("mongo:")
    assert services["kafka"]["image"].startswith("apache/kafka:")


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name in ("mongo", "kafka", *SERVICES):
        check = compose["services"][name].get("healthcheck")
        assert check and check["test"], f"{name} has no health check"
    for name, port in SERVICES.items():
        assert f"{port}/readyz" in " ".join(compose["services"][name]["healthcheck"]["test"])


def test_services_wait_for_what_they_need(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("customer_svc", "sla_svc"):
        needs = services[name]["depends_on"]
        assert needs["mongo"]["condition"] == "service_healthy"
        assert needs["kafka-topics"]["condition"] == "service_completed_successfully"
    assert services["kafka-topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    gateway_needs = services["gateway"]["depends_on"]
    assert {n: c["condition"] for n, c in gateway_needs.items()} == {
        "customer_svc": "service_healthy",
        "sla_svc": "service_healthy",
    }


def test_services_get_the_contracts_environment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("customer_svc", "sla_svc"):
        env = services[name]["environment"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["MONGODB_URL"].endswith("@mongo:27017/?authSource=admin")
        assert "MSC_JWT_SECRET" in env
    # Each image listens on the PORT it was built with; the URLs the gateway uses agree.
    assert services["customer_svc"]["build"]["args"]["PORT"] == "8081"
    assert services["sla_svc"]["build"]["args"]["PORT"] == "8082"
    gateway = services["gateway"]["environment"]
    assert gateway["CUSTOMER_SVC_URL"] == "http://customer_svc:8081"
    assert gateway["SLA_SVC_URL"] == "http://sla_svc:8082"
    assert "${MSC_JWT_SECRET:?" in gateway["MSC_JWT_SECRET"], "the secret must come from outside"


def test_only_the_gateway_is_published_and_nothing_runs_open(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["gateway"]["ports"] == ["8080:8080"]
    for name in ("customer_svc", "sla_svc", "mongo", "kafka", "kafka-topics"):
        assert "ports" not in services[name], f"{name} is published on the host"
    assert services["customer_svc"]["expose"] == ["8081"]
    assert services["sla_svc"]["expose"] == ["8082"] and "container_name" not in services["sla_svc"]
    assert "EXTERNAL" not in services["kafka"]["environment"]["KAFKA_LISTENERS"]
    mongo_env = services["mongo"]["environment"]
    assert "${MSC_MONGO_PASSWORD:?" in mongo_env["MONGO_INITDB_ROOT_PASSWORD"]
    for name in ("customer_svc", "sla_svc"):
        url = services[name]["environment"]["MONGODB_URL"]
        assert url.startswith("mongodb://msc:${MSC_MONGO_PASSWORD:?"), url


def test_the_external_kafka_listener_is_an_opt_in_file() -> None:
    extra = yaml.safe_load((ROOT / "deploy/docker/kafka-external.yml").read_text())
    assert extra["services"]["kafka"]["ports"] == ["9094:9094"]


def test_topics_created_are_the_contracts(compose: dict[str, Any]) -> None:
    from msc_contracts.topics import ALL_TOPICS

    script = compose["services"]["kafka-topics"]["command"][0]
    for topic in ALL_TOPICS:
        assert topic in script
    assert ".dlq" in script


def test_each_service_image_builds_that_service(compose: dict[str, Any]) -> None:
    for name, port in SERVICES.items():
        build = compose["services"][name]["build"]
        assert (ROOT / build["dockerfile"]).is_file()
        assert build["args"]["SERVICE"] == name
        assert str(build["args"]["PORT"]) == str(port)
        assert (ROOT / "services" / name / "pyproject.toml").is_file()
