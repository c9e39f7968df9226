"""Where the suite's infrastructure listens: the test ports, and the endpoints the root
`conftest.py` fixture `infrastructure` yields."""

from __future__ import annotations

from dataclasses import dataclass

from msc_local.processes import Ports

TEST_PORTS = Ports(kafka=19092, mongo=27018, gateway=18080, customer_svc=18081, sla_svc=18082)
"""Apart from `make run`'s, so the tests can run beside it."""


@dataclass(frozen=True)
class Endpoints:
    """Where the test infrastructure listens."""

    kafka: str
    mongodb: str
