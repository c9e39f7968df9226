"""`make run`: the whole system in the foreground until Ctrl-C or SIGTERM.

Starts Kafka, FerretDB and Keycloak with the demo realms (unless KAFKA_BOOTSTRAP_SERVERS /
MONGODB_URL / OIDC_ISSUER_URL point elsewhere), then customer_svc, sla_svc and the gateway;
prints where to look and how to sign in; on SIGINT or SIGTERM stops everything it started,
services first.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any

from msc_local.processes import (
    Infrastructure,
    Ports,
    Service,
    listener_on,
    port_open,
    service_env,
    spawn,
    start_service,
    stop_services,
    wait_ready,
)
from msc_local.provider import LocalKeycloak, OpenIdProvider, demo_users
from msc_local.tokens import mint

PREREQUISITES = {
    "java": "a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)",
    "mvn": "Maven (Debian: apt-get install maven)",
    "go": "Go 1.24+ (https://go.dev/doc/install)",
}


class Stop(Exception):
    """SIGINT or SIGTERM arrived."""


def main() -> int:
    """Run until told to stop; exit 0 after a clean stop."""
    data_dir = Path(os.environ.get("MSC_DATA_DIR", Path.home() / ".local/share/msc"))
    log_dir = data_dir / "logs"
    external_kafka = "KAFKA_BOOTSTRAP_SERVERS" in os.environ
    external_mongo = "MONGODB_URL" in os.environ
    external_provider = OpenIdProvider.from_env()
    missing = [
        f"  {tool}: install {how}"
        for tool, how in PREREQUISITES.items()
        if shutil.which(tool) is None
        and not (external_kafka and external_mongo and external_provider)
    ]
    if missing:
        print("make run needs these tools first:\n" + "\n".join(missing), file=sys.stderr)
        return 2

    ports = Ports.from_env()
    taken = _taken_ports(
        ports,
        kafka=not external_kafka,
        mongo=not external_mongo,
        keycloak=external_provider is None,
    )
    if taken:
        print(
            "make run needs these ports, already taken (an earlier make run still running, "
            "or another program); stop it, then run again:\n" + "\n".join(taken),
            file=sys.stderr,
        )
        return 2

    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # A supervisor's SIGTERM to the process group reaches this process twice (once
        # directly, once forwarded by `uv run`): only the first one stops, and nothing
        # may interrupt the stopping.
        nonlocal stopping
        if not stopping:
            stopping = True
            raise Stop

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    infra = Infrastructure(data_dir, ports)
    keycloak = LocalKeycloak(data_dir, ports.keycloak)
    local_provider = external_provider is None
    services: list[Service] = []
    started = time.monotonic()
    try:
        infra.start(kafka=not external_kafka, mongo=not external_mongo, keycloak=local_provider)
        provider = external_provider or keycloak.provider()
        env = service_env(
            ports,
            _auth_env(data_dir) | provider.env | {"MSC_GATEWAY_URL": ports.gateway_url},
        )
        for name, port in (
            ("customer_svc", ports.customer_svc),
            ("sla_svc", ports.sla_svc),
            ("gateway", ports.gateway),
        ):
            services.append(start_service(name, port, env, log_dir))
        print("[run] waiting for the services to be ready ...", flush=True)
        wait_ready(services)
        shown = keycloak if local_provider else None
        _banner(data_dir, log_dir, time.monotonic() - started, env, ports.gateway_url, shown)
        simulator = _fill_if_empty(env, log_dir, ports.gateway_url)
        if simulator is not None:
            services.append(simulator)
        if local_provider:
            _bind_demo_customer(keycloak, env, ports.gateway_url)
        while all(s.process.poll() is None for s in services if s.name != "simulator"):
            time.sleep(0.5)
        dead = next(s for s in services if s.process.poll() is not None and s.name != "simulator")
        print(f"[run] {dead.name} exited; see {dead.log_path}. Stopping.", file=sys.stderr)
        return 1
    except Stop:
        return 0
    except Exception as exc:
        print(f"[run] ERROR: {exc}", file=sys.stderr)
        return 1
    finally:
        stopping = True
        print("\n[run] stopping ...", flush=True)
        stop_services(services)
        infra.stop()
        print("[run] stopped; nothing left running.", flush=True)


def _taken_ports(ports: Ports, kafka: bool, mongo: bool, keycloak: bool) -> list[str]:
    """`port: who` for each port this run would listen on that something else holds."""
    wanted = {
        "gateway": ports.gateway,
        "customer_svc": ports.customer_svc,
        "sla_svc": ports.sla_svc,
    }
    if kafka:
        wanted |= {"Kafka": ports.kafka, "Kafka's controller": ports.kafka + 1}
    if mongo:
        wanted["FerretDB"] = ports.mongo
    if keycloak:
        wanted["Keycloak"] = ports.keycloak
    return [
        f"  {port} ({name}): {listener_on(port)}"
        for name, port in wanted.items()
        if port_open(port)
    ]


def _auth_env(data_dir: Path) -> dict[str, str]:
    """The caller's MSC_JWT_SECRET, or dev mode with a secret kept in the data directory."""
    if os.environ.get("MSC_JWT_SECRET"):
        return {}
    path = data_dir / "dev-jwt-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return {"MSC_JWT_SECRET": path.read_text().strip(), "MSC_DEV_MODE": "1"}


def _fill_if_empty(env: dict[str, str], log_dir: Path, gateway_url: str) -> Service | None:
    """An empty system gets a believable history from the agent simulator (MSC_SIMULATE=0: no)."""
    if os.environ.get("MSC_SIMULATE", "1") == "0" or _first_customer(env, gateway_url):
        return None
    log_path = log_dir / "simulator.log"
    print(
        "[run] the system is empty: the agent simulator fills it with 12 customers and 90 days "
        f"of history (progress in {log_path})",
        flush=True,
    )
    args = ["simulate", "--customers", "12", "--backup-sets", "8", "--days", "90"]
    process = spawn(["msc_simulator", *args], env, log_path)
    return Service("simulator", 0, process, log_path)


def _first_customer(env: dict[str, str], gateway_url: str) -> dict[str, Any] | None:
    """The first row of the customers list, if there is one."""
    token = mint(env["MSC_JWT_SECRET"], "msp_viewer", "make-run")
    request = urllib.request.Request(
        f"{gateway_url}/api/v1/customers?limit=1",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        items: list[dict[str, Any]] = json.load(answer)["items"]
    return items[0] if items else None


def _bind_demo_customer(
    keycloak: LocalKeycloak, env: dict[str, str], gateway_url: str, wait_s: float = 60.0
) -> None:
    """The demo user `customer` becomes the person of the first customer listed (customer ids
    are made when customers are created: the simulator makes them seconds after an empty start)."""
    deadline = time.monotonic() + wait_s
    while (customer := _first_customer(env, gateway_url)) is None:
        if time.monotonic() > deadline:
            print("[run] no customer yet: the demo user `customer` sees none", flush=True)
            return
        time.sleep(1)
    keycloak.admin().set_user_attribute("msc", "customer", "customer_id", [customer["id"]])
    print(
        f"[run] the demo user `customer` is the person of {customer['name']} ({customer['id']})",
        flush=True,
    )


def _banner(
    data_dir: Path,
    log_dir: Path,
    seconds: float,
    env: dict[str, str],
    gateway_url: str,
    keycloak: LocalKeycloak | None,
) -> None:
    lines = [
        f"MSC is up in {seconds:.0f} s.",
        f"  portal:      {gateway_url}/",
        f"  API docs:    {gateway_url}/docs",
        f"  data:        {data_dir}",
        f"  logs:        {log_dir}",
        f"  sign-in:     {env['OIDC_ISSUER_URL']} (OpenID provider)",
    ]
    if keycloak is not None:
        secrets = keycloak.secrets()
        lines += [
            "  demo users (realm msc, user / password / group):",
            *(f"    {u.username} / {u.password} / {u.role}" for u in demo_users()),
            f"  Keycloak admin console: {keycloak.url}/admin/ (realm master) as "
            f"{secrets['KC_BOOTSTRAP_ADMIN_USERNAME']} / {secrets['KC_BOOTSTRAP_ADMIN_PASSWORD']}",
        ]
    if env.get("MSC_DEV_MODE") == "1":
        token = mint(env["MSC_JWT_SECRET"], "msp_admin", "dev-admin")
        lines += ["  dev mode:    msp_admin token (12 h):", f"    {token}"]
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
