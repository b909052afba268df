"""The SQL of the schedule: which slots, in what order, with what loaded alongside."""

from __future__ import annotations

import datetime
import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, selectinload

from service.schedule.models import Room, Slot, SlotStatus, Talk, TalkKind, TalkSpeaker, Track


def slots_with_details() -> Select[tuple[Slot]]:
    """Slots with their talk, room, track and ordered speakers, in schedule order.

    Rooms without a position sort last; the slot id breaks ties so the order never wobbles
    between two requests.
    """
    return (
        select(Slot)
        .join(Slot.talk)
        .outerjoin(Slot.room)
        .outerjoin(Talk.track)
        .options(
            contains_eager(Slot.talk).options(
                contains_eager(Talk.track),
                selectinload(Talk.speaker_links).joinedload(TalkSpeaker.speaker),
            ),
            contains_eager(Slot.room),
        )
        .order_by(Slot.start_at, Room.position.nulls_last(), Slot.id)
    )


def schedule_slots(
    event_id: uuid.UUID,
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    room_id: uuid.UUID | None = None,
    track_id: uuid.UUID | None = None,
    speaker_id: uuid.UUID | None = None,
    kind: TalkKind | None = None,
) -> Select[tuple[Slot]]:
    statement = slots_with_details().where(Slot.event_id == event_id)
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


def running_slots(event_id: uuid.UUID, at: datetime.datetime) -> Select[tuple[Slot]]:
    """Confirmed slots under way at ``at`` (start inclusive, end exclusive)."""
    return slots_with_details().where(
        Slot.event_id == event_id,
        Slot.start_at <= at,
        Slot.end_at > at,
        Slot.status == SlotStatus.CONFIRMED,
    )


def next_slot_per_room(event_id: uuid.UUID, at: datetime.datetime) -> Select[tuple[Slot]]:
    """The first confirmed slot to start after ``at`` in each room (one window query, both backends)."""
    ranked = (
        select(
            Slot.id,
            func.row_number().over(partition_by=Slot.room_id, order_by=(Slot.start_at, Slot.id)).label("rank"),
        )
        .where(Slot.event_id == event_id, Slot.start_at > at, Slot.status == SlotStatus.CONFIRMED)
        .subquery()
    )
    first = select(ranked.c.id).where(ranked.c.rank == 1)
    return (
        slots_with_details()
        .where(Slot.id.in_(first))
        .order_by(None)
        .order_by(Room.position.nulls_last(), Room.name, Slot.start_at)
    )


def talk_with_details(event_id: uuid.UUID, talk_id: uuid.UUID) -> Select[tuple[Talk]]:
    return (
        select(Talk)
        .where(Talk.event_id == event_id, Talk.id == talk_id)
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
