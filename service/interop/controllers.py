"""HTTP routes of the schedule formats: import a frab/C3VOC file, export ours in both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter, RawBody
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.openapi import TOKEN_SECURITY, problems
from service.core.routing import get
from service.events.deps import EVENT_DEPENDENCIES, event_validators
from service.events.models import Event
from service.interop import c3voc_json
from service.interop.exporters import EXPORTERS, ExportSource
from service.interop.importer import ImportReport
from service.interop.imports import import_beside_the_loop
from service.organisers.deps import provide_event_editor, provide_organiser
from service.organisers.services import Organiser
from service.settings import Settings

MAX_IMPORT_BYTES = 50 * 1024 * 1024


TimezoneParam = Annotated[
    str | None,
    QueryParameter(description="IANA zone for files that do not say which zone their times are in.", max_length=64),
]
VanishedParam = Annotated[
    Literal["cancel", "delete"],
    QueryParameter(description="What happens to talks the file no longer has: kept as cancelled, or deleted."),
]


@dataclass
class ScheduleFileUpload(Operation):
    """The import route reads its body raw (it may be XML or JSON), so its OpenAPI operation says
    what that body is, which Litestar cannot infer from a raw ``body: bytes``."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            description="A frab schedule.xml or a C3VOC schedule.json file, sent as it is; the format "
            f"is detected from the content. At most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.",
            required=True,
            content={
                media_type: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
                for media_type in ("application/xml", "application/json")
            },
        )


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
        security=TOKEN_SECURITY,
        responses=problems(400, 401, 403, 404, 413, 422),
        tags=["organisers"],
        status_code=200,
        request_max_body_size=MAX_IMPORT_BYTES,
        operation_class=ScheduleFileUpload,
    )
    async def import_file(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        settings: NamedDependency[Settings],
        body: RawBody,
        timezone: TimezoneParam = None,
        vanished: VanishedParam = "cancel",
    ) -> ImportReport:
        return await import_beside_the_loop(settings, event, body, timezone, vanished)

    @get(
        "/schedule.xml",
        summary="The schedule as frab XML",
        description="Valid against the frab schedule.xml XSD that C3VOC publishes.",
        media_type=EXPORTERS["frab-xml"].media_type,
        responses=problems(400, 404),
    )
    async def export_xml(
        self, request: Request[Any, Any, Any], event: NamedDependency[Event], db_session: NamedDependency[AsyncSession]
    ) -> Response[bytes]:
        return await _export(request, event, db_session, "frab-xml")

    @get(
        "/schedule.json",
        summary="The schedule as C3VOC JSON",
        description="Valid against the C3VOC schedule.json schema.",
        media_type=EXPORTERS["c3voc-json"].media_type,
        responses=problems(400, 404),
    )
    async def export_json(
        self, request: Request[Any, Any, Any], event: NamedDependency[Event], db_session: NamedDependency[AsyncSession]
    ) -> Response[c3voc_json.C3vocDocument]:
        # The body is rendered bytes; the annotation is what they are, for the OpenAPI document.
        return cast("Response[c3voc_json.C3vocDocument]", await _export(request, event, db_session, "c3voc-json"))


async def _export(
    request: Request[Any, Any, Any], event: Event, session: AsyncSession, identifier: str
) -> Response[bytes]:
    exporter = EXPORTERS[identifier]
    source = ExportSource(session=session, event=event)
    return await event_validators(event, request).serve(request, lambda: exporter.render(source), exporter.media_type)
