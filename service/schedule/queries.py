"""The SQL of the schedule: which slots, in what order, with what alongside.

The schedule is read as plain rows (no ORM identity map, no lazy relationships): a 10,000-talk
event is two queries and one pass over the rows. Only this module sees those rows: it hands every
reader (the schedule JSON, the calendar feeds, the exporters, the digest) the same typed
``SlotRow``.

The rows skip SQLAlchemy's per-value result processing: its type decorators (``GUID`` making a
``uuid.UUID`` from 16 bytes, ``DateTimeUTC`` parsing SQLite's text) were two thirds of a cold
10,000-talk render. The driver's values go to msgspec instead, which turns every row into a
``SlotRow`` in one call in C, with the same types and values the decorators gave.
"""

from __future__ import annotations

import datetime
import gc
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, FunctionElement, Select, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import NullType

from service.schedule.models import Room, Slot, SlotStatus, SpeakerRole, Talk, TalkKind, TalkSpeaker, Track
from service.schedule.schemas import SpeakerRef
from service.speakers.models import Speaker

SPEAKERS_BY_ID_LIMIT = 200
"""Up to this many slots, their talks' speakers are asked for by id; beyond it one event-wide query
is cheaper than an ``IN`` list of thousands of ids (or a subquery repeating the slots' own)."""


class SlotRow(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One slot as the schedule reads it: the slot, its talk, and its room and track if it has them.

    The room fields are all None for a slot without a room, the track fields for a talk without a
    track. Built from a row of ``ENTRY_COLUMNS`` (same names, same order) by msgspec, hence
    ``array_like``. Every field is a scalar and cannot hold a reference cycle, so the garbage
    collector need not track the ten thousand of a large event (``gc=False``).
    """

    id: uuid.UUID
    talk_id: uuid.UUID
    start_at: datetime.datetime
    end_at: datetime.datetime
    status: SlotStatus
    title: str
    subtitle: str
    abstract: str
    kind: TalkKind
    language: str
    url: str
    recording_url: str
    slides_url: str
    room_id: uuid.UUID | None
    room_slug: str | None
    room_name: str | None
    room_position: int | None
    track_id: uuid.UUID | None
    track_slug: str | None
    track_name: str | None
    track_color: str | None
    sequence: int
    guid: str | None
    slot_updated_at: datetime.datetime
    talk_updated_at: datetime.datetime


class _SpeakerLink(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A row of ``speaker_rows``, as msgspec reads it."""

    talk_id: uuid.UUID
    speaker_id: uuid.UUID
    name: str
    affiliation: str
    role: SpeakerRole


SlotStatement = Select[Any]
"""A statement of ``ENTRY_COLUMNS`` rows: ``schedule_rows`` and its narrowings, read by ``read_slots``."""

SpeakersByTalk = dict[uuid.UUID, list[SpeakerRef]]
"""Each talk's speakers, in the talk's speaker order."""


class _UtcInstant(FunctionElement[Any]):
    """A stored instant as msgspec reads an aware UTC datetime from the driver.

    asyncpg already returns ``timestamptz`` values aware; SQLite holds the UTC wall time as text
    (``2026-09-15 07:00:00.000000``, SQLAlchemy's format), to which the offset is appended.
    """

    type = NullType()
    name = "utc_instant"
    inherit_cache = True


@compiles(_UtcInstant)
def _utc_instant(element: _UtcInstant, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_UtcInstant, "sqlite")
def _utc_instant_sqlite(element: _UtcInstant, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} || '+00:00')"


def _raw(column: Any, name: str) -> ColumnElement[Any]:
    """The column as the driver returns it, without SQLAlchemy's result processing."""
    return type_coerce(column, NullType()).label(name)


def _instant(column: Any, name: str) -> ColumnElement[Any]:
    return _UtcInstant(column).label(name)


ENTRY_COLUMNS = (
    _raw(Slot.id, "id"),
    _raw(Slot.talk_id, "talk_id"),
    _instant(Slot.start_at, "start_at"),
    _instant(Slot.end_at, "end_at"),
    _raw(Slot.status, "status"),
    _raw(Talk.title, "title"),
    _raw(Talk.subtitle, "subtitle"),
    _raw(Talk.abstract, "abstract"),
    _raw(Talk.kind, "kind"),
    _raw(Talk.language, "language"),
    _raw(Talk.url, "url"),
    _raw(Talk.recording_url, "recording_url"),
    _raw(Talk.slides_url, "slides_url"),
    _raw(Room.id, "room_id"),
    _raw(Room.slug, "room_slug"),
    _raw(Room.name, "room_name"),
    _raw(Room.position, "room_position"),
    _raw(Track.id, "track_id"),
    _raw(Track.slug, "track_slug"),
    _raw(Track.name, "track_name"),
    _raw(Track.color, "track_color"),
    _raw(Slot.sequence, "sequence"),
    _raw(Slot.guid, "guid"),
    _instant(Slot.updated_at, "slot_updated_at"),
    _instant(Talk.updated_at, "talk_updated_at"),
)
"""A slot's columns, named and ordered as ``SlotRow``'s fields, as the driver returns them."""


def _rows(*conditions: ColumnElement[bool]) -> SlotStatement:
    return (
        select(*ENTRY_COLUMNS)
        .select_from(Slot)
        .join(Talk, Talk.id == Slot.talk_id)
        .outerjoin(Room, Room.id == Slot.room_id)
        .outerjoin(Track, Track.id == Talk.track_id)
        .where(*conditions)
        .order_by(Slot.start_at, Room.position.nulls_last(), Slot.id)
    )


def schedule_rows(event_id: uuid.UUID) -> SlotStatement:
    """One row per slot with its talk, room and track, in schedule order.

    Rooms without a position sort last; the slot id breaks ties so the order never wobbles
    between two requests.
    """
    return _rows(Slot.event_id == event_id)


def talk_rows(event_id: uuid.UUID, talk_id: uuid.UUID) -> SlotStatement:
    """Every slot of one talk, if the talk is the event's."""
    # The event checked on the talk, not the slot: see filtered_rows.
    return _rows(Slot.talk_id == talk_id, Talk.event_id == event_id)


def slot_rows(event_id: uuid.UUID, slot_ids: Sequence[uuid.UUID]) -> SlotStatement:
    """These slots (an attendee's starred sessions), when they are the event's."""
    return schedule_rows(event_id).where(Slot.id.in_(slot_ids))


def filtered_rows(
    event_id: uuid.UUID,
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    room_id: uuid.UUID | None = None,
    track_id: uuid.UUID | None = None,
    speaker_id: uuid.UUID | None = None,
    kind: TalkKind | None = None,
    talks: Select[tuple[uuid.UUID]] | None = None,
) -> SlotStatement:
    """The event's slots that pass every filter given: a room or a track of the event, a speaker,
    ``talks`` (the ids of some of the event's talks: a search), a kind, a time range.

    A room, a track, the speaker's talks here or the talks found each name a part of this event,
    and when one is given it replaces the condition on the event: SQLite keeps no statistics
    unless it is told to (``ANALYZE``), so with both it reads the event's every slot through
    ``ix_slot_event_start`` to keep the twenty in one room (7 ms instead of 0.1 at 10,000 talks).
    """
    parts: list[ColumnElement[bool]] = []
    if room_id is not None:
        parts.append(Slot.room_id == room_id)
    if track_id is not None:
        parts.append(Talk.track_id == track_id)
    if speaker_id is not None:
        speaks = select(TalkSpeaker.talk_id).join(Talk, Talk.id == TalkSpeaker.talk_id)
        parts.append(Slot.talk_id.in_(speaks.where(TalkSpeaker.speaker_id == speaker_id, Talk.event_id == event_id)))
    if talks is not None:
        parts.append(Slot.talk_id.in_(talks))
    statement = _rows(*parts) if parts else schedule_rows(event_id)
    if start is not None:
        statement = statement.where(Slot.start_at >= start)
    if end is not None:
        statement = statement.where(Slot.start_at < end)
    if kind is not None:
        statement = statement.where(Talk.kind == kind)
    return statement


def speaker_rows(event_id: uuid.UUID, talk_ids: Sequence[uuid.UUID] | None = None) -> Select[Any]:
    """Who speaks in the event's talks, or in these talks of it, in each talk's speaker order (as
    ``_SpeakerLink``). The ids alone pick the rows: see filtered_rows on SQLite's plans."""
    statement = (
        select(
            _raw(TalkSpeaker.talk_id, "talk_id"),
            _raw(Speaker.id, "speaker_id"),
            _raw(Speaker.name, "name"),
            _raw(Speaker.affiliation, "affiliation"),
            _raw(TalkSpeaker.role, "role"),
        )
        .select_from(TalkSpeaker)
        .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
        .order_by(TalkSpeaker.talk_id, TalkSpeaker.position)
    )
    if talk_ids is not None:
        return statement.where(TalkSpeaker.talk_id.in_(talk_ids))
    return statement.join(Talk, Talk.id == TalkSpeaker.talk_id).where(Talk.event_id == event_id)


def running_rows(event_id: uuid.UUID, at: datetime.datetime) -> SlotStatement:
    """Confirmed slots under way at ``at`` (start inclusive, end exclusive)."""
    return schedule_rows(event_id).where(Slot.start_at <= at, Slot.end_at > at, Slot.status == SlotStatus.CONFIRMED)


def next_rows_per_room(event_id: uuid.UUID, at: datetime.datetime) -> SlotStatement:
    """The first confirmed slot to start after ``at`` in each room (one window query, both backends)."""
    order = (Slot.start_at, Slot.id)
    ranked = (
        select(Slot.id, func.row_number().over(partition_by=Slot.room_id, order_by=order).label("rank"))
        .where(Slot.event_id == event_id, Slot.start_at > at, Slot.status == SlotStatus.CONFIRMED)
        .subquery()
    )
    first = select(ranked.c.id).where(ranked.c.rank == 1)
    return (
        schedule_rows(event_id)
        .where(Slot.id.in_(first))
        .order_by(None)
        .order_by(Room.position.nulls_last(), Room.name, Slot.start_at)
    )


@contextmanager
def collecting_later() -> Iterator[None]:
    """Garbage collection paused while many objects that all live on are made, then resumed.

    A cold 10,000-talk schedule makes some 100,000 objects the collector tracks (ids, lists,
    rows), none of them garbage: each time their number passes a threshold, the collector walks
    them, and now and then the whole heap of the worker, for nothing. That was a third of the
    render, and grew faster than the event. Only for code without ``await``, so no other request
    runs meanwhile; the collector resumes at the end and walks them once, if it is due.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def read_slots(
    session: AsyncSession, event_id: uuid.UUID, statement: SlotStatement
) -> tuple[list[SlotRow], SpeakersByTalk]:
    """The slots a statement selects, in its order, and their talks' speakers (one more query)."""
    if session.sync_session.autoflush:
        await session.flush()  # as the ORM would before a query; the rows below are read without it
    connection = await session.connection()
    rows = await connection.execute(statement)
    with collecting_later():
        slots = msgspec.convert(list(map(tuple, rows.all())), list[SlotRow])
    speakers_of: SpeakersByTalk = {}
    if not slots:
        return slots, speakers_of
    # A few slots have few talks, asked for by id; many, the whole event's (SPEAKERS_BY_ID_LIMIT).
    talk_ids = list({slot.talk_id for slot in slots}) if len(slots) <= SPEAKERS_BY_ID_LIMIT else None
    links = await connection.execute(speaker_rows(event_id, talk_ids))
    with collecting_later():
        for link in msgspec.convert(list(map(tuple, links.all())), list[_SpeakerLink]):
            speaker = SpeakerRef(id=link.speaker_id, name=link.name, affiliation=link.affiliation, role=link.role)
            known = speakers_of.get(link.talk_id)
            if known is None:
                speakers_of[link.talk_id] = [speaker]
            else:
                known.append(speaker)
    return slots, speakers_of


def talk_with_details(event_id: uuid.UUID, talk_id: uuid.UUID) -> Select[tuple[Talk]]:
    return (
        select(Talk)
        .where(Talk.event_id == event_id, Talk.id == talk_id)
        # An edit in the same request may have left the talk half-loaded in the session: reload it.
        .execution_options(populate_existing=True)
        .options(
            selectinload(Talk.track),
            selectinload(Talk.slots).selectinload(Slot.room),
            selectinload(Talk.speaker_links).joinedload(TalkSpeaker.speaker),
        )
    )


def event_rooms(event_id: uuid.UUID) -> Select[tuple[Room]]:
    return select(Room).where(Room.event_id == event_id).order_by(Room.position, Room.name)


def event_tracks(event_id: uuid.UUID) -> Select[tuple[Track]]:
    return select(Track).where(Track.event_id == event_id).order_by(Track.name)
