"""Importing from the command line, where the event may not exist yet."""

from __future__ import annotations

from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.errors import InvalidFieldError
from service.events.models import Event
from service.interop.controllers import import_schedule
from service.interop.formats import detect
from service.interop.importer import ImportReport
from service.interop.model import ScheduleFormatError


async def import_file(
    session: AsyncSession, data: bytes, event_slug: str, timezone: str | None, vanished: str
) -> ImportReport:
    event = await session.scalar(select(Event).where(Event.slug == event_slug))
    if event is None:
        event = await _new_event(session, data, event_slug, timezone)
    return await import_schedule(session, event, data, timezone, cast("Literal['cancel', 'delete']", vanished))


async def _new_event(session: AsyncSession, data: bytes, slug: str, timezone: str | None) -> Event:
    """An event described by the file itself: its title, days and zone (or ``--timezone``)."""
    try:
        document = detect(data).parse(data, default_timezone=timezone)
    except ScheduleFormatError as exc:
        raise InvalidFieldError(f"The file is not a readable schedule: {exc}", field=exc.where) from None
    if document.timezone is None:
        raise InvalidFieldError("The file does not say its time zone: pass --timezone.", field="timezone")
    event = Event(
        slug=slug,
        title=document.title,
        timezone=document.timezone,
        start_date=document.start_date,
        end_date=document.end_date,
        day_change=document.day_change,
        venue=document.venue,
        city=document.city,
        website=document.url,
    )
    session.add(event)
    await session.flush()
    return event
