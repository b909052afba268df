"""The database connection, as advanced-alchemy's Litestar plugin wants it, with bounded waits.

Every wait on the database has an end, so an outage answers 503 in seconds instead of hanging,
and a connection that failed is never handed out again, so the service recovers on its own when
the database comes back:

- PostgreSQL: connecting (TCP, TLS, authentication) and checking a pooled connection before a
  request gets it (one that has been idle, see ``PING_AFTER_IDLE_SECONDS``) both take at most
  ``db_connect_timeout``; a statement at most ``db_statement_timeout`` (the server cancels it; the
  client gives up 1 s later, when the server has gone silent); waiting for a free pooled
  connection at most ``db_pool_timeout``.
- SQLite: a write waits ``sqlite_busy_timeout`` for another writer's lock, then fails as busy.
"""

from __future__ import annotations

import time
from typing import Any

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy import event
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.exc import InvalidatePoolError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState
from sqlalchemy.util import await_only

from service.db.transaction import PLUGIN_SESSION_KEY, close_session_before_send
from service.settings import Settings

CANNOT_CONNECT = "08001"
"""SQLSTATE "SQL-client unable to establish SQL-connection", given to a failed connect that has none."""
PING_AFTER_IDLE_SECONDS = 1.0
"""A pooled PostgreSQL connection is checked before a request gets it when it has been idle this long.
One that finished a request less than this ago, with no failure seen since, answered the server as
recently as a check would: under load every request would otherwise pay a round trip (about a
sixth of a takeaway write's). Should the server have gone silent meanwhile, the request's first
statement finds out instead, within the statement timeout, and the failure gets every connection
opened before it checked or replaced, as below."""
POOL_SIZE = 15
"""Connections each worker keeps open, and the most it opens (as many as SQLAlchemy's default
5 + 10 overflow). Kept rather than overflowing: an overflow connection is closed as soon as it
is returned, so a worker serving more than 5 requests at once opened and closed a connection
every few requests (PostgreSQL forks a backend for each: 161 sessions in a 10 s write benchmark).
A request beyond the 15th waits for one, up to ``db_pool_timeout``."""
SQLITE_POOL_SIZE = 3
"""Connections each worker keeps to an SQLite file. SQLite lets one connection write at a time; the
others wait in its busy handler, which sleeps between tries (up to 100 ms at a time) and serves
no one in order, so the more connections write at once, the longer the unlucky ones wait: with
15, 1 % of the notes of 32 concurrent writers waited over 1.5 s. The pool's own queue is first
come, first served. Three, so that requests that keep their connection while they wait for
something else (an import, which runs in a process of its own) still leave one to the others."""
SESSION_INFO = {"enable_cache_listener": False}
"""advanced-alchemy's cache-invalidation listener runs on every commit and builds an engine copy to
read an option we never set; we use no advanced-alchemy cache, so each session tells it so."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while a writer commits (several workers share one file);
    # foreign keys are off by default in SQLite and our cascades depend on them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """Roll back a connection returned to the pool only when it is inside a transaction.

    SQLAlchemy's own reset rolls back every connection returned after a commit, and with aiosqlite
    each rollback is a round trip to the connection's thread (one in every nine of a takeaway
    write). A connection returned inside a transaction still rolls back, so no lock outlives its
    request."""
    if state.asyncio_safe and dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


def _in_memory(database_url: str) -> bool:
    url = make_url(database_url)
    return (url.database or "") in {"", ":memory:"} or url.query.get("mode") == "memory"


def engine_config(settings: Settings) -> EngineConfig:
    if settings.is_sqlite:
        # sqlite3's timeout is its busy timeout: how long a write waits for the file's write lock.
        sqlite = EngineConfig(connect_args={"timeout": settings.sqlite_busy_timeout})
        if not _in_memory(settings.database_url):  # one shared connection (StaticPool): nothing to wait for
            sqlite.pool_timeout = settings.db_pool_timeout  # type: ignore[assignment]  # SQLAlchemy takes float seconds
            sqlite.pool_size, sqlite.max_overflow = SQLITE_POOL_SIZE, 0
        sqlite.pool_reset_on_return = None  # type: ignore[assignment]  # SQLAlchemy takes None; see _sqlite_reset
        return sqlite
    return EngineConfig(
        # Our own ping replaces pre-ping (see attach_postgres_guards): that one waits the whole
        # statement timeout on a silent server and then keeps the rest of the pool.
        pool_pre_ping=False,
        pool_timeout=settings.db_pool_timeout,  # type: ignore[arg-type]  # SQLAlchemy takes float seconds
        pool_size=POOL_SIZE,
        max_overflow=0,
        connect_args={
            "timeout": settings.db_connect_timeout,
            "command_timeout": settings.db_statement_timeout + 1,
            "server_settings": {"statement_timeout": str(round(settings.db_statement_timeout * 1000))},
        },
    )


def sqlalchemy_config(settings: Settings) -> SQLAlchemyAsyncConfig:
    config = SQLAlchemyAsyncConfig(
        connection_string=settings.database_url,
        engine_config=engine_config(settings),
        session_config=AsyncSessionConfig(expire_on_commit=False, info=SESSION_INFO),
        enable_file_object_listener=False,  # no FileObject columns: nothing for it to do on a flush or commit
        # Handlers ask for ``db_session`` (service/db/transaction.py), which commits before the
        # response is sent; the plugin's session is what it wraps.
        session_dependency_key=PLUGIN_SESSION_KEY,
        # Database errors go to our problem+json table, not to advanced-alchemy's plain JSON.
        set_default_exception_handler=False,
        create_all=False,  # the schema comes from Alembic migrations, never from create_all
    )
    config.before_send_handler = close_session_before_send(config)
    if settings.is_sqlite:
        attach_sqlite_pragmas(config.get_engine())
        event.listen(config.get_engine().sync_engine, "reset", _sqlite_reset)
    else:
        attach_postgres_guards(config.get_engine(), ping_timeout=settings.db_connect_timeout)
    return config


def attach_sqlite_pragmas(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)


def attach_postgres_guards(engine: AsyncEngine, *, ping_timeout: float) -> None:
    _PostgresGuards(ping_timeout).attach(engine)


class _PostgresGuards:
    """Make asyncpg's failures look like what they are, and keep failed connections out of the pool.

    asyncpg raises a bare ``OSError`` or ``TimeoutError`` where a DB-API driver raises
    ``OperationalError``; SQLAlchemy then neither wraps the error nor discards the connection,
    whose state is unknown. And SQLAlchemy says goodbye to a connection it discards, waiting up to
    2 s for a server that may have gone silent. These hooks fix all three.
    """

    def __init__(self, ping_timeout: float) -> None:
        import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no types

        self.ping_timeout = ping_timeout
        self.connect_failures = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
        self.last_failure = 0.0
        """When a connection was last found broken: the ones opened before it are suspect too."""
        self.last_failure_monotonic = 0.0
        """The same moment on the monotonic clock, against which ``returned_at`` is compared."""

    def attach(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "do_connect", self.connect)
        event.listen(engine.sync_engine, "connect", self.opened)
        event.listen(engine.sync_engine, "handle_error", self.statement_failed)
        event.listen(engine.sync_engine, "checkout", self.ping)
        event.listen(engine.sync_engine, "checkin", self.returned)
        event.listen(engine.sync_engine, "close", self.closing)

    def connect(self, dialect: Dialect, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except self.connect_failures as exc:
            error: Any = dialect.loaded_dbapi.OperationalError(f"cannot connect to PostgreSQL: {exc!r}")
            error.sqlstate = error.pgcode = getattr(exc, "sqlstate", None) or CANNOT_CONNECT
            raise error from exc

    def opened(self, _dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["opened_at"] = time.time()
        record.info["fresh"] = True  # just answered the handshake: its first checkout needs no check

    def statement_failed(self, context: ExceptionContext) -> BaseException | None:
        original = context.original_exception
        if context.sqlalchemy_exception is None and isinstance(original, OSError):
            # A statement that outlived the server's own statement_timeout by a second (TimeoutError
            # is an OSError) or a socket error: the server is gone or silent. Discard this
            # connection and, as for any disconnect, the others opened before it.
            context.is_disconnect = True
            self.failed()
            return OperationalError(context.statement, context.parameters, original, connection_invalidated=True)
        if context.is_disconnect:
            self.failed()
        return None

    def failed(self) -> None:
        self.last_failure = time.time()
        self.last_failure_monotonic = time.monotonic()

    def ping(self, dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        """Check a pooled connection before a request gets it, for at most the connect timeout
        (SQLAlchemy's pre-ping would wait the statement timeout, then keep the rest of the pool),
        unless it has just answered (``PING_AFTER_IDLE_SECONDS``)."""
        if record.info.pop("fresh", False):
            return
        returned_at = record.info.get("returned_at", 0.0)
        if time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS and returned_at > self.last_failure_monotonic:
            return
        driver = dbapi_connection.driver_connection
        try:
            await_only(driver.execute("SELECT 1", timeout=self.ping_timeout))
        except Exception as exc:
            self.failed()
            driver.terminate()
            raise InvalidatePoolError(f"pooled connection failed its check: {exc!r}") from exc

    def returned(self, _dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        """A connection back in the pool after a request: it answered that request's statements."""
        record.info["returned_at"] = time.monotonic()

    def closing(self, dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        if record.info.get("opened_at", 0.0) <= self.last_failure:
            # No goodbye to a server that may not answer it: close the socket at once.
            dbapi_connection.driver_connection.terminate()
