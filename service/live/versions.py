"""What each worker knows of every event it serves, so that a 304 or a cached body costs no query.

Every ETag and Last-Modified under ``/events/{slug}`` is made from the event's row (its schedule
version, ``updated_at``, ``schedule_modified_at``: service/events/deps.py), and a rendered body is
cached by its ETag (service/core/http.py). Once the row is in memory, a client whose copy is current,
or one asking for a body already rendered, is answered without the database.

A remembered row is trusted only while both hold:

* the change bus is healthy (its messages are how other processes' commits reach this one), and
* the database confirmed the row less than ``event_cache_seconds`` ago.

A commit in this process forgets the rows it changed at once (the bus hands its messages to this
worker before the response is sent); a commit announced by another process is forgotten as its
message arrives. Changes that send no message (``plenary import`` and the demo loader run as
other processes, an update made with SQL) are found by re-reading every remembered row twice per
``event_cache_seconds`` in the background; if that fails, or the bus is down, rows go untrusted
and every request reads its event from the database, as it would without this module. So no
worker answers from a row older than ``event_cache_seconds``.

Only reads (GET, HEAD) take a remembered row: a write loads the event it changes.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import cast

from litestar.channels import ChannelsBackend
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from service.events.deps import SOURCE_COLUMNS, RememberedEvents
from service.events.models import Event
from service.live.backends import ReconnectingBackend
from service.live.messages import Message, Resync, ScheduleChanged, decode
from service.settings import Settings

logger = logging.getLogger("plenary.live")

MAX_EVENTS = 1000
"""Rows remembered per worker, least recently asked for first out: each one is re-read in the
background, so a worker that once served thousands of events does not keep confirming them all."""

_MAPPER = inspect(Event)
_KEYS = tuple(attribute.key for attribute in _MAPPER.column_attrs)
_COLUMNS = tuple(getattr(Event, key) for key in _KEYS)

Row = dict[str, object]
"""An event's column values, by attribute name."""


def bus_health(backend: ChannelsBackend) -> Callable[[], bool]:
    """Whether ``backend`` delivers other processes' messages now (this process's memory always does)."""
    if isinstance(backend, ReconnectingBackend):
        return lambda: backend.healthy  # the backend's own verdict, updated as it reconnects
    return lambda: True


@dataclass(frozen=True, slots=True)
class Reading:
    """When a read of the database began, and how many changes had been heard by then."""

    generation: int
    started: float


@dataclass(frozen=True, slots=True)
class _Known:
    row: Row
    confirmed: float
    """``time.monotonic()`` when the read that returned ``row`` began."""

    @property
    def event_id(self) -> uuid.UUID:
        return cast("uuid.UUID", self.row["id"])

    @property
    def version(self) -> int:
        return cast("int", self.row["schedule_version"])


class EventVersions(RememberedEvents):
    """The rows of the events this worker served lately, each trusted for a bounded time."""

    def __init__(self, settings: Settings, engine: AsyncEngine, bus_healthy: Callable[[], bool]) -> None:
        self.trust_seconds = settings.event_cache_seconds
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._bus_healthy = bus_healthy
        self._by_slug: OrderedDict[str, _Known] = OrderedDict()
        self._slug_of: dict[uuid.UUID, str] = {}
        self._generation = 0
        """Changes heard so far: a read that began before one must not be remembered after it."""

    # -- requests -----------------------------------------------------------------------------

    def find(self, slug: str, session: AsyncSession) -> Event | None:
        """The event, attached to ``session`` without a query, when the remembered row is trusted."""
        known = self._by_slug.get(slug)
        if known is None or not self._trusted(known):
            return None
        self._by_slug.move_to_end(slug)
        loaded = session.sync_session.identity_map.get(_MAPPER.identity_key_from_primary_key((known.event_id,)))
        if isinstance(loaded, Event):
            return loaded
        event = _MAPPER.class_manager.new_instance()
        for key, value in known.row.items():
            set_committed_value(event, key, value)
        make_transient_to_detached(event)
        # Clean and whole: reading its columns, or rendering from them, needs no statement.
        session.add(event)
        return event

    def vouches_for(self, source: Hashable) -> bool:
        """Whether the trusted row of the event ``source`` names still has ``source``'s values."""
        known = self._by_slug.get(cast("tuple[str, ...]", source)[0])
        return (
            known is not None
            and self._trusted(known)
            and tuple(known.row[column] for column in SOURCE_COLUMNS) == source
        )

    def start_reading(self) -> Reading:
        return Reading(self._generation, time.monotonic())

    def remember(self, event: Event, reading: Reading) -> None:
        """Keep ``event`` as read by ``reading``, unless a change was heard while it was being read."""
        if self.trust_seconds > 0 and reading.generation == self._generation:
            self._store({key: getattr(event, key) for key in _KEYS}, reading.started)

    def _trusted(self, known: _Known) -> bool:
        return time.monotonic() - known.confirmed < self.trust_seconds and self._bus_healthy()

    def _store(self, row: Row, confirmed: float) -> None:
        known = _Known(row, confirmed)
        slug = cast("str", row["slug"])
        current = self._by_slug.get(self._slug_of.get(known.event_id, slug))
        if current is not None and current.event_id == known.event_id and current.version > known.version:
            return  # versions only grow: a read that began earlier finished later
        if self._slug_of.get(known.event_id) != slug:  # new, or renamed
            self._forget(known.event_id)
            self._slug_of[known.event_id] = slug
        self._by_slug[slug] = known  # a slug already there keeps its place in the recency order
        while len(self._by_slug) > MAX_EVENTS:
            _, oldest = self._by_slug.popitem(last=False)
            self._slug_of.pop(oldest.event_id, None)

    def _forget(self, event_id: uuid.UUID) -> None:
        slug = self._slug_of.pop(event_id, None)
        if slug is not None:
            self._by_slug.pop(slug, None)

    # -- the bus ------------------------------------------------------------------------------

    def receive(self, payload: bytes) -> None:
        message = decode(payload)
        if message is not None:
            self.dispatch(message)

    def dispatch(self, message: Message) -> None:
        """Forget what ``message`` says changed (a row already at its version stays)."""
        if isinstance(message, ScheduleChanged):
            slug = self._slug_of.get(message.event_id)
            known = self._by_slug.get(slug) if slug is not None else None
            if known is not None and known.version >= message.version:
                return  # read after that commit: it is the row the message announces
            self._generation += 1
            self._forget(message.event_id)
        elif isinstance(message, Resync):
            self._generation += 1
            self._by_slug.clear()
            self._slug_of.clear()

    # -- the bound ----------------------------------------------------------------------------

    async def confirm(self) -> None:
        """Re-read every remembered row: changed ones are replaced, vanished ones forgotten."""
        if not self._slug_of:
            return
        reading = self.start_reading()
        async with self._sessions() as session:
            result = await session.execute(select(*_COLUMNS).where(Event.id.in_(list(self._slug_of))))
            rows = [dict(zip(_KEYS, found, strict=True)) for found in result.all()]
        if reading.generation != self._generation:
            return  # a change arrived meanwhile; the next round reads after it
        present = {row["id"] for row in rows}
        for event_id in [event_id for event_id in self._slug_of if event_id not in present]:
            self._forget(event_id)
        for row in rows:
            self._store(row, reading.started)

    async def keep_confirming(self) -> None:
        """Confirm twice per trust period, so a row in use never lapses while the database answers."""
        if self.trust_seconds <= 0:
            return
        while True:
            await asyncio.sleep(self.trust_seconds / 2)
            try:
                await self.confirm()
            except Exception as exc:  # the database away: rows lapse, requests read it themselves
                logger.warning("could not confirm the events' versions: %r", exc)
