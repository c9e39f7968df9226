"""The Helm chart lints and renders what an operator needs: three services with probes,
resources and a locked-down security context, the secrets from a Secret, an HPA for sla_svc
capped at the partition count (and no replica count beside it), a hook Job that creates
every topic, the dead-letter ones included, disruption budgets, and only the gateway let in
to the services. Helm is built with Go from the module proxy (`infra.sh helm`) and cached."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "msc"
VALUES = ["--set", "secret.jwtSecret=" + "s" * 40, "--set", "secret.mongodbUrl=mongodb://m:27017"]


@pytest.fixture(scope="module")
def helm() -> str:
    built = subprocess.run(
        ["bash", str(ROOT / "deploy/local/infra.sh"), "helm"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert built.returncode == 0, f"could not build Helm: {built.stderr[-2000:]}"
    return built.stdout.strip().splitlines()[-1]


def render(helm: str, *extra: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [helm, "template", "t", str(CHART), *VALUES, *extra],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_the_chart_lints(helm: str) -> None:
    linted = subprocess.run(
        [helm, "lint", "--strict", str(CHART), *VALUES], capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_three_services_probed_bounded_and_locked_down(helm: str) -> None:
    docs = render(helm)
    deployments = of_kind(docs, "Deployment")
    assert set(deployments) == {"t-gateway", "t-customer-svc", "t-sla-svc"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        (container,) = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert container["resources"]["limits"]["memory"], name
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] and security["capabilities"]["drop"] == ["ALL"]
        assert container["envFrom"] == [{"secretRef": {"name": "t-msc"}}], name
    secret = of_kind(docs, "Secret")["t-msc"]
    assert set(secret["stringData"]) == {"MSC_JWT_SECRET", "MONGODB_URL"}
    assert set(of_kind(docs, "PodDisruptionBudget")) == set(deployments)


def test_sla_svc_scales_no_further_than_the_partitions(helm: str) -> None:
    hpa = of_kind(
        render(helm, "--set", "slaSvc.autoscaling.maxReplicas=40"), "HorizontalPodAutoscaler"
    )
    assert hpa["t-sla-svc"]["spec"]["maxReplicas"] == 6
    wider = render(
        helm, "--set", "kafka.partitions=12", "--set", "slaSvc.autoscaling.maxReplicas=40"
    )
    assert of_kind(wider, "HorizontalPodAutoscaler")["t-sla-svc"]["spec"]["maxReplicas"] == 12


def test_only_the_gateway_reaches_the_services(helm: str) -> None:
    policies = of_kind(render(helm), "NetworkPolicy")
    assert set(policies) == {"t-customer-svc", "t-sla-svc"}
    for policy in policies.values():
        sources = [peer for rule in policy["spec"]["ingress"] for peer in rule["from"]]
        pods = [p["podSelector"]["matchLabels"] for p in sources if "podSelector" in p]
        assert pods == [{"app.kubernetes.io/name": "gateway", "app.kubernetes.io/instance": "t"}]


def test_an_existing_secret_is_used_and_none_is_made(helm: str) -> None:
    docs = render(helm, "--set", "secret.existingSecret=prod-msc")
    assert "Secret" not in {d["kind"] for d in docs}
    for deployment in of_kind(docs, "Deployment").values():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["envFrom"] == [{"secretRef": {"name": "prod-msc"}}]


def test_traces_are_exported_only_when_a_collector_is_named(helm: str) -> None:
    def endpoints(docs: list[dict[str, Any]]) -> set[str | None]:
        return {
            next(
                (
                    e["value"]
                    for e in d["spec"]["template"]["spec"]["containers"][0]["env"]
                    if e["name"] == "OTEL_EXPORTER_OTLP_ENDPOINT"
                ),
                None,
            )
            for d in of_kind(docs, "Deployment").values()
        }

    assert endpoints(render(helm)) == {None}
    collector = "http://otel-collector:4318"
    assert endpoints(render(helm, "--set", f"tracing.otlpEndpoint={collector}")) == {collector}


def test_no_replica_count_beside_the_hpa(helm: str) -> None:
    deployments = of_kind(render(helm), "Deployment")
    assert "t-sla-svc" in of_kind(render(helm), "HorizontalPodAutoscaler")
    assert "replicas" not in deployments["t-sla-svc"]["spec"]  # an upgrade keeps the scale
    assert deployments["t-gateway"]["spec"]["replicas"] == 2
    fixed = of_kind(render(helm, "--set", "slaSvc.autoscaling.enabled=false"), "Deployment")
    assert fixed["t-sla-svc"]["spec"]["replicas"] == 2


def test_the_sla_service_is_upgraded_by_recreating_it(helm: str) -> None:
    """Its stored format may change: the previous release's pods stop before the new
    ones migrate the data (a rolling update would run both on one database)."""
    deployments = of_kind(render(helm), "Deployment")
    assert deployments["t-sla-svc"]["spec"]["strategy"] == {"type": "Recreate"}
    assert "strategy" not in deployments["t-gateway"]["spec"]


def test_a_hook_job_creates_the_topics_before_install_and_upgrade(helm: str) -> None:
    docs = render(helm, "--set", "kafka.partitions=12", "--set", "kafka.maxMessageBytes=2097152")
    job = of_kind(docs, "Job")["t-topics"]
    hooks = job["metadata"]["annotations"]["helm.sh/hook"].split(",")
    assert set(hooks) == {"pre-install", "pre-upgrade"}
    pod = job["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert container["args"] == ["python", "-m", "msc_platform.topics"]
    assert container["image"] == "msc/sla_svc:1.0"  # a service image holds msc_platform
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["MSC_TOPIC_PARTITIONS"] == "12" and env["KAFKA_MAX_MESSAGE_BYTES"] == "2097152"
    for deployment in of_kind(docs, "Deployment").values():  # the limit dead letters fit
        (service,) = deployment["spec"]["template"]["spec"]["containers"]
        assert {"name": "KAFKA_MAX_MESSAGE_BYTES", "value": "2097152"} in service["env"]
    assert "Job" not in {d["kind"] for d in render(helm, "--set", "kafka.topics.create=false")}


def test_the_topics_job_creates_every_topic_and_its_dead_letter_topic() -> None:
    from msc_contracts.topics import ALL_TOPICS, dead_letter_topic
    from msc_platform.topics import SYSTEM_TOPICS

    assert set(SYSTEM_TOPICS) == {
        t for topic in ALL_TOPICS for t in (topic, dead_letter_topic(topic))
    }
