"""The secret of the test session's services, and the credential to call them directly."""

from __future__ import annotations

import os

from msc_platform.service_token import ServiceCredential

TEST_SECRET = "test-secret-" + "0123456789abcdef" * 3
"""MSC_JWT_SECRET of the test session, unless the environment gives one (root conftest)."""


def service_auth() -> dict[str, str]:
    """Headers of a direct call to customer_svc or sla_svc, as the gateway makes it."""
    credential = ServiceCredential(os.environ["MSC_JWT_SECRET"], "tests")
    return {"Authorization": credential.header()}
