"""Where the change bus runs: this process's memory, PostgreSQL LISTEN/NOTIFY, or Redis pub/sub.

Litestar's plugin gives up for good when its backend fails (its reading task ends with the first
error), so the backend it gets here is wrapped: a lost connection is opened again (with backoff),
and every subscriber then gets a ``Resync`` on each channel, because what was published while the
connection was down is gone; they re-read it from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable, Iterable

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no types
from litestar.channels import ChannelsBackend
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from service.live.messages import Resync, encode
from service.settings import Settings

logger = logging.getLogger("plenary.live")

PROBE_SECONDS = 10.0
"""How often an idle bus connection is checked: a server that vanished without closing the
socket is noticed within this, plus the connect timeout."""
RECONNECT_SECONDS = (0.2, 1.0, 5.0)
"""Waits between attempts to reconnect, the last one repeated."""


class PostgresBackend(AsyncPgChannelsBackend):
    """LISTEN/NOTIFY, with one publishing connection kept open (the base opens one per message)
    and a lost listening connection reported as an error instead of silence."""

    def __init__(self, dsn: str, timeout: float) -> None:
        self._timeout = timeout
        super().__init__(make_connection=lambda: asyncpg.connect(dsn=dsn, timeout=timeout))
        self._publisher: asyncpg.Connection | None = None
        self._lost = asyncio.Event()

    async def on_startup(self) -> None:
        await super().on_startup()
        self._listener_conn.add_termination_listener(lambda _connection: self._lost.set())

    async def on_shutdown(self) -> None:
        if self._publisher is not None:
            self._publisher.terminate()
        self._listener_conn.terminate()
        self._subscribed_channels.clear()

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        if self._publisher is None or self._publisher.is_closed():
            self._publisher = await self._connect()
        for channel in channels:
            await self._publisher.execute("SELECT pg_notify($1, $2)", channel, data.decode(), timeout=self._timeout)

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        events = super().stream_events()
        while True:
            lost = asyncio.ensure_future(self._lost.wait())
            item = asyncio.ensure_future(anext(events))
            await asyncio.wait({lost, item}, return_when=asyncio.FIRST_COMPLETED)
            if item.done():
                lost.cancel()
                yield item.result()
                continue
            item.cancel()
            raise ConnectionError("the LISTEN connection to PostgreSQL was closed")

    async def probe(self) -> None:
        await self._listener_conn.execute("SELECT 1", timeout=self._timeout)


class ReconnectingBackend(ChannelsBackend):
    """Wraps a backend made by ``make``: reopens it when it fails, then tells subscribers to re-read.

    ``prefix`` is put before every channel name on the wire (deployments sharing one Redis).
    """

    def __init__(self, make: Callable[[], ChannelsBackend], prefix: str = "") -> None:
        self._make = make
        self._prefix = prefix
        self._inner: ChannelsBackend | None = None
        self._channels: set[str] = set()
        self._received: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None
        self._healthy = asyncio.Event()

    @property
    def healthy(self) -> bool:
        """Whether other processes' messages arrive now (False while reconnecting)."""
        return self._healthy.is_set()

    async def on_startup(self) -> None:
        self._received = asyncio.Queue()
        self._healthy = asyncio.Event()
        try:
            await self._open()
        except Exception as exc:  # the app starts anyway (the database may answer later): retried
            self._failed("could not connect the change bus", exc)

    async def on_shutdown(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        if self._inner is not None:
            await self._close(self._inner)
            self._inner = None

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        # A message that cannot be sent is dropped, not retried: listeners catch up from the
        # database after the reconnect (and the hub's periodic check).
        try:
            if self._inner is None:
                raise ConnectionError("the bus is reconnecting")
            await self._inner.publish(data, [self._prefix + c for c in channels])
        except Exception as exc:  # any backend failure: logged, the app goes on
            self._failed("could not publish a change on the bus", exc)

    async def subscribe(self, channels: Iterable[str]) -> None:
        new = set(channels) - self._channels
        self._channels |= new
        if self._inner is not None and new:
            try:
                await self._inner.subscribe([self._prefix + c for c in new])
            except Exception as exc:  # subscribed again when the bus reconnects
                self._failed("could not subscribe on the bus", exc)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        gone = set(channels) & self._channels
        self._channels -= gone
        if self._inner is not None and gone:
            try:
                await self._inner.unsubscribe([self._prefix + c for c in gone])
            except Exception as exc:  # a bus that is down has no subscription left to end
                self._failed("could not unsubscribe on the bus", exc)

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        return []  # the change log is the history

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        attempt = 0
        while True:
            try:
                item = await asyncio.wait_for(self._received.get(), PROBE_SECONDS)
            except TimeoutError:
                item = None
            if item is not None and item[0] and self._healthy.is_set():
                yield item
                continue
            if self._healthy.is_set() and await self._probe():
                continue
            await asyncio.sleep(RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)])
            attempt += 1
            try:
                await self._reopen()
            except Exception as exc:  # database or Redis still away: try again later
                logger.warning("the change bus is still down: %r", exc)
                continue
            attempt = 0
            logger.info("the change bus reconnected; listeners re-read what they missed")
            for channel in self._channels:
                yield channel, encode(Resync())

    async def _probe(self) -> bool:
        probe = getattr(self._inner, "probe", None)
        if probe is None:
            return True
        try:
            await probe()
        except Exception as exc:  # a dead connection fails here in any of several ways
            logger.warning("the change bus connection failed its check: %r", exc)
            self._healthy.clear()
            return False
        return True

    async def _open(self) -> None:
        inner = self._make()
        await inner.on_startup()
        if self._channels:
            await inner.subscribe([self._prefix + c for c in self._channels])
        self._inner = inner
        self._healthy.set()
        self._pump = asyncio.create_task(self._forward(inner))

    async def _reopen(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        if self._inner is not None:
            await self._close(self._inner)
            self._inner = None
        await self._open()

    async def _forward(self, inner: ChannelsBackend) -> None:
        try:
            async for channel, data in inner.stream_events():
                self._received.put_nowait((channel.removeprefix(self._prefix), data))
            raise ConnectionError("the bus stopped delivering")
        except Exception as exc:  # the connection is gone: the reader reconnects
            self._failed("the change bus connection was lost", exc)

    def _failed(self, what: str, exc: BaseException) -> None:
        """Note a failure and wake the reader, which reconnects."""
        logger.warning("%s: %r", what, exc)
        self._healthy.clear()
        self._received.put_nowait(("", b""))

    @staticmethod
    async def _close(inner: ChannelsBackend) -> None:
        try:
            await inner.on_shutdown()
        except Exception:  # closing a broken connection may fail too; it is dropped either way
            logger.debug("closing the old bus connection failed", exc_info=True)


def bus_backend(settings: Settings) -> ChannelsBackend:
    """Redis when ``redis_url`` is set; else PostgreSQL's own LISTEN/NOTIFY; else this process."""
    if settings.redis_url:
        url = settings.redis_url
        return ReconnectingBackend(
            lambda: RedisChannelsPubSubBackend(
                redis=Redis.from_url(url, socket_connect_timeout=settings.db_connect_timeout, health_check_interval=10)
            ),
            prefix=f"{settings.redis_prefix}:",
        )
    if not settings.is_sqlite:
        dsn = make_url(settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        return ReconnectingBackend(lambda: PostgresBackend(dsn, settings.db_connect_timeout))
    return MemoryChannelsBackend()
