"""HTTP routes of takeaways: write from a phone (idempotent), edit with If-Match, sync, read public
ones, and, for organisers, hide and count."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.deps import provide_attendee, provide_attendee_service
from service.attendees.models import Attendee
from service.core.errors import InvalidParameterError, PreconditionRequiredError
from service.core.openapi import ATTENDEE_SECURITY, ORGANISER_SECURITY, READ, TakeawayId, TalkId, problems
from service.core.params import Limit, Offset, parse_id
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.events.deps import EVENT_DEPENDENCIES
from service.events.models import Event
from service.events.services import EventService
from service.organisers.deps import provide_event_editor, provide_organiser
from service.organisers.services import Organiser
from service.takeaways.digest_service import digest_for
from service.takeaways.schemas import EventStats, PublicTakeaway, SyncPage, TakeawayCreate, TakeawayOut, TakeawayUpdate
from service.takeaways.services import TakeawayService, client_id_for

MAX_TAKEAWAY_BODY = 64 * 1024
SinceParam = Annotated[str | None, QueryParameter(description="A cursor from an earlier answer.", max_length=100)]
EventParam = Annotated[str | None, QueryParameter(name="event", description="Only this event (slug).", max_length=64)]
TalkParam = Annotated[uuid.UUID | None, QueryParameter(description="Only notes on this talk.")]


def provide_takeaway_service(db_session: NamedDependency[AsyncSession]) -> TakeawayService:
    return TakeawayService(db_session)


def if_match_version(request: Request[Any, Any, Any], required: bool) -> int | None:
    """The version an ``If-Match: "<n>"`` names (W/ and quotes tolerated)."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise PreconditionRequiredError(
                "If-Match: send the version you edited (from the ETag), so a second device cannot "
                "silently overwrite the first.",
                field="If-Match",
            )
        return None
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidParameterError('If-Match: expected the note\'s ETag, like "3".', field="If-Match")
    return int(text)


def etag_headers(takeaway: TakeawayOut) -> dict[str, str]:
    return {"ETag": f'"{takeaway.version}"'}


class TakeawayController(Controller):
    tags = ["takeaways"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "attendee_service": Provide(provide_attendee_service, sync_to_thread=False),
        "attendee": Provide(provide_attendee),
        "takeaways": Provide(provide_takeaway_service, sync_to_thread=False),
        "organiser": Provide(provide_organiser),
        "editor": Provide(provide_event_editor),
    }

    @post(
        "/events/{slug:str}/talks/{talk_id:str}/takeaways",
        summary="Write a takeaway on a talk",
        description="Idempotent: repeating it with the same `client_id` (or `Idempotency-Key` header) returns "
        "the same note with 200 instead of creating a second one, also when the repeats race.",
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404, 409, 413, 422, 429),
        request_max_body_size=MAX_TAKEAWAY_BODY,
    )
    async def write(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        attendee: NamedDependency[Attendee],
        takeaways: NamedDependency[TakeawayService],
        talk_id: TalkId,
        data: JSONBody[TakeawayCreate],
    ) -> Response[TakeawayOut]:
        client_id = client_id_for(data.client_id, request.headers.get("idempotency-key"))
        note, created = await takeaways.create(attendee, event, parse_id(talk_id, "talk_id"), data, client_id)
        body = takeaways.out(note, event)
        return Response(body, status_code=HTTP_201_CREATED if created else HTTP_200_OK, headers=etag_headers(body))

    @get(
        "/events/{slug:str}/talks/{talk_id:str}/takeaways",
        summary="Public takeaways on a talk",
        description="Newest first, with the author's display name only.",
        responses=READ,
    )
    async def public(
        self,
        event: NamedDependency[Event],
        takeaways: NamedDependency[TakeawayService],
        talk_id: TalkId,
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Page[PublicTakeaway]:
        return await takeaways.public(event, parse_id(talk_id, "talk_id"), limit, offset)

    @post(
        "/events/{slug:str}/takeaways/{takeaway_id:str}/hide",
        summary="Hide a public takeaway",
        status_code=204,
        security=ORGANISER_SECURITY,
        responses=problems(400, 401, 403, 404),
        tags=["organisers"],
    )
    async def hide(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        takeaways: NamedDependency[TakeawayService],
        takeaway_id: TakeawayId,
    ) -> None:
        await takeaways.hide(event, parse_id(takeaway_id, "takeaway_id"), hidden=True)

    @post(
        "/events/{slug:str}/takeaways/{takeaway_id:str}/unhide",
        summary="Show a hidden takeaway again",
        status_code=204,
        security=ORGANISER_SECURITY,
        responses=problems(400, 401, 403, 404),
        tags=["organisers"],
    )
    async def unhide(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        takeaways: NamedDependency[TakeawayService],
        takeaway_id: TakeawayId,
    ) -> None:
        await takeaways.hide(event, parse_id(takeaway_id, "takeaway_id"), hidden=False)

    @get(
        "/events/{slug:str}/stats",
        summary="Interest per talk (organisers)",
        security=ORGANISER_SECURITY,
        responses=problems(400, 401, 403, 404),
        tags=["organisers"],
    )
    async def stats(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        takeaways: NamedDependency[TakeawayService],
    ) -> EventStats:
        return await takeaways.stats(event)

    @get(
        "/me/takeaways",
        summary="My takeaways, and offline sync",
        description="Without `since`: every note. With `since` (the `cursor` of an earlier answer): everything "
        "created, changed or deleted since, deletions as tombstones, in order, and a new cursor.",
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404),
    )
    async def mine(
        self,
        attendee: NamedDependency[Attendee],
        takeaways: NamedDependency[TakeawayService],
        events_service: NamedDependency[EventService],
        since: SinceParam = None,
        event_slug: EventParam = None,
        talk: TalkParam = None,
    ) -> SyncPage:
        event_id = (await events_service.get_by_slug(event_slug)).id if event_slug else None
        return await takeaways.sync(attendee, since, event_id, talk)

    @patch(
        "/me/takeaways/{takeaway_id:str}",
        summary="Edit my takeaway (If-Match required)",
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404, 412, 413, 422, 428, 429),
        request_max_body_size=MAX_TAKEAWAY_BODY,
    )
    async def edit(
        self,
        request: Request[Any, Any, Any],
        attendee: NamedDependency[Attendee],
        takeaways: NamedDependency[TakeawayService],
        events_service: NamedDependency[EventService],
        takeaway_id: TakeawayId,
        data: JSONBody[TakeawayUpdate],
    ) -> Response[TakeawayOut]:
        version = if_match_version(request, required=True) or 0
        note = await takeaways.edit(attendee, parse_id(takeaway_id, "takeaway_id"), version, data)
        body = takeaways.out(note, await events_service.get(note.event_id))
        return Response(body, headers=etag_headers(body))

    @delete(
        "/me/takeaways/{takeaway_id:str}",
        summary="Delete my takeaway",
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404, 412, 429),
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        attendee: NamedDependency[Attendee],
        takeaways: NamedDependency[TakeawayService],
        takeaway_id: TakeawayId,
    ) -> None:
        await takeaways.delete(attendee, parse_id(takeaway_id, "takeaway_id"), if_match_version(request, False))

    @get(
        "/me/takeaways/digest.md",
        summary="My takeaways as a Markdown digest",
        media_type="text/markdown",  # Litestar adds the charset to text/* types
        security=ATTENDEE_SECURITY,
        responses=problems(400, 401, 404),
    )
    async def digest(
        self,
        attendee: NamedDependency[Attendee],
        db_session: NamedDependency[AsyncSession],
        events_service: NamedDependency[EventService],
        event_slug: EventParam = None,
    ) -> str:
        chosen = (
            await events_service.get_by_slug(event_slug) if event_slug else await events_service.get(attendee.event_id)
        )
        return await digest_for(db_session, attendee, chosen)
