"""Rate limits on attendees' writes, with Litestar's own limiter."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ATTENDEE_WRITE_PATHS = re.compile(r"^/(me(/|$)|events/[^/]+/(attendees$|talks/[^/]+/takeaways$))")


async def _is_attendee_write(request: Request[Any, Any, Any]) -> bool:
    # async on purpose: Litestar runs a sync check in a worker thread, on every request of every
    # route, which halved the throughput of even /health.
    return request.method in WRITES and bool(ATTENDEE_WRITE_PATHS.match(request.url.path))


def _who(request: Request[Any, Any, Any]) -> str:
    """The attendee's token (hashed: never keep a secret in the limiter's store), else the address."""
    authorization = request.headers.get("authorization")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()
    return "address:" + get_remote_address(request)


def attendee_rate_limit(per_minute: int) -> RateLimitConfig:
    """Per worker and in memory: good enough to stop a runaway phone; a cluster-wide limit would
    need a shared store (Redis), which nothing else needs yet."""
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        identifier_for_request=_who,
        check_throttle_handler=_is_attendee_write,
    )
