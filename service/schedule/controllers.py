"""HTTP routes of the schedule: by day and filtered, one talk, what is on now, rooms and tracks."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import FromPath, QueryParameter

from service.core.params import Limit, Offset, parse_datetime, parse_id
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.core.time import utcnow
from service.events.deps import event_validators, provide_event, provide_events_service
from service.events.models import Event
from service.schedule.deps import provide_schedule_service
from service.schedule.models import TalkKind
from service.schedule.schemas import Now, RoomOut, Schedule, TalkOut, TrackOut
from service.schedule.services import MAX_QUERY_LENGTH, ScheduleFilter, ScheduleService

DayParam = Annotated[
    datetime.date | None,
    QueryParameter(
        description="Only this schedule day (local date, `YYYY-MM-DD`); a day starts at the day-change time."
    ),
]
RoomParam = Annotated[str | None, QueryParameter(description="Only talks in the room with this slug.", max_length=100)]
TrackParam = Annotated[
    str | None, QueryParameter(description="Only talks in the track with this slug.", max_length=100)
]
SpeakerParam = Annotated[uuid.UUID | None, QueryParameter(description="Only talks this speaker (id) takes part in.")]
KindParam = Annotated[
    TalkKind | None, QueryParameter(description="Only slots of this kind (talk, keynote, break, ...).")
]
QueryParam = Annotated[
    str | None,
    QueryParameter(
        description="Case-insensitive text search over title, abstract and speaker names.",
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
    ),
]
AtParam = Annotated[
    str | None,
    QueryParameter(
        description="The instant to look at (ISO 8601; without an offset it is read as the event's local time). "
        "Defaults to now.",
        examples=[Example(value="2025-06-20T10:40:00+02:00")],
        max_length=40,
    ),
]


class ScheduleController(Controller):
    path = "/events/{slug:str}"
    tags = ["schedule"]
    dependencies = {
        "events_service": Provide(provide_events_service, sync_to_thread=False),
        "event": Provide(provide_event),
        "schedule_service": Provide(provide_schedule_service, sync_to_thread=False),
    }

    @get(
        "/schedule",
        summary="The schedule, by local day",
        description="Talks grouped by schedule day, in time order, each with room, track and speakers. "
        "Every filter narrows the result; `ETag`/`If-None-Match` make polling cheap.",
    )
    async def get_schedule(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_service: NamedDependency[ScheduleService],
        day: DayParam = None,
        room: RoomParam = None,
        track: TrackParam = None,
        speaker: SpeakerParam = None,
        kind: KindParam = None,
        q: QueryParam = None,
    ) -> Response[Schedule]:
        wanted = ScheduleFilter.checked(day=day, room=room, track=track, speaker=speaker, kind=kind, q=q)
        validators = event_validators(event, request)
        return await validators.serve(request, lambda: schedule_service.schedule(event, wanted))

    @get("/talks/{talk_id:str}", summary="One talk", description="With every slot (occurrence) of it.")
    async def get_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_service: NamedDependency[ScheduleService],
        talk_id: FromPath[str],
    ) -> Response[TalkOut]:
        talk = parse_id(talk_id, "talk_id")
        validators = event_validators(event, request)
        return await validators.serve(request, lambda: schedule_service.talk(event, talk))

    @get(
        "/now",
        summary="What is on now",
        description="The slots running at `at` and the next one to start in each room: an app's home screen.",
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

    @get("/rooms", summary="Rooms of the event", description="In the organiser's order.")
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

    @get("/tracks", summary="Tracks of the event", description="By name, each with its colour.")
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
