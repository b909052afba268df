"""One typed settings object, read from ``PLENARY_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

import msgspec

LogLevel = Literal["critical", "error", "warning", "info", "debug"]


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an operator can set. Each field is read from ``PLENARY_<FIELD>``."""

    database_url: str = "sqlite+aiosqlite:///plenary.db"
    """SQLAlchemy async URL. The default is an SQLite file in the working directory."""
    db_connect_timeout: float = 3.0
    """Seconds to open a PostgreSQL connection, or to check that a pooled one still answers."""
    db_statement_timeout: float = 5.0
    """Seconds one PostgreSQL statement may run (server-side ``statement_timeout``; the client waits 1 s more)."""
    db_pool_timeout: float = 5.0
    """Seconds a request waits for a free pooled database connection before answering 503."""
    sqlite_busy_timeout: float = 5.0
    """Seconds an SQLite write waits for another writer to finish before answering 503."""
    host: str = "127.0.0.1"
    """Interface `plenary serve` binds to."""
    port: int = 8000
    """TCP port `plenary serve` listens on."""
    workers: int = 1
    """Worker processes for `plenary serve`; each is stateless, the database is shared."""
    log_level: LogLevel = "info"
    """Log level of the server and the application."""
    log_format: Literal["json", "text"] = "json"
    """Log lines as JSON objects (one per line, for a log collector) or as text (for a terminal)."""
    migrate_on_start: bool = True
    """Upgrade the database schema to the newest migration when the app starts."""
    load_demo: bool = True
    """Load the demo events when the app starts on a database that holds no event."""
    public_url: str = ""
    """Base URL clients reach the service at (for links in responses); empty means the request's own."""
    render_cache_mb: int = 64
    """Memory per worker for rendered responses, reused until the schedule changes."""
    attendee_writes_per_minute: int = 120
    """Writes one attendee (or one address, for registration) may make per minute: per worker, or
    across all workers and instances when ``redis_url`` is set."""
    redis_url: str = ""
    """Redis for the rate limits (``redis://host:6379/0``), shared by every worker; empty: each worker's memory."""
    redis_prefix: str = "plenary"
    """Prefix of Plenary's keys in Redis, so several deployments can share one server."""
    trusted_proxies: str = ""
    """Addresses or CIDR networks (comma-separated) of proxies whose ``X-Forwarded-For`` names the client.

    Empty trusts none: the client is the address that connected, whatever headers it sends.
    """
    max_body_kb: int = 1024
    """Largest request body accepted (the import route allows 50 MB, takeaways 64 kB)."""
    cors_origins: str = "*"
    """Origins (comma-separated) whose pages may call the API from a browser; ``*`` means any.

    Plenary authenticates with bearer tokens, never cookies, so a page on another origin gains
    nothing a script without a browser would not have: the default lets any web app read schedules.
    """
    debug: bool = False
    """Show tracebacks in error responses. Never in production."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``PLENARY_*`` variables (strings converted to each field's type), then apply overrides."""
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for name in cls.__struct_fields__:
            value = env.get(f"PLENARY_{name.upper()}")
            if value is not None:
                raw[name] = value
        raw.update(overrides)
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise ValueError(f"invalid PLENARY_* setting: {exc}") from exc

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings.from_env()
