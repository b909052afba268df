"""Importing from the command line, where the event may not exist yet."""

from __future__ import annotations

from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.interop.controllers import import_schedule
from service.interop.importer import ImportReport


async def import_file(
    session: AsyncSession, data: bytes, event_slug: str, timezone: str | None, vanished: str
) -> ImportReport:
    """Import into the event ``event_slug``; a new one takes its title, days and zone from the file,
    by the same rule an HTTP import fills an event with (``service.interop.importer.fill_event``)."""
    event = await session.scalar(select(Event).where(Event.slug == event_slug))
    return await import_schedule(
        session,
        event or Event(slug=event_slug),
        data,
        timezone,
        cast("Literal['cancel', 'delete']", vanished),
        zone_option="--timezone ZONE",
    )
