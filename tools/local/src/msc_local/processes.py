"""Start, wait for and stop the local infrastructure (Kafka, FerretDB, Keycloak) and the three
services."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]  # tools/local/src/msc_local/processes.py
INFRA = ROOT / "deploy" / "local" / "infra.sh"


@dataclass(frozen=True)
class Ports:
    """Where everything listens."""

    kafka: int = 9092
    mongo: int = 27017
    gateway: int = 8080
    customer_svc: int = 8081
    sla_svc: int = 8082
    keycloak: int = 8180

    @classmethod
    def from_env(cls) -> Ports:
        """The defaults, each changed by its variable: `MSC_KAFKA_PORT`, `MSC_MONGO_PORT`,
        `MSC_KEYCLOAK_PORT`, `GATEWAY_PORT`, `CUSTOMER_SVC_PORT`, `SLA_SVC_PORT`."""
        names = {
            "kafka": "MSC_KAFKA_PORT",
            "mongo": "MSC_MONGO_PORT",
            "keycloak": "MSC_KEYCLOAK_PORT",
            "gateway": "GATEWAY_PORT",
            "customer_svc": "CUSTOMER_SVC_PORT",
            "sla_svc": "SLA_SVC_PORT",
        }
        given = {field: int(os.environ[var]) for field, var in names.items() if var in os.environ}
        return cls(**given)

    @property
    def gateway_url(self) -> str:
        """Where the portal is."""
        return f"http://127.0.0.1:{self.gateway}"


@dataclass
class Infrastructure:
    """Kafka, FerretDB and Keycloak run by `infra.sh` under one data directory."""

    data_dir: Path
    ports: Ports
    started: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """What infra.sh reads."""
        return {
            "MSC_DATA_DIR": str(self.data_dir),
            "MSC_KAFKA_PORT": str(self.ports.kafka),
            "MSC_MONGO_PORT": str(self.ports.mongo),
            "MSC_KEYCLOAK_PORT": str(self.ports.keycloak),
            "MSC_PYTHON": sys.executable,
        }

    def start(self, kafka: bool = True, mongo: bool = True, keycloak: bool = False) -> None:
        """Start what is asked for; Kafka and FerretDB only when not already listening, Keycloak
        always (its secrets are those of this data directory: infra.sh refuses a taken port).
        Remember what was started."""
        parts = []
        if kafka and not port_open(self.ports.kafka):
            parts.append("kafka")
        if mongo and not port_open(self.ports.mongo):
            parts.append("ferretdb")
        if keycloak:
            parts.append("keycloak")
        if not parts:
            return
        self.started = parts  # before: a start that fails half-way is stopped all the same
        subprocess.run(["bash", str(INFRA), "start", *parts], env=os.environ | self.env, check=True)

    def stop(self) -> None:
        """Stop what `start` started."""
        if self.started:
            subprocess.run(["bash", str(INFRA), "stop"], env=os.environ | self.env, check=False)
            self.started = []


SERVICES = {
    "customer_svc": "customer_svc.main:create_app",
    "sla_svc": "sla_svc.main:create_app",
    "gateway": "gateway.main:create_app",
}


@dataclass
class Service:
    """One service process."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"


def service_env(ports: Ports, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment every service gets: the contract's names."""
    return (
        os.environ
        | {
            "KAFKA_BOOTSTRAP_SERVERS": os.environ.get(
                "KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{ports.kafka}"
            ),
            "MONGODB_URL": os.environ.get("MONGODB_URL", f"mongodb://127.0.0.1:{ports.mongo}"),
            "GATEWAY_PORT": str(ports.gateway),
            "CUSTOMER_SVC_PORT": str(ports.customer_svc),
            "SLA_SVC_PORT": str(ports.sla_svc),
            "CUSTOMER_SVC_URL": f"http://127.0.0.1:{ports.customer_svc}",
            "SLA_SVC_URL": f"http://127.0.0.1:{ports.sla_svc}",
        }
        | dict(extra)
    )


def spawn(args: list[str], env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Run `python -m args...` in a session of its own, its output appended to `log_path`."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def start_service(
    name: str, port: int, env: Mapping[str, str], log_dir: Path, instance: str = ""
) -> Service:
    """Run one service under uvicorn, its output in `<log_dir>/<name><instance>.log`."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}{instance}.log"
    args = ["uvicorn", "--factory", SERVICES[name], "--host", "127.0.0.1", "--port", str(port)]
    process = spawn([*args, "--no-access-log"], env, log_path)
    return Service(name, port, process, log_path)


def wait_ready(services: list[Service], timeout_s: float = 90.0) -> None:
    """Wait until every service's `/readyz` answers 200; fail with its log's tail otherwise."""
    deadline = time.monotonic() + timeout_s
    pending = list(services)
    while pending:
        for service in list(pending):
            if service.process.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited with {service.process.returncode}; "
                    f"its log ({service.log_path}) ends with:\n{tail(service.log_path)}"
                )
            if http_ok(f"{service.url}/readyz"):
                pending.remove(service)
        if pending and time.monotonic() > deadline:
            names = ", ".join(s.name for s in pending)
            raise RuntimeError(
                f"not ready after {timeout_s:.0f} s: {names}; see {pending[0].log_path}:\n"
                f"{tail(pending[0].log_path)}"
            )
        time.sleep(0.2)


def stop_services(services: list[Service], timeout_s: float = 10.0) -> None:
    """SIGTERM every service, then SIGKILL what still runs after `timeout_s`."""
    for service in services:
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for service in services:
        try:
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()


def port_open(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def listener_on(port: int) -> str:
    """Who listens on `port`: `pid N (command line)` where /proc tells, else how to find out."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                return f"pid {proc.name} ({command[:120]})"
        except OSError:
            continue
    return f"a process that `lsof -i :{port}` or `ss -ltnp` names"


def http_ok(url: str) -> bool:
    """True when GET `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def metric_sum(url: str, names: tuple[str, ...]) -> float:
    """The sum of the samples of these counters on a service's `/metrics`."""
    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(names) and "_created" not in line
    )
