"""`make run`'s choices that need no servers: its ports, and who holds one already."""

from __future__ import annotations

import os
import socket

import pytest

from msc_local.processes import Ports, listener_on
from msc_local.run import _taken_ports


def test_every_port_can_be_moved_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    moved = {
        "GATEWAY_PORT": "18580",
        "CUSTOMER_SVC_PORT": "18581",
        "SLA_SVC_PORT": "18582",
        "MSC_KAFKA_PORT": "19592",
        "MSC_MONGO_PORT": "27517",
        "MSC_KEYCLOAK_PORT": "18680",
    }
    for variable in moved:
        monkeypatch.delenv(variable, raising=False)
    assert Ports.from_env() == Ports()
    for variable, value in moved.items():
        monkeypatch.setenv(variable, value)
    assert Ports.from_env() == Ports(
        kafka=19592, mongo=27517, gateway=18580, customer_svc=18581, sla_svc=18582, keycloak=18680
    )
    assert Ports.from_env().gateway_url == "http://127.0.0.1:18580"


def test_a_taken_port_is_named_with_the_process_holding_it() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        ports = Ports(gateway=port, customer_svc=1, sla_svc=2)
        (line,) = _taken_ports(ports, kafka=False, mongo=False, keycloak=False)
        assert str(port) in line and f"pid {os.getpid()}" in line
        assert listener_on(port).startswith(f"pid {os.getpid()} ")
    assert _taken_ports(ports, kafka=False, mongo=False, keycloak=False) == []


def test_keycloaks_port_counts_unless_the_provider_is_elsewhere() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        ports = Ports(gateway=1, customer_svc=2, sla_svc=3, keycloak=held.getsockname()[1])
        (line,) = _taken_ports(ports, kafka=False, mongo=False, keycloak=True)
        assert "(Keycloak)" in line
        assert _taken_ports(ports, kafka=False, mongo=False, keycloak=False) == []
