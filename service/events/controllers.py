"""HTTP routes of events."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from service.core.openapi import TOKEN_SECURITY, problems
from service.core.params import Limit, Offset
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.events.deps import EVENT_DEPENDENCIES, event_validators, require_current
from service.events.models import Event
from service.events.schemas import EventCreate, EventOut, EventUpdate
from service.events.services import EventService
from service.organisers.deps import provide_admin, provide_event_editor, provide_organiser
from service.organisers.services import Organiser


class EventController(Controller):
    path = "/events"
    tags = ["events"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "organiser": Provide(provide_organiser),
        "admin": Provide(provide_admin),
        "editor": Provide(provide_event_editor),
    }

    @get(
        "/",
        summary="List events",
        description="Newest first. Paginated with `limit` and `offset`.",
        responses=problems(400),
    )
    async def list_events(
        self,
        request: Request[Any, Any, Any],
        events_service: NamedDependency[EventService],
        base_url: NamedDependency[str],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Response[Page[EventOut]]:
        validators = await events_service.catalogue_validators(sorted(request.query_params.multi_items()), base_url)
        return await validators.serve(request, lambda: events_service.page(base_url, limit, offset))

    @get(
        "/{slug:str}",
        summary="One event",
        description="With links to its schedule, speakers, rooms and tracks.",
        responses=problems(400, 404),
    )
    async def get_event(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        events_service: NamedDependency[EventService],
        base_url: NamedDependency[str],
    ) -> Response[EventOut]:
        validators = event_validators(event, request, base_url)
        return await validators.serve(request, lambda: events_service.describe(event, base_url))

    @post(
        "/",
        summary="Create an event",
        description="Needs an admin token.",
        security=TOKEN_SECURITY,
        responses=problems(400, 401, 403, 409, 413, 422),
        status_code=HTTP_201_CREATED,
        tags=["organisers"],
    )
    async def create_event(
        self,
        admin: NamedDependency[Organiser],
        events_service: NamedDependency[EventService],
        base_url: NamedDependency[str],
        data: JSONBody[EventCreate],
    ) -> EventOut:
        event = await events_service.open_event(data)
        return await events_service.describe(event, base_url)

    @patch(
        "/{slug:str}",
        summary="Edit an event",
        description="Needs the event's organiser token. `If-Match` with a stale ETag gets 412.",
        security=TOKEN_SECURITY,
        responses=problems(400, 401, 403, 404, 412, 413, 422),
        tags=["organisers"],
    )
    async def update_event(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        events_service: NamedDependency[EventService],
        base_url: NamedDependency[str],
        data: JSONBody[EventUpdate],
    ) -> Response[EventOut]:
        require_current(request, event)
        await events_service.edit(event, data)
        body = await events_service.describe(event, base_url)
        return Response(body, headers={"ETag": event_validators(event, request, base_url).etag})
