"""Rate limits on attendees' writes, with Litestar's own limiter and stores.

Who is counted: the token's id (``Authorization: Bearer <id>.<secret>``, read however the scheme is
spelled or spaced; the secret is never kept), or else the client's address. The address is the
direct peer's, unless that peer is one of ``PLENARY_TRUSTED_PROXIES``: then it is read from
``X-Forwarded-For``. A header that is not a bearer token with an id counts against the address,
so no made-up header buys a fresh bucket; registration, which takes no token, always counts
against the address.

Where the counts live: in Redis when ``PLENARY_REDIS_URL`` is set, shared by every worker and
instance; otherwise in each worker's memory. When Redis cannot be reached the limit does not
fail the request: it falls back to the worker's memory for a while, with a warning in the log.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import Receive, Scope, Send

from service.core.metrics import RATE_LIMIT_REFUSALS
from service.core.secrets import presented_bearer_token
from service.settings import Settings

if TYPE_CHECKING:
    from types import TracebackType

T = TypeVar("T")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

logger = logging.getLogger("plenary.limits")

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ATTENDEE_WRITE_PATHS = re.compile(r"^/(me(/|$)|events/[^/]+/(attendees$|devices$|talks/[^/]+/takeaways$))")
REGISTRATION_PATH = re.compile(r"^/events/[^/]+/(attendees|devices)$")
"""Registering, and pairing a device with a code: no token yet, so counted by address."""
STORE_NAME = "rate_limit"
REDIS_TIMEOUT_SECONDS = 0.5
"""Connect and answer timeouts: a limiter that waits seconds for Redis would slow every write."""
REDIS_RETRY_AFTER_SECONDS = 30.0
"""After Redis fails, count in memory this long before trying it again (one warning per attempt)."""


def bearer_token_id(authorization: str | None) -> str | None:
    """The id part of ``Bearer <id>.<secret>`` (scheme in any case, any whitespace), normalised;
    ``None`` when the header is anything else. The secret is never looked at beyond its dot."""
    token = presented_bearer_token(authorization)
    if token is None:
        return None
    token_id, dot, secret = token.partition(".")
    if not dot or not secret:
        return None
    try:
        return str(uuid.UUID(token_id))
    except ValueError:
        return None


def parse_networks(value: str) -> tuple[Network, ...]:
    """``PLENARY_TRUSTED_PROXIES``: comma-separated addresses or CIDR networks."""
    networks: list[Network] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"PLENARY_TRUSTED_PROXIES: {item!r} is not an IP address or network") from exc
    return tuple(networks)


def _address(text: str) -> Address | None:
    """An address as a peer or an X-Forwarded-For hop gives it (``[v6]:port`` and ``v4:port`` too)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(request: Request[Any, Any, Any], trusted: Sequence[Network]) -> str:
    """The peer's address, or the client a trusted proxy names in ``X-Forwarded-For``.

    Each proxy appends the address it was reached from, so the list is read from the right: hops
    that are trusted proxies are skipped, and the first one that is not is the client. Anything to
    its left was written by the client itself and proves nothing.
    """
    peer = request.client.host if request.client else ""
    peer_address = _address(peer)
    if peer_address is None or not any(peer_address in network for network in trusted):
        return peer or "unknown"
    hops = [hop for value in request.headers.getall("x-forwarded-for", []) for hop in value.split(",")]
    client = peer_address
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not any(address in network for network in trusted):
            break
    return str(client)


async def _is_attendee_write(request: Request[Any, Any, Any]) -> bool:
    # async on purpose: Litestar runs a sync check in a worker thread, on every request of every
    # route, which halved the throughput of even /health.
    return request.method in WRITES and bool(ATTENDEE_WRITE_PATHS.match(request.url.path))


def identify(request: Request[Any, Any, Any], trusted: Sequence[Network]) -> str:
    """The bucket a write counts against: its token's id, else its client's address."""
    if not REGISTRATION_PATH.match(request.url.path):
        token_id = bearer_token_id(request.headers.get("authorization"))
        if token_id is not None:
            return f"token:{token_id}"
    return f"address:{client_address(request, trusted)}"


class AttendeeRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's limiter, answering its own 429 (and counting it).

    Litestar's limiter raises, and an exception from a middleware is turned into a response only
    by the app's outermost handler, outside every other middleware: the request log and the
    Prometheus middleware would never see the 429 (the latter would count a 200). Answering here,
    through the route's own exception handlers, gives the same problem+json with ``Retry-After``.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as refusal:
            RATE_LIMIT_REFUSALS.labels(route=scope.get("path_template", "")).inc()
            handlers = scope["route_handler"].resolve_exception_handlers()
            keys: list[int | type[Exception]] = [refusal.status_code]
            keys += [kind for kind in type(refusal).__mro__ if issubclass(kind, Exception)]
            handler = next((handlers[key] for key in keys if key in handlers), None)
            if handler is None:
                raise
            app = scope["litestar_app"]
            request = app.request_class(scope=scope, receive=receive, send=send)
            response = handler(request, refusal)
            await response.to_asgi_response(app=None, request=request)(scope, receive, send)


def attendee_rate_limit(settings: Settings) -> RateLimitConfig:
    """Writes per minute per attendee (or address), counted in the ``rate_limit`` store."""
    trusted = parse_networks(settings.trusted_proxies)
    return RateLimitConfig(
        rate_limit=("minute", settings.attendee_writes_per_minute),
        identifier_for_request=lambda request: identify(request, trusted),
        check_throttle_handler=_is_attendee_write,
        middleware_class=AttendeeRateLimitMiddleware,
        store=STORE_NAME,
    )


def rate_limit_stores(settings: Settings) -> dict[str, Store]:
    """Redis, shared by every worker, when ``PLENARY_REDIS_URL`` is set; else none, and Litestar
    gives the limiter a memory store of the worker's own."""
    if not settings.redis_url:
        return {}
    from litestar.stores.redis import RedisStore
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    client = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        # One immediate retry covers a pooled connection Redis closed (a restart); more would only
        # make a write wait longer for a Redis that is down.
        retry=Retry(NoBackoff(), 1),
    )
    shared = RedisStore(client, namespace=f"{settings.redis_prefix}:{STORE_NAME}", handle_client_shutdown=True)
    return {STORE_NAME: SharedStoreWithFallback(shared, MemoryStore())}


class SharedStoreWithFallback(Store):
    """A shared store (Redis) that, while it cannot be reached, lends the work to a local one.

    A rate limiter must not turn an outage of its store into failed requests; counting per worker
    meanwhile still stops a runaway client, which failing open would not. The shared store is tried
    again every ``REDIS_RETRY_AFTER_SECONDS``; counts made locally meanwhile stay local.
    """

    def __init__(self, shared: Store, local: Store) -> None:
        self.shared = shared
        self.local = local
        self._shared_down_until = 0.0

    async def _run(self, operation: Callable[[Store], Awaitable[T]]) -> T:
        from redis.exceptions import RedisError

        if time.monotonic() >= self._shared_down_until:
            try:
                result = await operation(self.shared)
            except (RedisError, OSError) as exc:
                self._shared_down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
                logger.warning(
                    "rate limit store unreachable: counting per worker in memory for %.0f s",
                    REDIS_RETRY_AFTER_SECONDS,
                    extra={"error": f"{type(exc).__name__}: {exc}"},
                )
            else:
                if self._shared_down_until:
                    self._shared_down_until = 0.0
                    logger.info("rate limit store reachable again: counting in it")
                return result
        return await operation(self.local)

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        await self._run(lambda store: store.set(key, value, expires_in))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await self._run(lambda store: store.get(key, renew_for))

    async def delete(self, key: str) -> None:
        await self._run(lambda store: store.delete(key))

    async def delete_all(self) -> None:
        await self._run(lambda store: store.delete_all())

    async def exists(self, key: str) -> bool:
        return await self._run(lambda store: store.exists(key))

    async def expires_in(self, key: str) -> int | None:
        return await self._run(lambda store: store.expires_in(key))

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        # Closes the Redis client when the app shuts down.
        await self.shared.__aexit__(exc_type, exc_val, exc_tb)
