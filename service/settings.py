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
    event_cache_seconds: float = 1.0
    """Longest a worker answers 304s and cached bodies from its memory of an event without the database
    confirming it (changes announced on the change bus are seen at once); 0 reads the event every request."""
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
    live_heartbeat_seconds: float = 15.0
    """Seconds between keep-alive comments on an idle live stream (proxies close silent ones after 30-60 s)."""
    live_max_streams: int = 10_000
    """Live streams one worker serves at once; one more is refused with a 503 and ``Retry-After``."""
    live_queue_size: int = 32
    """Wake-ups a live stream may have pending; a client that stops reading past this is disconnected."""
    shutdown_grace_seconds: int = 5
    """Seconds ``plenary serve`` waits on SIGTERM for open requests and live streams before closing them."""
    webhook_timeout_seconds: float = 10.0
    """Seconds a webhook receiver has for one delivery (connect to last byte); a slower one is cut and retried."""
    webhook_retry_base_seconds: float = 30.0
    """Wait before a failed webhook delivery's first retry; it doubles each time (with jitter)."""
    webhook_retry_max_seconds: float = 3600.0
    """Longest wait between two attempts of one webhook delivery."""
    webhook_max_attempts: int = 10
    """Attempts per webhook message before it is given up (marked failed in the delivery log)."""
    webhook_disable_after_failures: int = 20
    """Consecutive failed attempts after which a webhook endpoint is disabled (PATCH enabled=true resumes it)."""
    webhook_poll_seconds: float = 1.0
    """How often each worker looks for webhook deliveries due (changes made in this process wake it at once)."""
    webhook_allowed_networks: str = ""
    """CIDR networks (comma-separated) webhooks may reach although private or loopback; empty: public hosts only."""
    webhook_allow_http: bool = False
    """Accept plain http:// webhook URLs (for tests and local receivers only: payloads travel unencrypted)."""
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
