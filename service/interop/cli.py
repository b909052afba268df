"""Importing from the command line, where the event may not exist yet."""

from __future__ import annotations

from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.interop.importer import ImportReport, log_import
from service.interop.imports import import_schedule


async def import_file(
    session: AsyncSession, data: bytes, event_slug: str, timezone: str | None, vanished: str
) -> ImportReport:
    """Import into the event ``event_slug``; a new one takes its title, days and zone from the file,
    by the same rule an HTTP import fills an event with (``service.interop.importer.fill_event``)."""
    event = await session.scalar(select(Event).where(Event.slug == event_slug))
    report = await import_schedule(
        session,
        event or Event(slug=event_slug),
        data,
        timezone,
        cast("Literal['cancel', 'delete']", vanished),
        zone_option="--timezone ZONE",
    )
    log_import(event_slug, report)
    return report
