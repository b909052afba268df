"""HTTP routes of speakers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response
from litestar.di import NamedDependency, Provide

from service.core.openapi import READ, SpeakerId
from service.core.params import Limit, Offset, parse_id
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.events.deps import EVENT_DEPENDENCIES, event_validators
from service.events.models import Event
from service.schedule.editing_controllers import EDITING_DEPENDENCIES, SpeakerEditingRoutes
from service.speakers.deps import provide_speakers_service
from service.speakers.schemas import SpeakerDetail, SpeakerOut
from service.speakers.services import SpeakerService


class SpeakerController(SpeakerEditingRoutes, Controller):
    tags = ["speakers"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "speakers_service": Provide(provide_speakers_service, sync_to_thread=False),
        **EDITING_DEPENDENCIES,
    }

    @get(
        "/events/{slug:str}/speakers",
        summary="Speakers of an event",
        description="By name, paginated.",
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
