"""Dependencies of the event-scoped routes, declared once."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.errors import StaleVersionError
from service.core.http import Validators, make_etag
from service.core.params import EventSlug, plain_text
from service.events.models import Event
from service.events.services import EventService
from service.settings import Settings


def provide_events_service(db_session: NamedDependency[AsyncSession]) -> EventService:
    # The request's session is passed in, so the service owns no transaction and needs no cleanup.
    return EventService(session=db_session)


async def provide_event(slug: EventSlug, events_service: NamedDependency[EventService]) -> Event:
    """The event named in the path; 404 problem when there is none."""
    return await events_service.get_by_slug(plain_text(slug, "slug"))


def base_url(request: Request[Any, Any, Any], settings: NamedDependency[Settings]) -> str:
    """Where clients reach us: the configured public URL, else the request's own origin."""
    return (settings.public_url or str(request.base_url)).rstrip("/")


def event_validators(event: Event, request: Request[Any, Any, Any], *extra: object) -> Validators:
    """ETag and Last-Modified of anything derived from one event's schedule.

    They follow the schedule version (and the event row), the path and the query, so they are
    known after one indexed lookup, before any slot is loaded or any body rendered. The tag opens
    with the version (``"v7-..."``) so that an ``If-Match`` on a write can tell a stale copy.
    """
    query = sorted(request.query_params.multi_items())
    etag = make_etag(event.id, event.schedule_version, event.updated_at, request.url.path, query, *extra)
    etag = f'"v{event.schedule_version}-{etag.strip(chr(34))}"'
    return Validators(etag=etag, last_modified=max(event.updated_at, event.schedule_modified_at))


def require_current(request: Request[Any, Any, Any], event: Event) -> None:
    """412 when ``If-Match`` names an older schedule version than the current one (RFC 9110 13.1.1)."""
    if_match = request.headers.get("if-match")
    if if_match is None or if_match.strip() == "*":
        return
    current = f'"v{event.schedule_version}-'
    if not any(tag.strip().startswith(current) for tag in if_match.split(",")):
        raise StaleVersionError(
            f"The schedule of '{event.slug}' changed since that copy (now version {event.schedule_version}): "
            "fetch it again and re-apply your change.",
            field="If-Match",
        )


EVENT_DEPENDENCIES = {
    "events_service": Provide(provide_events_service, sync_to_thread=False),
    "event": Provide(provide_event),
}
"""The event named in the path, for every controller under ``/events/{slug}``."""
