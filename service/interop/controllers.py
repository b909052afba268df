"""HTTP routes of the schedule formats: import a frab/C3VOC file, export ours in both."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, HttpMethod, Request, Response, post, route
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.errors import InvalidFieldError
from service.core.time import UnknownTimeZoneError, zone
from service.events.deps import EVENT_DEPENDENCIES, event_validators
from service.events.models import Event
from service.interop.exporters import export_document
from service.interop.formats import FORMATS, detect
from service.interop.importer import ImportReport, ScheduleImporter
from service.interop.model import ScheduleFormatError
from service.organisers.deps import provide_event_editor, provide_organiser
from service.organisers.services import Organiser
from service.schedule.editing_controllers import SECURITY

MAX_IMPORT_BYTES = 50 * 1024 * 1024

TimezoneParam = Annotated[
    str | None,
    QueryParameter(description="IANA zone for files that do not say which zone their times are in.", max_length=64),
]
VanishedParam = Annotated[
    Literal["cancel", "delete"],
    QueryParameter(description="What happens to talks the file no longer has: kept as cancelled, or deleted."),
]


async def import_schedule(
    session: AsyncSession, event: Event, data: bytes, timezone: str | None, vanished: Literal["cancel", "delete"]
) -> ImportReport:
    """Parse (format detected from the content) and apply; a malformed file changes nothing."""
    if timezone is not None:
        try:
            zone(timezone)
        except UnknownTimeZoneError:
            raise InvalidFieldError(f"timezone: {timezone!r} is not an IANA time zone.", field="timezone") from None
    try:
        fmt = detect(data)
        document = fmt.parse(data, default_timezone=timezone or event.timezone)
    except ScheduleFormatError as exc:
        raise InvalidFieldError(f"The file is not a readable schedule: {exc}", field=exc.where) from None
    return await ScheduleImporter(session, event).apply(document, fmt.identifier, vanished)


class InteropController(Controller):
    path = "/events/{slug:str}"
    tags = ["formats"]
    dependencies = {
        **EVENT_DEPENDENCIES,
        "organiser": Provide(provide_organiser),
        "editor": Provide(provide_event_editor),
    }

    @post(
        "/import",
        summary="Import a frab schedule.xml or C3VOC schedule.json",
        description="Send the file as the request body (format detected from the content). Talks are "
        "matched by GUID, so re-importing an updated file updates instead of duplicating. All or nothing.",
        security=SECURITY,
        tags=["organisers"],
        status_code=200,
        request_max_body_size=MAX_IMPORT_BYTES,
    )
    async def import_file(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        db_session: NamedDependency[AsyncSession],
        timezone: TimezoneParam = None,
        vanished: VanishedParam = "cancel",
    ) -> ImportReport:
        return await import_schedule(db_session, event, await request.body(), timezone, vanished)

    @route(
        "/schedule.xml",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        summary="The schedule as frab XML",
        media_type=FORMATS["frab-xml"].media_type,
    )
    async def export_xml(
        self, request: Request[Any, Any, Any], event: NamedDependency[Event], db_session: NamedDependency[AsyncSession]
    ) -> Response[bytes]:
        return await _export(request, event, db_session, "frab-xml")

    @route(
        "/schedule.json",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        summary="The schedule as C3VOC JSON",
        media_type=FORMATS["c3voc-json"].media_type,
    )
    async def export_json(
        self, request: Request[Any, Any, Any], event: NamedDependency[Event], db_session: NamedDependency[AsyncSession]
    ) -> Response[bytes]:
        return await _export(request, event, db_session, "c3voc-json")


async def _export(request: Request[Any, Any, Any], event: Event, session: AsyncSession, name: str) -> Response[bytes]:
    fmt = FORMATS[name]

    async def render() -> bytes:
        return fmt.render(await export_document(session, event))

    return await event_validators(event, request).serve(request, render, fmt.media_type)
