"""One subscription to the change bus per worker, fanned out to the streams open on it.

The hub only tells a stream "look again" (a counter and, while it waits, one future), and the
stream reads what changed from the database. Streams of one event at the same position share one
read (a change seen by 1,000 clients is one query, not 1,000), and a stream already at the newest
version the hub knows of reads nothing at all, so 1,000 clients opening at once cost no query each.
A stream woken more often than it can send is not reading what it is sent (its socket is full): it
is ended, and its client resumes by Last-Event-ID.

Every heartbeat the hub also compares the versions of the events it watches with the database, so
a change whose message was lost (the bus down, ``plenary import`` run beside the server) still
arrives, one heartbeat late.

Memory matters here (10,000 streams per worker): a stream is one ``Watch`` with slots and its one
generator; the encoded event of a version is shared by every stream that sends it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from service.core.errors import UnavailableError
from service.core.schemas import BaseStruct
from service.events.models import Event
from service.live.messages import AttendeeChanged, Message, Resync, ScheduleChanged, decode
from service.schedule.changes import ChangeOut, changes_since
from service.settings import Settings

logger = logging.getLogger("plenary.live")

PAGE_ROWS = 1000
"""Change-log rows read at a time; a version with more is read whole (an import of a big file)."""


class ChangeBatch(BaseStruct):
    """One schedule version's changes, as ``GET /events/{slug}/changes`` lists them."""

    version: int
    changes: list[ChangeOut]


@dataclass(frozen=True)
class Batch:
    """A version's changes, read once per worker and shared by every stream of the event."""

    version: int
    changes: list[ChangeOut]
    frame: bytes
    """The version as one server-sent event, encoded once for all the streams that send it whole."""

    @classmethod
    def of(cls, version: int, changes: list[ChangeOut]) -> Batch:
        body = msgspec.json.encode(ChangeBatch(version=version, changes=changes))
        return cls(version, changes, sse_frame("change", str(version), body))


def sse_frame(kind: str | None, event_id: str | None, data: bytes) -> bytes:
    """One server-sent event; ``data`` is JSON (no line breaks)."""
    head = (b"id: %s\n" % event_id.encode() if event_id is not None else b"") + (
        b"event: %s\n" % kind.encode() if kind is not None else b""
    )
    return head + b"data: " + data + b"\n\n"


class TooManyStreamsError(UnavailableError):
    code = "too_many_streams"


class Watch:
    """One open stream, as the hub sees it: what it follows, how far it got, whether it has news."""

    __slots__ = (
        "_waiter",
        "_wakeups",
        "attendee_id",
        "dropped",
        "event_id",
        "hub",
        "mine_changed",
        "position",
        "sending",
        "task",
    )

    def __init__(self, hub: LiveHub, event_id: uuid.UUID, position: int, attendee_id: uuid.UUID | None) -> None:
        self.hub: LiveHub | None = hub
        """Set while the stream holds its place on the worker (None once it is let go)."""
        self.event_id = event_id
        self.attendee_id = attendee_id
        self.position = position
        """The schedule version the stream has sent up to."""
        self.task = asyncio.current_task()
        """The task sending the stream (its generator may never resume: cancelling it ends it)."""
        self.sending = False
        """An event is on its way to the client (its socket may be full)."""
        self.mine_changed = True
        """The attendee's own stars or notes changed since the stream last read them."""
        self.dropped = False
        self._wakeups = 0
        self._waiter: asyncio.Future[None] | None = None

    def wake(self) -> None:
        """One more "look again"; past the bound, a stream stuck sending is dropped (one still
        reading the database needs no more than the wake-ups it has)."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        hub = self.hub
        if hub is not None and self._wakeups >= hub.settings.live_queue_size:
            if self.sending:
                self.drop()
        else:
            self._wakeups += 1

    async def woken(self, within: float) -> bool:
        """Whether a wake-up came (True, and they are all taken) before ``within`` seconds passed."""
        if not self._wakeups:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(within):
                    await self._waiter
            except TimeoutError:
                return False
            finally:
                self._waiter = None
        self._wakeups = 0
        return True

    def drop(self) -> None:
        """End a stream that does not read: cancelling its sender frees the socket and the slot."""
        if not self.dropped:
            self.dropped = True
            logger.info("live stream dropped: its client is not reading")
            if self.task is not None:
                self.task.cancel()
            if self.hub is not None:
                self.hub.forget(self)


@dataclass
class LiveHub:
    settings: Settings
    engine: AsyncEngine
    by_event: dict[uuid.UUID, set[Watch]] = field(default_factory=dict)
    by_attendee: dict[uuid.UUID, set[Watch]] = field(default_factory=dict)
    newest: dict[uuid.UUID, int] = field(default_factory=dict)
    """The newest schedule version known to be committed, per event watched (from the bus, the
    sweeps and the reads); a stream at it has nothing to read."""
    _reads: dict[tuple[uuid.UUID, int], asyncio.Future[list[Batch]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.open_streams = 0

    # -- streams ------------------------------------------------------------------------------

    def check_room(self) -> None:
        """503 (with Retry-After) when this worker already serves as many streams as it may."""
        if self.open_streams >= self.settings.live_max_streams:
            raise TooManyStreamsError(
                f"This server already has {self.open_streams} live streams open, its limit; "
                "retry later (or poll GET /events/{slug}/changes).",
                field=None,
            )

    def watch(self, event_id: uuid.UUID, position: int, attendee_id: uuid.UUID | None = None) -> Watch:
        watch = Watch(self, event_id, position, attendee_id)
        self.by_event.setdefault(event_id, set()).add(watch)
        if attendee_id is not None:
            self.by_attendee.setdefault(attendee_id, set()).add(watch)
        self.open_streams += 1
        return watch

    def forget(self, watch: Watch) -> None:
        """Let go of a stream (once, whether it ended or was dropped)."""
        if watch.hub is None:
            return
        watch.hub = None
        self.open_streams -= 1
        for index, key in ((self.by_event, watch.event_id), (self.by_attendee, watch.attendee_id)):
            if key is not None and (watches := index.get(key)) is not None:
                watches.discard(watch)
                if not watches:
                    del index[key]
        if watch.event_id not in self.by_event:
            self.newest.pop(watch.event_id, None)

    # -- the bus ------------------------------------------------------------------------------

    def receive(self, payload: bytes) -> None:
        message = decode(payload)
        if message is not None:
            self.dispatch(message)

    def dispatch(self, message: Message) -> None:
        if isinstance(message, ScheduleChanged):
            watches = self.by_event.get(message.event_id)
            if watches is None:
                return
            self._saw(message.event_id, message.version)
            for watch in list(watches):
                if message.version > watch.position:
                    watch.wake()
        elif isinstance(message, AttendeeChanged):
            for watch in list(self.by_attendee.get(message.attendee_id, ())):
                watch.mine_changed = True
                watch.wake()
        elif isinstance(message, Resync):
            self.newest.clear()  # something was missed: every stream reads again
            for watches in list(self.by_event.values()):
                for watch in list(watches):
                    watch.mine_changed = True
                    watch.wake()

    async def sweep(self) -> None:
        """Wake the streams behind their event's version in the database (lost messages)."""
        if not self.by_event:
            return
        async with self.sessions() as session:
            rows = await session.execute(
                select(Event.id, Event.schedule_version).where(Event.id.in_(list(self.by_event)))
            )
            for event_id, version in rows.all():
                self.dispatch(ScheduleChanged(event_id=event_id, version=version))

    async def keep_sweeping(self) -> None:
        while True:
            await asyncio.sleep(self.settings.live_heartbeat_seconds)
            try:
                await self.sweep()
            except Exception as exc:  # the database away: try again next time
                logger.warning("live: could not check event versions: %r", exc)

    # -- shared reads -------------------------------------------------------------------------

    def _saw(self, event_id: uuid.UUID, version: int) -> None:
        if event_id in self.by_event:
            self.newest[event_id] = max(version, self.newest.get(event_id, 0))

    async def news(self, watch: Watch) -> list[Batch]:
        """The versions the stream has not sent, oldest first; no query when it is at the newest known."""
        newest = self.newest.get(watch.event_id)
        if newest is not None and watch.position >= newest:
            return []
        batches = await self.batches(watch.event_id, watch.position)
        if not batches:  # the database is at the stream's position: until a message says otherwise
            self._saw(watch.event_id, watch.position)
        return batches

    async def batches(self, event_id: uuid.UUID, since: int) -> list[Batch]:
        """The versions after ``since``, oldest first, each whole; [] when there is none yet."""
        key = (event_id, since)
        read = self._reads.get(key)
        if read is None:
            read = self._reads[key] = asyncio.ensure_future(self._read(event_id, since))
            read.add_done_callback(lambda _: self._reads.pop(key, None))
        # shielded: one stream going away does not cancel the read the others wait for
        return await asyncio.shield(read)

    async def _read(self, event_id: uuid.UUID, since: int) -> list[Batch]:
        async with self.sessions() as session:
            event = await session.get(Event, event_id)
            if event is None:
                return []
            log = await changes_since(session, event, since, PAGE_ROWS, 0)
            items = log.changes.items
            if log.changes.total > len(items):
                if items[0].version == items[-1].version:
                    items = (await changes_since(session, event, since, log.changes.total, 0)).changes.items
                else:  # the last version may continue on the next page: it comes next time
                    items = [item for item in items if item.version != items[-1].version]
        grouped: dict[int, list[ChangeOut]] = {}
        for item in items:
            grouped.setdefault(item.version, []).append(item)
        return [Batch.of(version, changes) for version, changes in grouped.items()]
