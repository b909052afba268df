"""HTTP routes of speakers: an event's speakers, one speaker across events, and organisers' edits."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from service.core.openapi import READ, TOKEN_SECURITY, SpeakerId, problems
from service.core.params import Limit, Offset, parse_id
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.events.deps import EVENT_DEPENDENCIES, event_validators
from service.events.models import Event
from service.organisers.deps import provide_event_editor, provide_organiser
from service.speakers.deps import provide_speaker_editor, provide_speakers_service
from service.speakers.editing import SpeakerEditor
from service.speakers.schemas import SpeakerCreate, SpeakerDetail, SpeakerOut, SpeakerUpdate
from service.speakers.services import SpeakerService, speaker_out

ORGANISERS = ["organisers"]
SPEAKER_WRITE = problems(400, 401, 403, 404, 413, 422)
"""A speaker edit: no If-Match and no booking to collide with, so never 409 or 412."""


class SpeakerController(Controller):
    tags = ["speakers"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "speakers_service": Provide(provide_speakers_service, sync_to_thread=False),
        # Resolved only by the routes that ask for them, so reading stays anonymous.
        "organiser": Provide(provide_organiser),
        "editor": Provide(provide_event_editor),
        "speaker_editor": Provide(provide_speaker_editor, sync_to_thread=False),
    }

    @get(
        "/events/{slug:str}/speakers",
        summary="Speakers of an event",
        description="Everyone with a part in a talk of the event, and those its organisers added and have not "
        "placed yet; by name, paginated.",
        responses=READ,
    )
    async def list_event_speakers(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        speakers_service: NamedDependency[SpeakerService],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Response[Page[SpeakerOut]]:
        validators = event_validators(event, request)
        return await validators.serve(request, lambda: speakers_service.at_event(event, limit, offset))

    @get(
        "/speakers/{speaker_id:str}",
        summary="One speaker",
        description="With their talks across all events, each in its event's local time.",
        responses=READ,
    )
    async def get_speaker(
        self,
        request: Request[Any, Any, Any],
        speakers_service: NamedDependency[SpeakerService],
        speaker_id: SpeakerId,
    ) -> Response[SpeakerDetail]:
        speaker = parse_id(speaker_id, "speaker_id")
        validators = await speakers_service.validators(speaker)
        return await validators.serve(request, lambda: speakers_service.detail(speaker))

    @post(
        "/events/{slug:str}/speakers",
        tags=ORGANISERS,
        security=TOKEN_SECURITY,
        responses=SPEAKER_WRITE,
        summary="Add a speaker",
        description="The event's organisers can edit and remove the speaker from then on, and link them to talks.",
        status_code=HTTP_201_CREATED,
    )
    async def create_speaker(
        self, speaker_editor: NamedDependency[SpeakerEditor], data: JSONBody[SpeakerCreate]
    ) -> SpeakerOut:
        return speaker_out(await speaker_editor.create_speaker(data))

    @patch(
        "/events/{slug:str}/speakers/{speaker_id:str}",
        tags=ORGANISERS,
        security=TOKEN_SECURITY,
        responses=SPEAKER_WRITE,
        summary="Edit a speaker of this event",
        description="A speaker may speak at several events: the edit shows at each of them, and each gets a new "
        "schedule version (and ETag).",
    )
    async def update_speaker(
        self, speaker_editor: NamedDependency[SpeakerEditor], speaker_id: SpeakerId, data: JSONBody[SpeakerUpdate]
    ) -> SpeakerOut:
        return speaker_out(await speaker_editor.edit_speaker(parse_id(speaker_id, "speaker_id"), data))

    @delete(
        "/events/{slug:str}/speakers/{speaker_id:str}",
        tags=ORGANISERS,
        security=TOKEN_SECURITY,
        responses=SPEAKER_WRITE,
        summary="Take a speaker off every talk of this event",
        description="A speaker this event added, and who then appears at no other event, is deleted.",
    )
    async def remove_speaker(self, speaker_editor: NamedDependency[SpeakerEditor], speaker_id: SpeakerId) -> None:
        await speaker_editor.remove_speaker(parse_id(speaker_id, "speaker_id"))
