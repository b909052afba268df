"""Prometheus metrics: Litestar's plugin counts and times every request by route template; the
counters here add what only Plenary knows (render cache, rate-limit refusals, database pool).

Metrics live in the process's default registry, so each worker process counts its own requests:
with ``PLENARY_WORKERS`` above 1, a scrape of ``/metrics`` reaches one of them.
"""

from __future__ import annotations

from litestar import Response
from litestar.di import NamedDependency
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

from service.core import routing

PREFIX = "plenary"

RENDER_CACHE_HITS = Counter(
    f"{PREFIX}_render_cache_hits",
    "Responses served from a body rendered earlier (or by a concurrent request) for the same ETag.",
)
RENDER_CACHE_MISSES = Counter(
    f"{PREFIX}_render_cache_misses",
    "Bodies rendered (or gzip-compressed) because the render cache did not hold them.",
)
RATE_LIMIT_REFUSALS = Counter(
    f"{PREFIX}_rate_limit_refusals",
    "Requests refused with 429 by the attendee write limit, by route template.",
    ["route"],
)
DB_POOL_CONNECTIONS = Gauge(
    f"{PREFIX}_db_pool_connections",
    "Connections of the database pool, in use (checked out) or idle, when metrics were scraped.",
    ["state"],
)


def prometheus_config() -> PrometheusConfig:
    """Requests by method, route template (never the concrete path: a calendar URL carries a secret)
    and status, with their latency. Scrapes of ``/metrics`` itself are left out."""
    return PrometheusConfig(app_name=PREFIX, prefix=PREFIX, group_path=True, exclude=["^/metrics$"])


def observe_pool(engine: AsyncEngine) -> None:
    """Read the pool's status now. Pools that do not count (SQLite in memory, NullPool) are skipped."""
    pool = engine.pool
    checked_out = getattr(pool, "checkedout", None)
    checked_in = getattr(pool, "checkedin", None)
    if callable(checked_out) and callable(checked_in):
        DB_POOL_CONNECTIONS.labels(state="in_use").set(checked_out())
        DB_POOL_CONNECTIONS.labels(state="idle").set(checked_in())


class MetricsController(PrometheusController):
    """The plugin's ``/metrics``, also answering ``HEAD`` like every read route, and not in the API
    docs: it is for the operator's scraper, not for apps."""

    @routing.get(include_in_schema=False)
    async def get(self, db_engine: NamedDependency[AsyncEngine]) -> Response:  # type: ignore[type-arg]  # the plugin's signature
        observe_pool(db_engine)
        return await PrometheusController.get.fn(self)  # type: ignore[no-any-return]
