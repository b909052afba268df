"""HTTP routes of the schedule: by day and filtered, one talk, what is on now, rooms and tracks."""

from __future__ import annotations

from typing import Any, cast

from litestar import Controller, Request, Response
from litestar.di import NamedDependency, Provide

from service.calendar.controllers import talk_calendar
from service.calendar.deps import provide_feed_service
from service.calendar.feeds import FeedService
from service.core.openapi import READ, TalkIdOrCalendar
from service.core.params import Limit, Offset, parse_datetime, parse_id
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.core.time import utcnow
from service.events.deps import EVENT_DEPENDENCIES, base_url, event_validators
from service.events.models import Event
from service.schedule.deps import provide_schedule_service
from service.schedule.editing_controllers import EDITING_DEPENDENCIES, ScheduleEditingRoutes
from service.schedule.params import AtParam, provide_schedule_filter
from service.schedule.schemas import Now, RoomOut, Schedule, TalkOut, TrackOut
from service.schedule.services import ScheduleFilter, ScheduleService
from service.settings import Settings


class ScheduleController(ScheduleEditingRoutes, Controller):
    path = "/events/{slug:str}"
    tags = ["schedule"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "wanted": Provide(provide_schedule_filter, sync_to_thread=False),
        "schedule_service": Provide(provide_schedule_service, sync_to_thread=False),
        "feeds": Provide(provide_feed_service, sync_to_thread=False),
        **EDITING_DEPENDENCIES,
    }

    @get(
        "/schedule",
        summary="The schedule, by local day",
        description="Talks grouped by schedule day, in time order, each with room, track and speakers. "
        "Every filter narrows the result; `ETag`/`If-None-Match` make polling cheap.",
        responses=READ,
    )
    async def get_schedule(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_service: NamedDependency[ScheduleService],
        wanted: NamedDependency[ScheduleFilter],
    ) -> Response[Schedule]:
        validators = event_validators(event, request)
        return await validators.serve(request, lambda: schedule_service.schedule(event, wanted))

    @get(
        "/talks/{talk_id:str}",
        summary="One talk",
        description="With every slot (occurrence) of it. `/talks/{id}.ics` gives the talk as an iCalendar "
        'file instead, for "add to my calendar".',
        responses=READ,
    )
    async def get_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_service: NamedDependency[ScheduleService],
        feeds: NamedDependency[FeedService],
        settings: NamedDependency[Settings],
        talk_id: TalkIdOrCalendar,
    ) -> Response[TalkOut]:
        base = base_url(request, settings)
        if talk_id.endswith(".ics"):
            # Litestar routes whole path segments, so the .ics form of a talk arrives here.
            talk = parse_id(talk_id.removesuffix(".ics"), "talk_id")
            return cast("Response[TalkOut]", await talk_calendar(request, event, feeds, settings, talk))
        talk = parse_id(talk_id, "talk_id")
        validators = event_validators(event, request, base)
        return await validators.serve(request, lambda: schedule_service.talk(event, talk, base))

    @get(
        "/now",
        summary="What is on now",
        description="The slots running at `at` and the next one to start in each room: an app's home screen.",
        responses=READ,
    )
    async def get_now(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_service: NamedDependency[ScheduleService],
        at: AtParam = None,
    ) -> Response[Now]:
        instant = parse_datetime(at, "at") if at else utcnow().replace(second=0, microsecond=0)
        validators = event_validators(event, request, instant.isoformat())
        return await validators.serve(request, lambda: schedule_service.now(event, instant))

    @get("/rooms", summary="Rooms of the event", description="In the organiser's order.", responses=READ)
    async def list_rooms(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_service: NamedDependency[ScheduleService],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Response[Page[RoomOut]]:
        validators = event_validators(event, request)
        return await validators.serve(request, lambda: schedule_service.rooms(event, limit, offset))

    @get("/tracks", summary="Tracks of the event", description="By name, each with its colour.", responses=READ)
    async def list_tracks(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_service: NamedDependency[ScheduleService],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Response[Page[TrackOut]]:
        validators = event_validators(event, request)
        return await validators.serve(request, lambda: schedule_service.tracks(event, limit, offset))
