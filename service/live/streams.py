"""The two live streams as server-sent events: where they resume, what they send, when they wait.

A stream first catches up from the database (the change log, the takeaway sync), then waits for
the hub to wake it and catches up again, so what it sends never depends on a bus message's
content: a stream resumed after a restart reads exactly what it missed. Each schedule version is
one event whose ``id`` is that version, so a client that resumes from the last id it saw gets
neither a gap nor a duplicate.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import msgspec
from sqlalchemy import select

from service.attendees.models import Attendee, Star
from service.core.bounds import INT_MAX
from service.core.errors import InvalidParameterError
from service.live.hub import ChangeBatch, LiveHub, sse_frame
from service.takeaways.schemas import SyncPage
from service.takeaways.services import TakeawayService, decode_cursor, encode_cursor

logger = logging.getLogger("plenary.live")

RETRY_MS = 2000
"""How long a browser's EventSource waits before reconnecting (sent once, as ``retry``)."""
LAST_EVENT_ID = "Last-Event-ID"


def resume_version(last_event_id: str | None, since: int | None, current: int) -> int:
    """Where a schedule stream starts: after the version the client last saw, else now."""
    if last_event_id is not None:
        text = last_event_id.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= current):
            raise InvalidParameterError(
                f"{LAST_EVENT_ID}: {last_event_id[:40]!r} is not a version of this event's schedule "
                f"(0 to {current}); reconnect without it to start from now.",
                field=LAST_EVENT_ID,
            )
        return int(text)
    if since is not None:
        if since > current:
            raise InvalidParameterError(
                f"since: the schedule is at version {current}; {since} is not a version it had.", field="since"
            )
        return since
    return current


def attendee_event_id(version: int, position: int) -> str:
    """A personal stream's id: the schedule version and the takeaway sync position it reached."""
    return f"{version}.{position}"


def resume_attendee(resume: str | None, field: str, current: int, attendee: Attendee) -> tuple[int, int]:
    if resume is None:
        return current, attendee.sync_counter
    version, dot, position = resume.strip().partition(".")
    numbers = (version, position)
    if not (dot and all(n.isascii() and n.isdigit() and len(n) <= 10 for n in numbers)):
        raise InvalidParameterError(
            f"{field}: {resume[:40]!r} is not an id this stream sent (they look like '12.3').", field=field
        )
    if int(version) > current or int(position) > min(attendee.sync_counter, INT_MAX):
        raise InvalidParameterError(f"{field}: {resume[:40]!r} is ahead of your schedule and notes.", field=field)
    return int(version), int(position)


KEEP_ALIVE = b": keep-alive\n\n"


def _event(kind: str, event_id: str, body: object) -> bytes:
    return sse_frame(kind, event_id, msgspec.json.encode(body))


def _opening(hub: LiveHub) -> bytes:
    seconds = hub.settings.live_heartbeat_seconds
    return f": heartbeat every {seconds:g} s\nretry: {RETRY_MS}\n\n".encode()


async def schedule_stream(hub: LiveHub, event_id: uuid.UUID, since: int) -> AsyncGenerator[bytes]:
    """``GET /events/{slug}/live``: each new schedule version, as ``change`` events.

    One generator per stream and no task of its own: it waits on its ``Watch`` between events.
    The stream ends (and the client resumes by id) if the database goes away.
    """
    watch = hub.watch(event_id, since)
    heartbeat = hub.settings.live_heartbeat_seconds
    try:
        yield _opening(hub)
        while True:
            while batches := await hub.news(watch):
                for batch in batches:
                    watch.sending = True
                    yield batch.frame
                    watch.sending = False
                    watch.position = batch.version
            while not await watch.woken(heartbeat):
                watch.sending = True  # a heartbeat that cannot go out shows a client not reading
                yield KEEP_ALIVE
                watch.sending = False
    except Exception as exc:  # the database went away: end the stream; the client resumes by id
        logger.warning("live stream ended: %r", exc)
    finally:  # the client left, or the stream was dropped
        hub.forget(watch)


@dataclass
class _Mine:
    """What a personal stream tracks: the talks starred, and how far the notes were synced."""

    attendee_id: uuid.UUID
    event_id: uuid.UUID
    position: int
    starred: frozenset[uuid.UUID] = frozenset()

    async def load_stars(self, hub: LiveHub) -> bool:
        async with hub.sessions() as session:
            if await session.get(Attendee, self.attendee_id) is None:
                return False
            talks = await session.scalars(select(Star.talk_id).where(Star.attendee_id == self.attendee_id))
            self.starred = frozenset(talks.all())
        return True

    async def notes(self, hub: LiveHub) -> list[tuple[int, SyncPage]]:
        """The notes changed since the position, page by page (with the position after each)."""
        pages: list[tuple[int, SyncPage]] = []
        async with hub.sessions() as session:
            attendee = await session.get(Attendee, self.attendee_id)
            more = attendee is not None
            while attendee is not None and more:
                page = await TakeawayService(session).sync(attendee, encode_cursor(self.position), self.event_id)
                more = page.more
                if page.items:
                    self.position = decode_cursor(page.cursor)
                    pages.append((self.position, page))
        return pages


async def attendee_stream(
    hub: LiveHub, attendee_id: uuid.UUID, event_id: uuid.UUID, version: int, position: int
) -> AsyncGenerator[bytes]:
    """``GET /me/live``: changes to the caller's starred talks, and their notes from other devices."""
    watch = hub.watch(event_id, version, attendee_id)
    mine = _Mine(attendee_id, event_id, position)
    heartbeat = hub.settings.live_heartbeat_seconds
    try:
        yield _opening(hub)
        while True:
            reread, watch.mine_changed = watch.mine_changed, False
            if reread and not await mine.load_stars(hub):
                return  # the attendee was forgotten meanwhile
            while batches := await hub.news(watch):
                for batch in batches:
                    watch.position = batch.version
                    starred = [change for change in batch.changes if change.talk_id in mine.starred]
                    if starred:
                        body = ChangeBatch(version=batch.version, changes=starred)
                        watch.sending = True
                        yield _event("change", attendee_event_id(watch.position, mine.position), body)
                        watch.sending = False
            for reached, page in await mine.notes(hub) if reread else []:
                watch.sending = True
                yield _event("takeaways", attendee_event_id(watch.position, reached), page)
                watch.sending = False
            while not await watch.woken(heartbeat):
                watch.sending = True  # a heartbeat that cannot go out shows a client not reading
                yield KEEP_ALIVE
                watch.sending = False
    except Exception as exc:  # the database went away: end the stream; the client resumes by id
        logger.warning("live stream ended: %r", exc)
    finally:  # the client left, or the stream was dropped
        hub.forget(watch)
