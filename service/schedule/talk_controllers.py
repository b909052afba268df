"""HTTP routes for organisers to change the talks of an event: add, edit, cancel and delete talks,
and move their slots in time or room.

Every route needs an organiser token for the event (or an admin token). Edits take ``If-Match``
with any ETag of the event's current schedule version (service/core/etags.py): a stale one gets 412
and changes nothing. A failed request changes nothing at all: the request owns the transaction and
rolls it back on any error.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.core.openapi import ORGANISER_WRITE, TOKEN_SECURITY, SlotId, TalkId
from service.core.params import parse_id
from service.events.deps import event_validators, require_current
from service.events.models import Event
from service.schedule.deps import EDITING_DEPENDENCIES
from service.schedule.editing import SetupEditor
from service.schedule.inputs import SlotMove, TalkCreate, TalkUpdate
from service.schedule.schemas import TalkOut
from service.schedule.services import ScheduleService


class TalkEditingController(Controller):
    tags = ["schedule"]
    dependencies = EDITING_DEPENDENCIES

    @post(
        "/talks",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Add a talk with its slots",
        status_code=HTTP_201_CREATED,
    )
    async def create_talk(
        self,
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        base_url: NamedDependency[str],
        data: JSONBody[TalkCreate],
    ) -> Response[TalkOut]:
        talk = await schedule_editor.create_talk(data)
        body = await schedule_service.talk(event, talk.id, base_url)
        location = f"{base_url}/events/{event.slug}/talks/{talk.id}"
        return Response(body, status_code=HTTP_201_CREATED, headers={"Location": location})

    @patch(
        "/talks/{talk_id:str}",
        summary="Edit a talk",
        description="Send `If-Match` with the ETag you read: a stale one gets 412 and changes nothing.",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
    )
    async def update_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        base_url: NamedDependency[str],
        talk_id: TalkId,
        data: JSONBody[TalkUpdate],
    ) -> Response[TalkOut]:
        require_current(request, event)
        talk = await schedule_editor.update_talk(parse_id(talk_id, "talk_id"), data)
        return await talk_as_now(request, event, schedule_service, base_url, talk.id)

    @post(
        "/talks/{talk_id:str}/cancel",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Cancel a talk (it stays, marked cancelled)",
        status_code=HTTP_200_OK,
    )
    async def cancel_talk(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        base_url: NamedDependency[str],
        talk_id: TalkId,
    ) -> Response[TalkOut]:
        require_current(request, event)
        talk = await schedule_editor.cancel_talk(parse_id(talk_id, "talk_id"))
        return await talk_as_now(request, event, schedule_service, base_url, talk.id)

    @delete(
        "/talks/{talk_id:str}",
        tags=["organisers"],
        security=TOKEN_SECURITY,
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
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
    )
    async def move_slot(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        schedule_editor: NamedDependency[SetupEditor],
        schedule_service: NamedDependency[ScheduleService],
        base_url: NamedDependency[str],
        slot_id: SlotId,
        data: JSONBody[SlotMove],
    ) -> Response[TalkOut]:
        require_current(request, event)
        slot = await schedule_editor.move_slot(parse_id(slot_id, "slot_id"), data)
        return await talk_as_now(request, event, schedule_service, base_url, slot.talk_id)


async def talk_as_now(
    request: Request[Any, Any, Any], event: Event, schedule_service: ScheduleService, base: str, talk_id: uuid.UUID
) -> Response[TalkOut]:
    """The talk as it now is, with the ETag a client sends back as ``If-Match`` next time."""
    body = await schedule_service.talk(event, talk_id, base)
    return Response(body, headers={"ETag": event_validators(event, request, base).etag})
