"""HTTP routes of takeaways: write from a phone (idempotent), edit with If-Match, sync, read public
ones, and, for organisers, hide and count."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation
from litestar.openapi.spec import Parameter as OpenAPIParameter
from litestar.params import HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.deps import provide_attendee, provide_attendee_service, provide_author
from service.attendees.devices import Author
from service.attendees.models import Attendee
from service.core.bounds import LINE_PATTERN
from service.core.errors import InvalidParameterError
from service.core.etags import if_match_version, required_version, version_etag
from service.core.openapi import READ, TOKEN_SECURITY, TakeawayId, TalkId, problems
from service.core.params import EventSlug, Limit, Offset, parse_id, plain_text
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.events.deps import EVENT_DEPENDENCIES
from service.events.models import Event
from service.events.services import EventService
from service.organisers.deps import provide_event_editor, provide_organiser
from service.organisers.services import Organiser
from service.takeaways.digest_service import digest_for
from service.takeaways.schemas import EventStats, PublicTakeaway, SyncPage, TakeawayCreate, TakeawayOut, TakeawayUpdate
from service.takeaways.services import TakeawayService, Written, client_id_for

MAX_TAKEAWAY_BODY = 64 * 1024
SinceParam = Annotated[str | None, QueryParameter(description="A cursor from an earlier answer.", max_length=100)]
EventParam = Annotated[
    str | None,
    QueryParameter(
        name="event",
        description="Only this event (slug).",
        # Checked by plain_text in the handler, so that an error names `event` (Litestar's own
        # validation would name the Python argument, `event_slug`); an unknown slug is a 404.
        schema_extra={"maxLength": 64, "pattern": LINE_PATTERN},
    ),
]
TalkParam = Annotated[uuid.UUID | None, QueryParameter(description="Only notes on this talk.")]


def provide_takeaway_service(db_session: NamedDependency[AsyncSession]) -> TakeawayService:
    return TakeawayService(db_session)


IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description='The note\'s ETag as the last answer gave it (`"3"`): the version you edited.',
        # A header is text or absent, never JSON null: the schema says string (Litestar writes "or null").
        schema_extra={
            "type": "string",
            "oneOf": None,
            "pattern": r'^(W/)?("[0-9]{1,10}"|[0-9]{1,10})$',
            "maxLength": 14,
        },
    ),
]


@dataclass
class IfMatchRequired(Operation):
    """Say in the OpenAPI document that If-Match is required. The handler declares it optional so
    that a missing one gets its own answer, 428 (RFC 6585), rather than a generic 400."""

    def __post_init__(self) -> None:
        for parameter in self.parameters or []:
            if isinstance(parameter, OpenAPIParameter) and parameter.name == "If-Match":
                parameter.required = True


def etag_headers(takeaway: TakeawayOut) -> dict[str, str]:
    """The note's ETag: its version alone (service/core/etags.py), as ``If-Match`` sends it back."""
    return {"ETag": version_etag(takeaway.version)}


def _plain_id(value: str) -> uuid.UUID | None:
    try:
        return parse_id(value, "talk_id")
    except InvalidParameterError:
        return None


def _is_plain_text(value: str) -> bool:
    try:
        plain_text(value, "slug")
    except InvalidParameterError:
        return False
    return True


async def _write_in_full(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    takeaways: TakeawayService,
    slug: str,
    talk_id: str,
    data: TakeawayCreate,
    client_id: uuid.UUID,
) -> Written:
    """A note written as every other route works: the signed-in attendee and the event as rows,
    each checked in turn, so each error is the one those routes give, in the same order."""
    attendee = await provide_attendee(request, db_session)
    event = await EventService(session=db_session).get_by_slug(plain_text(slug, "slug"))  # as provide_event
    note, created = await takeaways.create(attendee, event, parse_id(talk_id, "talk_id"), data, client_id)
    return Written(takeaways.out(note, event), created)


class TakeawayController(Controller):
    tags = ["takeaways"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "attendee_service": Provide(provide_attendee_service, sync_to_thread=False),
        "attendee": Provide(provide_attendee),
        "author": Provide(provide_author),
        "takeaways": Provide(provide_takeaway_service, sync_to_thread=False),
        "organiser": Provide(provide_organiser),
        "editor": Provide(provide_event_editor),
    }

    @post(
        "/events/{slug:str}/talks/{talk_id:str}/takeaways",
        summary="Write a takeaway on a talk",
        description="Idempotent: repeating it with the same `client_id` (or `Idempotency-Key` header) returns "
        "the same note with 200 instead of creating a second one, also when the repeats race.",
        security=TOKEN_SECURITY,
        responses={
            200: ResponseSpec(
                data_container=TakeawayOut,
                description="A repeat of an earlier request (same `client_id` or `Idempotency-Key`): the same note.",
                generate_examples=False,
            ),
            **problems(400, 401, 404, 409, 413, 422, 429),
        },
        request_max_body_size=MAX_TAKEAWAY_BODY,
    )
    async def write(
        self,
        request: Request[Any, Any, Any],
        slug: EventSlug,
        talk_id: TalkId,
        data: JSONBody[TakeawayCreate],
        author: NamedDependency[Author],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[TakeawayOut]:
        # The busiest write: it asks for its session and the remembered author only (Litestar
        # resolves the dependencies of one depth in a task group, and the event's and attendee's
        # rows that the other routes load cost several times the one statement of a new note).
        takeaways = TakeawayService(db_session)
        client_id = client_id_for(data.client_id, request.headers.get("idempotency-key"))
        written = None
        if (talk := _plain_id(talk_id)) is not None and _is_plain_text(slug):
            written = await takeaways.write(author, slug, talk, data, client_id)
        if written is None:  # not the plain case: the full path answers it (401, 400, 404, ...)
            written = await _write_in_full(request, db_session, takeaways, slug, talk_id, data, client_id)
        status = HTTP_201_CREATED if written.created else HTTP_200_OK
        return Response(written.note, status_code=status, headers=etag_headers(written.note))

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
        security=TOKEN_SECURITY,
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
        security=TOKEN_SECURITY,
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
        security=TOKEN_SECURITY,
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
        security=TOKEN_SECURITY,
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
        event_id = (await events_service.get_by_slug(plain_text(event_slug, "event"))).id if event_slug else None
        return await takeaways.sync(attendee, since, event_id, talk)

    @patch(
        "/me/takeaways/{takeaway_id:str}",
        summary="Edit my takeaway (If-Match required)",
        security=TOKEN_SECURITY,
        responses=problems(400, 401, 404, 412, 413, 422, 428, 429),
        request_max_body_size=MAX_TAKEAWAY_BODY,
        operation_class=IfMatchRequired,
    )
    async def edit(
        self,
        attendee: NamedDependency[Attendee],
        takeaways: NamedDependency[TakeawayService],
        events_service: NamedDependency[EventService],
        takeaway_id: TakeawayId,
        data: JSONBody[TakeawayUpdate],
        if_match: IfMatch = None,
    ) -> Response[TakeawayOut]:
        version = required_version(if_match, "the note")
        note = await takeaways.edit(attendee, parse_id(takeaway_id, "takeaway_id"), version, data)
        body = takeaways.out(note, await events_service.get(note.event_id))
        return Response(body, headers=etag_headers(body))

    @delete(
        "/me/takeaways/{takeaway_id:str}",
        summary="Delete my takeaway",
        security=TOKEN_SECURITY,
        responses=problems(400, 401, 404, 412, 429),
    )
    async def remove(
        self,
        attendee: NamedDependency[Attendee],
        takeaways: NamedDependency[TakeawayService],
        takeaway_id: TakeawayId,
        if_match: IfMatch = None,
    ) -> None:
        version = if_match_version(if_match, "the note")
        await takeaways.delete(attendee, parse_id(takeaway_id, "takeaway_id"), version)

    @get(
        "/me/takeaways/digest.md",
        summary="My takeaways as a Markdown digest",
        media_type="text/markdown",  # Litestar adds the charset to text/* types
        security=TOKEN_SECURITY,
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
            await events_service.get_by_slug(plain_text(event_slug, "event"))
            if event_slug
            else await events_service.get(attendee.event_id)
        )
        return await digest_for(db_session, attendee, chosen)
