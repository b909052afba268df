"""HTTP routes of attendees: register, stars, the personal calendar, forget me."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from service.attendees.deps import provide_attendee, provide_attendee_service
from service.attendees.models import Attendee
from service.attendees.services import AttendeeService
from service.calendar.deps import provide_feed_service
from service.calendar.feeds import ICAL_MEDIA_TYPE, FeedService
from service.core.bounds import LINE_PATTERN, Body, anchored
from service.core.openapi import ANYONE, ATTENDEE_SECURITY, SlotId, TalkId, problems
from service.core.params import parse_id
from service.core.routing import get
from service.core.schemas import BaseStruct, FeedLinks, feed_links
from service.events.deps import EVENT_DEPENDENCIES, base_url
from service.events.models import Event
from service.events.services import EventService
from service.schedule.deps import provide_schedule_service
from service.schedule.schemas import ScheduleEntry
from service.schedule.services import ScheduleService
from service.settings import Settings

AlarmParam = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=24 * 60,
        description="Add a reminder this many minutes before each talk.",
        schema_extra={"minimum": 0},  # Litestar leaves a zero bound of an optional parameter out of the schema
    ),
]

FeedFile = Annotated[
    str,
    PathParameter(
        description="The calendar's secret name, `<secret>.ics`, from registration.",
        # Documented only: any other name is simply no calendar (404), as an unknown secret is.
        schema_extra={"pattern": anchored(r"[A-Za-z0-9_-]{1,100}\.ics"), "maxLength": 104},
    ),
]


class Registration(Body):
    display_name: Annotated[str, msgspec.Meta(max_length=80, pattern=LINE_PATTERN)] = ""
    """Shown beside your public takeaways; leave empty to stay anonymous. One line, no control characters."""
    join_code: Annotated[str, msgspec.Meta(max_length=64, pattern=LINE_PATTERN)] = ""


class Registered(BaseStruct):
    id: str
    token: str
    """Your bearer token. Shown this once: keep it on the device."""
    display_name: str
    event: str
    calendar: FeedLinks
    """Your personal calendar of starred talks. Secret: anyone with the URL can read it."""


class Me(BaseStruct):
    id: str
    display_name: str
    event: str


def personal_feed(base: str, feed_secret: str) -> FeedLinks:
    return feed_links(base, f"/calendar/{feed_secret}.ics")


class AttendeeController(Controller):
    tags = ["attendees"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "attendee_service": Provide(provide_attendee_service, sync_to_thread=False),
        "attendee": Provide(provide_attendee),
        "schedule_service": Provide(provide_schedule_service, sync_to_thread=False),
        "feeds": Provide(provide_feed_service, sync_to_thread=False),
    }

    @post(
        "/events/{slug:str}/attendees",
        summary="Register on this device",
        status_code=HTTP_201_CREATED,
        security=ANYONE,
        responses=problems(400, 403, 404, 413, 422, 429),
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        attendee_service: NamedDependency[AttendeeService],
        settings: NamedDependency[Settings],
        data: JSONBody[Registration],
    ) -> Registered:
        attendee, token, feed_secret = await attendee_service.register(event, data.display_name, data.join_code)
        return Registered(
            id=str(attendee.id),
            token=token,
            display_name=attendee.display_name,
            event=event.slug,
            calendar=personal_feed(base_url(request, settings), feed_secret),
        )

    @get("/me", summary="Who this token is", security=ATTENDEE_SECURITY, responses=problems(401))
    async def me(self, attendee: NamedDependency[Attendee], events_service: NamedDependency[EventService]) -> Me:
        event = await events_service.get(attendee.event_id)
        return Me(id=str(attendee.id), display_name=attendee.display_name, event=event.slug)

    @delete(
        "/me",
        summary="Forget me: delete this attendee and everything they wrote",
        security=ATTENDEE_SECURITY,
        responses=problems(401, 429),
    )
    async def forget_me(
        self, attendee: NamedDependency[Attendee], attendee_service: NamedDependency[AttendeeService]
    ) -> None:
        await attendee_service.forget(attendee)

    @put(
        "/me/starred/{talk_id:str}",
        summary="Star a talk: every occurrence of it",
        description="A talk given more than once (a repeated workshop) is starred in each of its slots; "
        "to star one session only, use `PUT /me/starred/slots/{slot_id}`.",
        status_code=204,
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404, 429),
    )
    async def star_talk(
        self,
        attendee: NamedDependency[Attendee],
        attendee_service: NamedDependency[AttendeeService],
        talk_id: TalkId,
    ) -> None:
        await attendee_service.star_talk(attendee, parse_id(talk_id, "talk_id"))

    @delete(
        "/me/starred/{talk_id:str}",
        summary="Unstar every occurrence of a talk",
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404, 429),
    )
    async def unstar_talk(
        self,
        attendee: NamedDependency[Attendee],
        attendee_service: NamedDependency[AttendeeService],
        talk_id: TalkId,
    ) -> None:
        await attendee_service.unstar_talk(attendee, parse_id(talk_id, "talk_id"))

    @put(
        "/me/starred/slots/{slot_id:str}",
        summary="Star one occurrence (slot)",
        description="The schedule's `id` of an entry is its slot; its `talk_id` is the talk.",
        status_code=204,
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404, 429),
    )
    async def star_slot(
        self,
        attendee: NamedDependency[Attendee],
        attendee_service: NamedDependency[AttendeeService],
        slot_id: SlotId,
    ) -> None:
        await attendee_service.star_slot(attendee, parse_id(slot_id, "slot_id"))

    @delete(
        "/me/starred/slots/{slot_id:str}",
        summary="Unstar one occurrence (slot)",
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404, 429),
    )
    async def unstar_slot(
        self,
        attendee: NamedDependency[Attendee],
        attendee_service: NamedDependency[AttendeeService],
        slot_id: SlotId,
    ) -> None:
        await attendee_service.unstar_slot(attendee, parse_id(slot_id, "slot_id"))

    @get(
        "/me/starred",
        summary="My starred sessions, as schedule entries in time order",
        security=ATTENDEE_SECURITY,
        responses=problems(401),
    )
    async def starred(
        self,
        attendee: NamedDependency[Attendee],
        attendee_service: NamedDependency[AttendeeService],
        events_service: NamedDependency[EventService],
        schedule_service: NamedDependency[ScheduleService],
    ) -> list[ScheduleEntry]:
        event = await events_service.get(attendee.event_id)
        return await schedule_service.entries_for_slots(event, await attendee_service.starred_slot_ids(attendee))

    @post(
        "/me/calendar-token",
        summary="Replace my calendar URL (the old one stops working)",
        status_code=200,
        security=ATTENDEE_SECURITY,
        responses=problems(401, 429),
    )
    async def rotate_calendar(
        self,
        request: Request[Any, Any, Any],
        attendee: NamedDependency[Attendee],
        attendee_service: NamedDependency[AttendeeService],
        settings: NamedDependency[Settings],
    ) -> FeedLinks:
        return personal_feed(base_url(request, settings), await attendee_service.rotate_feed(attendee))

    @get(
        "/calendar/{feed_file:str}",
        summary="My calendar of starred talks",
        description="The secret URL from registration (calendar apps cannot send headers). Same UIDs, "
        "zones and cancellations as the event feed; `alarm` adds a reminder.",
        media_type=ICAL_MEDIA_TYPE,
        responses=problems(400, 404),
    )
    async def personal_calendar(
        self,
        request: Request[Any, Any, Any],
        attendee_service: NamedDependency[AttendeeService],
        events_service: NamedDependency[EventService],
        feeds: NamedDependency[FeedService],
        settings: NamedDependency[Settings],
        feed_file: FeedFile,
        alarm: AlarmParam = None,
    ) -> Response[bytes]:
        base = base_url(request, settings)
        calendar = await attendee_service.personal_calendar(feed_file, alarm, base)
        return await calendar.validators.serve(
            request, lambda: feeds.starred_feed(calendar.event, calendar.slot_ids, base, alarm), ICAL_MEDIA_TYPE
        )
