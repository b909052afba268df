"""HTTP routes of attendees: register, pair devices, stars, the personal calendar, forget me."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from service.attendees.deps import (
    provide_attendee,
    provide_attendee_service,
    provide_device_service,
    provide_signed_in,
)
from service.attendees.devices import DeviceService, SignedIn
from service.attendees.models import Attendee
from service.attendees.schemas import (
    Device,
    DeviceId,
    Me,
    Pairing,
    PairingCode,
    Registered,
    Registration,
    device_out,
    pairing_code_out,
    personal_feed,
    registered,
)
from service.attendees.services import AttendeeService
from service.calendar.deps import provide_feed_service
from service.calendar.feeds import ICAL_MEDIA_TYPE, FeedService
from service.core.bounds import anchored
from service.core.openapi import ANYONE, TOKEN_SECURITY, SlotId, TalkId, problems
from service.core.params import parse_id
from service.core.routing import get
from service.core.schemas import FeedLinks
from service.events.deps import EVENT_DEPENDENCIES
from service.events.models import Event
from service.events.services import EventService
from service.schedule.deps import provide_schedule_service
from service.schedule.schemas import ScheduleEntry
from service.schedule.services import ScheduleService

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


class AttendeeController(Controller):
    tags = ["attendees"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "attendee_service": Provide(provide_attendee_service, sync_to_thread=False),
        "attendee": Provide(provide_attendee),
        "signed_in": Provide(provide_signed_in),
        "device_service": Provide(provide_device_service, sync_to_thread=False),
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
        event: NamedDependency[Event],
        attendee_service: NamedDependency[AttendeeService],
        base_url: NamedDependency[str],
        data: JSONBody[Registration],
    ) -> Registered:
        enrolment = await attendee_service.register(event, data.display_name, data.join_code, data.device_name)
        return registered(enrolment, event, base_url)

    @get("/me", summary="Who this token is", security=TOKEN_SECURITY, responses=problems(401))
    async def me(self, attendee: NamedDependency[Attendee], events_service: NamedDependency[EventService]) -> Me:
        event = await events_service.get(attendee.event_id)
        return Me(id=str(attendee.id), display_name=attendee.display_name, event=event.slug)

    @delete(
        "/me",
        summary="Forget me: delete this attendee and everything they wrote, on every device",
        security=TOKEN_SECURITY,
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
        security=TOKEN_SECURITY,
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
        security=TOKEN_SECURITY,
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
        security=TOKEN_SECURITY,
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
        security=TOKEN_SECURITY,
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
        description="Answers with an `ETag` that follows the stars and the schedule: another device "
        "polls cheaply with `If-None-Match`, and gets 304 until something changed.",
        security=TOKEN_SECURITY,
        responses=problems(401),
    )
    async def starred(
        self,
        request: Request[Any, Any, Any],
        attendee: NamedDependency[Attendee],
        attendee_service: NamedDependency[AttendeeService],
        events_service: NamedDependency[EventService],
        schedule_service: NamedDependency[ScheduleService],
    ) -> Response[list[ScheduleEntry]]:
        event = await events_service.get(attendee.event_id)

        async def entries() -> list[ScheduleEntry]:
            return await schedule_service.entries_for_slots(event, await attendee_service.starred_slot_ids(attendee))

        return await attendee_service.starred_validators(attendee, event).serve(request, entries)

    @post(
        "/me/calendar-token",
        summary="Replace my calendar URL (the old one stops working)",
        description="Your other devices keep working, but cannot pass the new URL on when pairing.",
        status_code=200,
        security=TOKEN_SECURITY,
        responses=problems(401, 429),
    )
    async def rotate_calendar(
        self,
        signed_in: NamedDependency[SignedIn],
        device_service: NamedDependency[DeviceService],
        base_url: NamedDependency[str],
    ) -> FeedLinks:
        return personal_feed(base_url, await device_service.replace_feed(signed_in))

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
        base_url: NamedDependency[str],
        feed_file: FeedFile,
        alarm: AlarmParam = None,
    ) -> Response[bytes]:
        calendar = await attendee_service.personal_calendar(feed_file, alarm, base_url)
        return await calendar.validators.serve(
            request, lambda: feeds.starred_feed(calendar.event, calendar.slot_ids, base_url, alarm), ICAL_MEDIA_TYPE
        )

    @post(
        "/me/pairing-code",
        summary="Make a code that signs another device in as me",
        description="The code works once, for ten minutes, on this event; a new code replaces the "
        "previous one. `link` opens pairing on the other device with the code filled in.",
        status_code=HTTP_201_CREATED,
        security=TOKEN_SECURITY,
        responses=problems(401, 429),
    )
    async def create_pairing_code(
        self,
        signed_in: NamedDependency[SignedIn],
        device_service: NamedDependency[DeviceService],
        events_service: NamedDependency[EventService],
        base_url: NamedDependency[str],
    ) -> PairingCode:
        event = await events_service.get(signed_in.attendee.event_id)
        pairing = await device_service.pairing_code(signed_in)
        return pairing_code_out(pairing, event, base_url)

    @post(
        "/events/{slug:str}/devices",
        summary="Sign this device in with a pairing code",
        description="Answers as registration does, with this device's own token, the same attendee id "
        "and the same calendar URL. A wrong, used, expired or other event's code is one 422 naming "
        "`code`; attempts count against the rate limit of your address.",
        status_code=HTTP_201_CREATED,
        security=ANYONE,
        responses=problems(400, 404, 413, 422, 429),
    )
    async def pair(
        self,
        event: NamedDependency[Event],
        device_service: NamedDependency[DeviceService],
        base_url: NamedDependency[str],
        data: JSONBody[Pairing],
    ) -> Registered:
        enrolment = await device_service.pair(event, data.code, data.device_name)
        return registered(enrolment, event, base_url)

    @get("/me/devices", summary="My signed-in devices", security=TOKEN_SECURITY, responses=problems(401))
    async def devices(
        self,
        signed_in: NamedDependency[SignedIn],
        device_service: NamedDependency[DeviceService],
        events_service: NamedDependency[EventService],
    ) -> list[Device]:
        event = await events_service.get(signed_in.attendee.event_id)
        devices = await device_service.devices(signed_in.attendee)
        return [device_out(device, event, signed_in.device) for device in devices]

    @delete(
        "/me/devices/{device_id:str}",
        summary="Sign a device out: its token stops working at once",
        description="Signing out the device asking is allowed too. To delete yourself and everything "
        "you wrote, on every device, use `DELETE /me`.",
        security=TOKEN_SECURITY,
        responses=problems(400, 401, 404, 429),
    )
    async def revoke_device(
        self, signed_in: NamedDependency[SignedIn], device_service: NamedDependency[DeviceService], device_id: DeviceId
    ) -> None:
        await device_service.revoke(signed_in.attendee, parse_id(device_id, "device_id"))
