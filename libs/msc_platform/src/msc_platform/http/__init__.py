"""HTTP plumbing shared by the services, one concern a module: problem+json errors
(`problems`), request limits (`limits`), security headers, request ids, ids in paths,
the actor and customer-groups headers, bearer tokens, HTTP metrics and the health routes.
The names the services use are importable from here."""

from msc_platform.http.actor import ACTOR_HEADER, actor_of
from msc_platform.http.bearer import bearer_token
from msc_platform.http.customer_groups import CUSTOMER_GROUPS_HEADER, groups_header, groups_of
from msc_platform.http.health_routes import health_router
from msc_platform.http.limits import MAX_BODY_BYTES, install_request_limits
from msc_platform.http.metrics import install_http_metrics
from msc_platform.http.paths import PathId
from msc_platform.http.problems import (
    PROBLEM_JSON,
    Problem,
    ProblemDetail,
    install_problem_handlers,
    problem_response,
)
from msc_platform.http.request_ids import REQUEST_ID_HEADER, install_request_id
from msc_platform.http.security_headers import SecurityHeadersMiddleware

__all__ = [
    "ACTOR_HEADER",
    "CUSTOMER_GROUPS_HEADER",
    "MAX_BODY_BYTES",
    "PROBLEM_JSON",
    "REQUEST_ID_HEADER",
    "PathId",
    "Problem",
    "ProblemDetail",
    "SecurityHeadersMiddleware",
    "actor_of",
    "bearer_token",
    "groups_header",
    "groups_of",
    "health_router",
    "install_http_metrics",
    "install_problem_handlers",
    "install_request_id",
    "install_request_limits",
    "problem_response",
]
