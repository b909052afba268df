"""The SQL of the schedule: which slots, in what order, with what alongside.

The schedule is read as plain rows (no ORM identity map, no lazy relationships): a 10,000-talk
event is two queries and one pass over the rows, which keeps a cold render of the full schedule
well under a second instead of several. Only this module sees those rows: it hands every reader
(the schedule JSON, the calendar feeds, the exporters, the digest) the same typed ``SlotRow``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any, cast

import msgspec
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.schedule.models import Room, Slot, SlotStatus, SpeakerRole, Talk, TalkKind, TalkSpeaker, Track
from service.schedule.schemas import SpeakerRef
from service.speakers.models import Speaker

SPEAKERS_BY_ID_LIMIT = 200
"""Up to this many talks, their speakers are asked for by id; beyond it one event-wide query is
cheaper than an ``IN`` list of thousands of ids."""


class SlotRow(msgspec.Struct, frozen=True, gc=False):
    """One slot as the schedule reads it: the slot, its talk, and its room and track if it has them.

    The room fields are all None for a slot without a room, the track fields for a talk without a
    track. Built positionally from a row of ``ENTRY_COLUMNS`` (same names, same order), which is
    cheaper than any per-row mapping. Every field is a scalar and cannot hold a reference cycle, so
    the garbage collector need not track the ten thousand of a large event (``gc=False``).
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


SlotColumns = tuple[
    uuid.UUID,
    uuid.UUID,
    datetime.datetime,
    datetime.datetime,
    SlotStatus,
    str,
    str,
    str,
    TalkKind,
    str,
    str,
    str,
    str,
    uuid.UUID | None,
    str | None,
    str | None,
    int | None,
    uuid.UUID | None,
    str | None,
    str | None,
    str | None,
    int,
    str | None,
    datetime.datetime,
    datetime.datetime,
]
"""What a row of ``ENTRY_COLUMNS`` holds, in order (SQLAlchemy cannot infer it for 25 columns);
mypy checks it against ``SlotRow``'s fields where a row becomes one."""

SlotStatement = Select[SlotColumns]
"""A statement of slot rows: ``schedule_rows`` and its narrowings, read by ``read_slots``."""

SpeakersByTalk = dict[uuid.UUID, list[SpeakerRef]]
"""Each talk's speakers, in the talk's speaker order."""

ENTRY_COLUMNS = (
    Slot.id,
    Slot.talk_id,
    Slot.start_at,
    Slot.end_at,
    Slot.status,
    Talk.title,
    Talk.subtitle,
    Talk.abstract,
    Talk.kind,
    Talk.language,
    Talk.url,
    Talk.recording_url,
    Talk.slides_url,
    Room.id.label("room_id"),
    Room.slug.label("room_slug"),
    Room.name.label("room_name"),
    Room.position.label("room_position"),
    Track.id.label("track_id"),
    Track.slug.label("track_slug"),
    Track.name.label("track_name"),
    Track.color.label("track_color"),
    Slot.sequence,
    Slot.guid,
    Slot.updated_at.label("slot_updated_at"),
    Talk.updated_at.label("talk_updated_at"),
)
"""A slot's columns, named and ordered as ``SlotRow``'s fields: a row becomes one positionally."""


def schedule_rows(event_id: uuid.UUID) -> SlotStatement:
    """One row per slot with its talk, room and track, in schedule order.

    Rooms without a position sort last; the slot id breaks ties so the order never wobbles
    between two requests.
    """
    statement: Select[Any] = (
        select(*ENTRY_COLUMNS)
        .select_from(Slot)
        .join(Talk, Talk.id == Slot.talk_id)
        .outerjoin(Room, Room.id == Slot.room_id)
        .outerjoin(Track, Track.id == Talk.track_id)
        .where(Slot.event_id == event_id)
        .order_by(Slot.start_at, Room.position.nulls_last(), Slot.id)
    )
    return cast("SlotStatement", statement)


def talk_rows(event_id: uuid.UUID, talk_id: uuid.UUID) -> SlotStatement:
    """Every slot of one talk."""
    return schedule_rows(event_id).where(Slot.talk_id == talk_id)


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
) -> SlotStatement:
    statement = schedule_rows(event_id)
    if start is not None:
        statement = statement.where(Slot.start_at >= start)
    if end is not None:
        statement = statement.where(Slot.start_at < end)
    if room_id is not None:
        statement = statement.where(Slot.room_id == room_id)
    if track_id is not None:
        statement = statement.where(Talk.track_id == track_id)
    if kind is not None:
        statement = statement.where(Talk.kind == kind)
    if speaker_id is not None:
        statement = statement.where(
            Slot.talk_id.in_(select(TalkSpeaker.talk_id).where(TalkSpeaker.speaker_id == speaker_id))
        )
    return statement


def speaker_rows(
    event_id: uuid.UUID, talk_ids: Sequence[uuid.UUID] | None = None
) -> Select[tuple[uuid.UUID, uuid.UUID, str, str, SpeakerRole]]:
    """Who speaks in which talk, in the talk's speaker order."""
    statement = (
        select(TalkSpeaker.talk_id, Speaker.id, Speaker.name, Speaker.affiliation, TalkSpeaker.role)
        .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
        .join(Talk, Talk.id == TalkSpeaker.talk_id)
        .where(Talk.event_id == event_id)
        .order_by(TalkSpeaker.talk_id, TalkSpeaker.position)
    )
    if talk_ids is not None:
        statement = statement.where(TalkSpeaker.talk_id.in_(talk_ids))
    return statement


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


async def read_slots(
    session: AsyncSession, event_id: uuid.UUID, statement: SlotStatement
) -> tuple[list[SlotRow], SpeakersByTalk]:
    """The slots a statement selects, in its order, and their talks' speakers (one more query)."""
    rows = (await session.execute(statement)).tuples().all()
    slots = [SlotRow(*row) for row in rows]
    speakers_of: SpeakersByTalk = {}
    if not slots:
        return slots, speakers_of
    talk_ids = list({slot.talk_id for slot in slots})
    speaker_query = speaker_rows(event_id, talk_ids if len(talk_ids) <= SPEAKERS_BY_ID_LIMIT else None)
    for talk_id, speaker_id, name, affiliation, role in (await session.execute(speaker_query)).tuples():
        speakers_of.setdefault(talk_id, []).append(
            SpeakerRef(id=speaker_id, name=name, affiliation=affiliation, role=role)
        )
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
