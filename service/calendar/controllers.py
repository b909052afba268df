"""HTTP routes of the calendar feeds (``text/calendar``), with ETag/304 and HEAD."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response
from litestar.di import NamedDependency, Provide

from service.calendar.deps import provide_feed_service
from service.calendar.feeds import ICAL_MEDIA_TYPE, FeedService
from service.core.openapi import READ
from service.core.routing import get
from service.events.deps import EVENT_DEPENDENCIES, event_validators
from service.events.models import Event
from service.schedule.params import provide_schedule_filter
from service.schedule.services import ScheduleFilter


class CalendarController(Controller):
    path = "/events/{slug:str}"
    tags = ["calendar"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "wanted": Provide(provide_schedule_filter, sync_to_thread=False),
        "feeds": Provide(provide_feed_service, sync_to_thread=False),
    }

    @get(
        "/calendar.ics",
        summary="The event as an iCalendar feed",
        description="Subscribe with the `webcal://` form of this URL. Takes the schedule's filters "
        "(`day`, `room`, `track`, `speaker`, `kind`, `q`) for a feed of just that part. Cancelled and "
        "deleted talks stay as `STATUS:CANCELLED` so subscribed calendars drop them.",
        media_type=ICAL_MEDIA_TYPE,
        responses=READ,
    )
    async def event_calendar(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        feeds: NamedDependency[FeedService],
        base_url: NamedDependency[str],
        wanted: NamedDependency[ScheduleFilter],
    ) -> Response[bytes]:
        validators = event_validators(event, request, base_url)
        return await validators.serve(request, lambda: feeds.event_feed(event, wanted, base_url), ICAL_MEDIA_TYPE)
