"""Finding and describing events."""

from __future__ import annotations

import datetime
import hashlib

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from msgspec import UnsetType
from sqlalchemy import select

from service.core.errors import ConflictError, InvalidFieldError, NotFoundError
from service.core.etags import make_etag
from service.core.http import Validators
from service.core.schemas import Page, feed_links
from service.core.time import UnknownTimeZoneError, event_days, hh_mm, utcnow, zone
from service.events.models import Event
from service.events.schemas import EventCreate, EventLinks, EventOut, EventUpdate, event_fields


def event_out(event: Event, base: str) -> EventOut:
    here = f"{base}/events/{event.slug}"
    return EventOut(
        slug=event.slug,
        title=event.title,
        description=event.description,
        timezone=event.timezone,
        start_date=event.start_date,
        end_date=event.end_date,
        day_change=hh_mm(event.day_change),
        days=event_days(event),
        venue=event.venue,
        city=event.city,
        website=event.website,
        schedule_version=event.schedule_version,
        schedule_modified_at=event.schedule_modified_at.astimezone(zone(event.timezone)),
        links=EventLinks(
            self=here,
            schedule=f"{here}/schedule",
            now=f"{here}/now",
            speakers=f"{here}/speakers",
            rooms=f"{here}/rooms",
            tracks=f"{here}/tracks",
            calendar=feed_links(base, f"/events/{event.slug}/calendar.ics"),
        ),
    )


class EventService(SQLAlchemyAsyncRepositoryService[Event]):
    class Repo(SQLAlchemyAsyncRepository[Event]):
        model_type = Event

    repository_type = Repo

    async def get_by_slug(self, slug: str) -> Event:
        event = await self.get_one_or_none(Event.slug == slug)
        if event is None:
            raise NotFoundError(f"There is no event '{slug}'.", field="slug")
        return event

    async def describe(self, event: Event, base: str) -> EventOut:
        return event_out(event, base)

    async def page(self, base: str, limit: int, offset: int) -> Page[EventOut]:
        events, total = await self.get_many_and_count(
            LimitOffset(limit=limit, offset=offset), order_by=[Event.start_date.desc(), Event.slug.asc()]
        )
        return Page(items=[event_out(e, base) for e in events], total=total, limit=limit, offset=offset)

    async def catalogue_validators(self, query: object, base: str) -> Validators:
        """Validators of the event list: every event's identity and version, and the newest change."""
        rows = (
            await self.repository.session.execute(
                select(Event.id, Event.schedule_version, Event.updated_at, Event.schedule_modified_at).order_by(
                    Event.id
                )
            )
        ).all()
        fingerprint = hashlib.sha256(repr([tuple(map(str, row)) for row in rows]).encode()).hexdigest()
        newest = max((max(row.updated_at, row.schedule_modified_at) for row in rows), default=None)
        return Validators(etag=make_etag("events", fingerprint, query, base), last_modified=newest)

    async def open_event(self, data: EventCreate) -> Event:
        _check_dates(data.timezone, data.start_date, data.end_date)
        if await self.get_one_or_none(Event.slug == data.slug) is not None:
            raise ConflictError(f"slug: there is already an event '{data.slug}'.", field="slug")
        event = Event(**event_fields(data), schedule_version=1)
        self.repository.session.add(event)
        await self.repository.session.flush()
        return event

    async def edit(self, event: Event, data: EventUpdate) -> Event:
        _check_dates(
            event.timezone if isinstance(data.timezone, UnsetType) else data.timezone,
            event.start_date if isinstance(data.start_date, UnsetType) else data.start_date,
            event.end_date if isinstance(data.end_date, UnsetType) else data.end_date,
        )
        changes = event_fields(data)
        if any(getattr(event, name) != value for name, value in changes.items()):
            for name, value in changes.items():
                setattr(event, name, value)
            # Title, zone and days appear in every schedule response: clients must refetch.
            event.schedule_version += 1
            event.schedule_modified_at = utcnow()
            await self.repository.session.flush()
        return event


MAX_EVENT_DAYS = 60


def _check_dates(timezone: str, start: datetime.date, end: datetime.date) -> None:
    try:
        zone(timezone)
    except UnknownTimeZoneError:
        raise InvalidFieldError(
            f"timezone: {timezone!r} is not an IANA time zone (e.g. Europe/Copenhagen).", field="timezone"
        ) from None
    if end < start:
        raise InvalidFieldError("end_date: the event ends before it starts.", field="end_date")
    if (end - start).days >= MAX_EVENT_DAYS:
        raise InvalidFieldError(f"end_date: an event lasts at most {MAX_EVENT_DAYS} days.", field="end_date")
