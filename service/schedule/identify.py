"""Telling a talk's id from a slot's: a wrong kind of id gets a 404 that says what it is.

A talk is what is given (title, speakers, abstract); a slot is one occurrence of it (a time in a
room). The schedule lists slots (``id``) with their talk (``talk_id``), so an app can easily send
one where the other is wanted; the answer then names the kind expected and the right URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.errors import NotFoundError
from service.events.models import Event
from service.schedule.models import Slot, Talk


def talk_path(event: Event, talk_id: uuid.UUID) -> str:
    return f"/events/{event.slug}/talks/{talk_id}"


async def no_such_talk(
    session: AsyncSession,
    event: Event,
    talk_id: uuid.UUID,
    field: str = "talk_id",
    see: Callable[[uuid.UUID], str] | None = None,
) -> NotFoundError:
    """The 404 for an id that is not a talk of ``event``; ``see(talk_id)`` is where to go instead
    when the id is one of the event's slots (by default the talk's own URL)."""
    slot_of = await session.scalar(select(Slot.talk_id).where(Slot.id == talk_id, Slot.event_id == event.id))
    return _not_found(
        event, "talk", talk_id, field, slot_of, "a slot (one occurrence) of the talk {talk}, not a talk", see
    )


async def no_such_slot(
    session: AsyncSession,
    event: Event,
    slot_id: uuid.UUID,
    field: str = "slot_id",
    see: Callable[[uuid.UUID], str] | None = None,
) -> NotFoundError:
    """The 404 for an id that is not a slot of ``event``; ``see(talk_id)`` is where to go instead
    when the id is one of the event's talks (by default the talk, which lists its slots' ids)."""
    talk = await session.scalar(select(Talk.id).where(Talk.id == slot_id, Talk.event_id == event.id))
    return _not_found(event, "slot", slot_id, field, talk, "a talk, not a slot (one occurrence of it)", see)


def _not_found(
    event: Event,
    expected: str,
    given: uuid.UUID,
    field: str,
    talk: uuid.UUID | None,
    what_it_is: str,
    see: Callable[[uuid.UUID], str] | None,
) -> NotFoundError:
    """``talk`` is the talk the id belongs to when it is an id of the other kind, else None."""
    detail = f"The event '{event.slug}' has no {expected} {given}."
    if talk is None:
        return NotFoundError(detail, field=field, expected=expected)
    url = (see or (lambda found: talk_path(event, found)))(talk)
    return NotFoundError(
        f"{detail} {given} is {what_it_is.format(talk=talk)}: use {url}.", field=field, expected=expected, see=url
    )
