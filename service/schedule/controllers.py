"""HTTP routes of the schedule: by day and filtered, one talk, what is on now, rooms, tracks, and
what changed; and the router that gathers them with the organisers' routes under ``/events/{slug}``.

The organisers' routes share paths with these (``GET /rooms``, ``POST /rooms``) but live in their
own controllers (setup_controllers.py, talk_controllers.py): Litestar merges the methods of one path
from several controllers when they are registered through one router.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Controller, Request, Response, Router
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from service.calendar.deps import provide_feed_service
from service.calendar.feeds import ICAL_MEDIA_TYPE, FeedService
from service.core.openapi import READ, TalkIdOrCalendar
from service.core.params import Limit, Offset, SinceVersion, parse_datetime, parse_id
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.core.time import utcnow
from service.events.deps import EVENT_DEPENDENCIES, event_validators
from service.events.models import Event
from service.schedule.changes import ChangeLog, changes_since
from service.schedule.deps import provide_schedule_service
from service.schedule.params import AtParam, provide_schedule_filter
from service.schedule.schemas import Now, RoomOut, Schedule, TalkOut, TrackOut
from service.schedule.services import ScheduleFilter, ScheduleService
from service.schedule.setup_controllers import SetupController
from service.schedule.talk_controllers import TalkEditingController


class ScheduleController(Controller):
    tags = ["schedule"]
    dependencies = {
        "wanted": Provide(provide_schedule_filter, sync_to_thread=False),
        "feeds": Provide(provide_feed_service, sync_to_thread=False),
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
        base_url: NamedDependency[str],
        talk_id: TalkIdOrCalendar,
    ) -> Response[TalkOut]:
        validators = event_validators(event, request, base_url)
        if talk_id.endswith(".ics"):
            # Litestar routes whole path segments, so the .ics form of a talk arrives here.
            talk = parse_id(talk_id.removesuffix(".ics"), "talk_id")
            calendar = await validators.serve(request, lambda: feeds.talk_feed(event, talk, base_url), ICAL_MEDIA_TYPE)
            return cast("Response[TalkOut]", calendar)
        talk = parse_id(talk_id, "talk_id")
        return await validators.serve(request, lambda: schedule_service.talk(event, talk, base_url))

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
        validators = event_validators(event, request, instant.isoformat(), replayable=False)  # the clock's
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

    @get(
        "/changes",
        summary="What changed in the schedule",
        description="Talks added, removed, cancelled, moved, retitled, re-speakered, oldest first. "
        "Keep the newest `version` you saw and ask with `since` next time.",
        responses=READ,
    )
    async def list_changes(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
        since: SinceVersion = 0,
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Response[ChangeLog]:
        validators = event_validators(event, request)
        return await validators.serve(request, lambda: changes_since(db_session, event, since, limit, offset))


def schedule_router() -> Router:
    """Every route of an event's schedule, reading and editing, under ``/events/{slug}``."""
    return Router(
        path="/events/{slug:str}",
        route_handlers=[ScheduleController, SetupController, TalkEditingController],
        dependencies={
            **EVENT_DEPENDENCIES,
            "schedule_service": Provide(provide_schedule_service, sync_to_thread=False),
        },
    )
