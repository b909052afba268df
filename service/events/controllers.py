"""HTTP routes of events."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide

from service.core.params import Limit, Offset
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.events.deps import base_url, event_validators, provide_event, provide_events_service
from service.events.models import Event
from service.events.schemas import EventOut
from service.events.services import EventService
from service.settings import Settings


class EventController(Controller):
    path = "/events"
    tags = ["events"]
    dependencies = {
        "events_service": Provide(provide_events_service, sync_to_thread=False),
        "event": Provide(provide_event),
    }

    @get("/", summary="List events", description="Newest first. Paginated with `limit` and `offset`.")
    async def list_events(
        self,
        request: Request[Any, Any, Any],
        events_service: NamedDependency[EventService],
        settings: NamedDependency[Settings],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Response[Page[EventOut]]:
        base = base_url(request, settings)
        validators = await events_service.catalogue_validators(sorted(request.query_params.multi_items()), base)
        return await validators.serve(request, lambda: events_service.page(base, limit, offset))

    @get(
        "/{slug:str}",
        summary="One event",
        description="With links to its schedule, speakers, rooms and tracks.",
    )
    async def get_event(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        events_service: NamedDependency[EventService],
        settings: NamedDependency[Settings],
    ) -> Response[EventOut]:
        base = base_url(request, settings)
        validators = event_validators(event, request, base)
        return await validators.serve(request, lambda: events_service.describe(event, base))
