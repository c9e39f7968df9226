"""The Helm chart lints and renders what an operator needs: three services with probes,
resources and a locked-down security context, the secrets from a Secret, an HPA for sla_svc
capped at the partition count, disruption budgets, and only the gateway let in to the
services. Helm is built with Go from the module proxy (`infra.sh helm`) and cached."""

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
