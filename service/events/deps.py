"""Dependencies of the event-scoped routes, declared once."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable
from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.etags import require_version, version_etag
from service.core.http import Validators
from service.core.params import EventSlug, plain_text
from service.events.models import Event
from service.events.services import EventService


def provide_events_service(db_session: NamedDependency[AsyncSession]) -> EventService:
    # Not advanced-alchemy's create_service_provider: it is a generator, and a second generator
    # dependency beside ``db_session`` makes Litestar close them together in a task group, which
    # wraps a COMMIT that fails in an ExceptionGroup: a 500 instead of the error table's answer
    # (tests/faults/test_commit_failure.py). Nothing here needs closing.
    return EventService(session=db_session)


class RememberedEvents(ABC):
    """This worker's memory of event rows; service/live/versions.py keeps it, and keeps it current
    from the change bus. Declared here so the event lookup needs nothing from the live layer."""

    @abstractmethod
    def find(self, slug: str, session: AsyncSession) -> Event | None:
        """The event attached to ``session`` without a query, when this worker may trust its copy."""

    @abstractmethod
    def start_reading(self) -> Any:
        """A mark taken before reading the row from the database, for ``remember``."""

    @abstractmethod
    def remember(self, event: Event, reading: Any) -> None:
        """Keep ``event`` as read since ``reading``, unless a change was heard meanwhile."""

    @abstractmethod
    def vouches_for(self, source: Hashable) -> bool:
        """Whether an answer made from ``source`` (an :func:`event_source`) is still current: the
        trusted copy of that event's row has the same values, so no query is needed to know it."""


SOURCE_COLUMNS = ("slug", "id", "schedule_version", "updated_at", "schedule_modified_at")
"""The columns of an event that its representations' validators are made from."""


def event_source(event: Event) -> tuple[object, ...]:
    return tuple(getattr(event, column) for column in SOURCE_COLUMNS)


READS = frozenset({"GET", "HEAD"})
"""Methods that may take the event from this worker's memory: they change nothing."""


async def provide_event(
    slug: EventSlug,
    request: Request[Any, Any, Any],
    events_service: NamedDependency[EventService],
    event_versions: NamedDependency[RememberedEvents],
) -> Event:
    """The event named in the path; 404 problem when there is none.

    A read takes this worker's trusted copy of the row when it has one (service/live/versions.py):
    no query, so a 304 or a cached body costs none. A write reads the row it is about to change.
    """
    slug = plain_text(slug, "slug")
    session = events_service.repository.session
    if request.method in READS and (known := event_versions.find(slug, session)) is not None:
        return known
    reading = event_versions.start_reading()
    event = await events_service.get_by_slug(slug)
    event_versions.remember(event, reading)
    return event


def event_validators(
    event: Event, request: Request[Any, Any, Any], *extra: object, replayable: bool = True
) -> Validators:
    """ETag and Last-Modified of anything derived from one event's schedule.

    They follow the schedule version (and the event row), the path and the query, so they are
    known from the event's row alone (this worker's memory of it, or one indexed lookup), before
    any slot is loaded or any body rendered. The tag names
    the schedule version (service/core/etags.py), so that an ``If-Match`` on a write can tell a
    stale copy whichever of the event's representations it came from.

    A representation that depends on nothing but the event's row, the request's path, query and
    host is ``replayable``: a worker may answer the same request again from memory while its copy
    of the row is current (``ReplayMemo``, service/core/http.py). One that follows the clock is not.
    """
    query = sorted(request.query_params.multi_items())
    etag = version_etag(event.schedule_version, event.id, event.updated_at, request.url.path, query, *extra)
    return Validators(
        etag=etag,
        last_modified=max(event.updated_at, event.schedule_modified_at),
        source=event_source(event) if replayable else None,
    )


def require_current(request: Request[Any, Any, Any], event: Event) -> None:
    """412 when ``If-Match`` names an older schedule version than the current one (RFC 9110 13.1.1)."""
    require_version(
        request.headers.get("if-match"),
        event.schedule_version,
        f"The schedule of '{event.slug}' changed since that copy (now version {event.schedule_version}): "
        "fetch it again and re-apply your change.",
    )


EVENT_DEPENDENCIES = {
    "events_service": Provide(provide_events_service, sync_to_thread=False),
    "event": Provide(provide_event),
}
"""The event named in the path, for every controller under ``/events/{slug}``."""
