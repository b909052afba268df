"""HTTP routes for organisers: rooms, tracks, talks and slots; and the public change log.

The speaker routes are in service/speakers/controllers.py.

Every route here needs an organiser token for the event (or an admin token). A failed request
changes nothing: the request owns the transaction and rolls it back on any error.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.openapi import (
    ORGANISER_SECURITY,
    ORGANISER_WRITE,
    READ,
    RoomId,
    SlotId,
    TalkId,
    TrackId,
)
from service.core.params import Limit, Offset, SinceVersion, parse_id
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE
from service.events.deps import EVENT_DEPENDENCIES, base_url, event_validators, require_current
from service.events.models import Event
from service.organisers.deps import provide_event_editor, provide_organiser
from service.organisers.services import Organiser
from service.schedule.changes import ChangeLog, changes_since
from service.schedule.editing import SetupEditor
from service.schedule.inputs import (
    RoomCreate,
    RoomUpdate,
    SlotMove,
    TalkCreate,
    TalkUpdate,
    TrackCreate,
    TrackUpdate,
)
from service.schedule.schemas import RoomOut, TalkOut, TrackOut
from service.schedule.services import ScheduleService, room_out, track_out
from service.settings import Settings


def provide_schedule_editor(
    event: NamedDependency[Event], db_session: NamedDependency[AsyncSession], editor: NamedDependency[Organiser]
) -> SetupEditor:
    """The editor for this event, only once the token is known to be allowed to use it."""
    return SetupEditor(db_session, event)


def _fields(data: Any) -> dict[str, Any]:
    return {name: getattr(data, name) for name in data.__struct_fields__}


EDITING_DEPENDENCIES = {
    "organiser": Provide(provide_organiser),
    "editor": Provide(provide_event_editor),
    "schedule_editor": Provide(provide_schedule_editor, sync_to_thread=False),
}
"""Resolved only by the routes that ask for them, so reading stays anonymous."""

TAGS = ["organisers"]


class ScheduleEditingRoutes:
    """The organisers' routes under ``/events/{slug}``, mixed into the schedule's controller.

    They share paths with the read routes (``GET /rooms``, ``POST /rooms``), and Litestar wants one
    controller per path, so they join that controller instead of forming their own.
    """

    # -- rooms and tracks ------------------------------------------------------------------------

    @post(
        "/rooms",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Add a room",
        status_code=HTTP_201_CREATED,
    )
    async def create_room(self, schedule_editor: NamedDependency[SetupEditor], data: JSONBody[RoomCreate]) -> RoomOut:
        room = await schedule_editor.create_room(data.slug, data.name, data.position)
        return room_out(room)

    @patch(
        "/rooms/{room_id:str}",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Rename or reorder a room",
    )
    async def update_room(
        self, schedule_editor: NamedDependency[SetupEditor], room_id: RoomId, data: JSONBody[RoomUpdate]
    ) -> RoomOut:
        room = await schedule_editor.get_room(parse_id(room_id, "room_id"))
        schedule_editor.update(room, _fields(data))
        return room_out(room)

    @delete(
        "/rooms/{room_id:str}",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Remove an empty room",
    )
    async def delete_room(self, schedule_editor: NamedDependency[SetupEditor], room_id: RoomId) -> None:
        await schedule_editor.delete_room(parse_id(room_id, "room_id"))

    @post(
        "/tracks",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Add a track",
        status_code=HTTP_201_CREATED,
    )
    async def create_track(
        self, schedule_editor: NamedDependency[SetupEditor], data: JSONBody[TrackCreate]
    ) -> TrackOut:
        track = await schedule_editor.create_track(data.slug, data.name, data.color)
        return track_out(track)

    @patch(
        "/tracks/{track_id:str}",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Rename or recolour a track",
    )
    async def update_track(
        self, schedule_editor: NamedDependency[SetupEditor], track_id: TrackId, data: JSONBody[TrackUpdate]
    ) -> TrackOut:
        track = await schedule_editor.get_track(parse_id(track_id, "track_id"))
        schedule_editor.update(track, _fields(data))
        return track_out(track)

    @delete(
        "/tracks/{track_id:str}",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Remove a track (its talks stay, without a track)",
    )
    async def delete_track(self, schedule_editor: NamedDependency[SetupEditor], track_id: TrackId) -> None:
        await schedule_editor.delete_track(parse_id(track_id, "track_id"))

    # -- talks and slots -------------------------------------------------------------------------

    @post(
        "/talks",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Add a talk with its slots",
        status_code=HTTP_201_CREATED,
    )
    async def create_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        settings: NamedDependency[Settings],
        data: JSONBody[TalkCreate],
    ) -> Response[TalkOut]:
        talk = await schedule_editor.create_talk(data)
        base = base_url(request, settings)
        body = await schedule_service.talk(event, talk.id, base)
        return Response(
            body, status_code=HTTP_201_CREATED, headers={"Location": f"{base}/events/{event.slug}/talks/{talk.id}"}
        )

    @patch(
        "/talks/{talk_id:str}",
        summary="Edit a talk",
        description="Send `If-Match` with the ETag you read: a stale one gets 412 and changes nothing.",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
    )
    async def update_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        settings: NamedDependency[Settings],
        talk_id: TalkId,
        data: JSONBody[TalkUpdate],
    ) -> Response[TalkOut]:
        require_current(request, event)
        talk = await schedule_editor.update_talk(parse_id(talk_id, "talk_id"), data)
        return await self._talk_response(request, event, schedule_service, settings, talk.id)

    @post(
        "/talks/{talk_id:str}/cancel",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Cancel a talk (it stays, marked cancelled)",
        status_code=200,
    )
    async def cancel_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        settings: NamedDependency[Settings],
        talk_id: TalkId,
    ) -> Response[TalkOut]:
        require_current(request, event)
        talk = await schedule_editor.cancel_talk(parse_id(talk_id, "talk_id"))
        return await self._talk_response(request, event, schedule_service, settings, talk.id)

    @delete(
        "/talks/{talk_id:str}",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Delete a talk (calendars get a cancellation)",
    )
    async def delete_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        talk_id: TalkId,
    ) -> None:
        require_current(request, event)
        await schedule_editor.delete_talk(parse_id(talk_id, "talk_id"))

    @patch(
        "/slots/{slot_id:str}",
        summary="Move a slot in time or room, or change its length",
        description="Answers with the slot's talk. `If-Match` as for talks.",
        tags=TAGS,
        security=ORGANISER_SECURITY,
        responses=ORGANISER_WRITE,
    )
    async def move_slot(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        settings: NamedDependency[Settings],
        slot_id: SlotId,
        data: JSONBody[SlotMove],
    ) -> Response[TalkOut]:
        require_current(request, event)
        slot = await schedule_editor.move_slot(parse_id(slot_id, "slot_id"), data)
        return await self._talk_response(request, event, schedule_service, settings, slot.talk_id)

    @staticmethod
    async def _talk_response(
        request: Request[Any, Any, Any],
        event: Event,
        schedule_service: ScheduleService,
        settings: Settings,
        talk_id: uuid.UUID,
    ) -> Response[TalkOut]:
        """The talk as it now is, with the ETag a client sends back as ``If-Match`` next time."""
        base = base_url(request, settings)
        body = await schedule_service.talk(event, talk_id, base)
        return Response(body, headers={"ETag": event_validators(event, request, base).etag})


class ChangeLogController(Controller):
    path = "/events/{slug:str}"
    tags = ["schedule"]
    dependencies = {
        **EVENT_DEPENDENCIES,
    }

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
