"""What the OpenAPI document says of errors, ids and tokens, declared once for every route.

Every handler lists the problem statuses it can answer with (``responses=problems(...)``), so
client generators and fuzzers know each route's failures, all as ``application/problem+json``.
"""

from __future__ import annotations

import enum
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated

import msgspec

# Litestar's own schema plugin for msgspec Structs; it is not exported publicly, and the subclass
# below only adds to what it produces (tests/test_openapi.py fails if it stops being used).
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Reference, Schema, SecurityScheme
from litestar.params import Parameter
from litestar.plugins import OpenAPISchemaPlugin

from service.core.schemas import BaseStruct

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

PROBLEM_JSON = "application/problem+json"

BEARER_SCHEME = "BearerToken"
SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    BEARER_SCHEME: SecurityScheme(
        type="http", scheme="bearer", description="An organiser token from `plenary token create`."
    )
}
"""The one way to authenticate: ``Authorization: Bearer <token>``, for the OpenAPI document's components."""
TOKEN_SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]
"""A route that needs a bearer token: an organiser's for the event (or an admin's, from ``plenary token
create``) to change it, an attendee's (from ``POST /events/{slug}/attendees``) for their own data. One
scheme serves both: the token itself says whose it is, and each route says in its summary which it takes."""
ANYONE: list[dict[str, list[str]]] = [{}]
"""A write anyone may make (registering as an attendee): no token."""


class FieldProblem(BaseStruct):
    field: str
    message: str
    source: str | None = None
    """``body``, ``query``, ``path`` or ``header`` where Litestar validated it."""


class Problem(BaseStruct):
    """An RFC 9457 problem: what went wrong, in words, and which field or parameter it concerns."""

    status: int
    title: str
    detail: str
    code: str
    """A stable machine-readable reason: ``not_found``, ``validation_error``, ``stale_version`` …"""
    errors: list[FieldProblem] | None = None
    other: dict[str, str] | None = None
    """For 409: the resource in the way (the talk already in that room, say)."""
    expected: str | None = None
    """For 404 on an id: the kind of thing the route wanted (``talk`` or ``slot``)."""
    see: str | None = None
    """For 404 on an id of the other kind: the URL that takes it."""


_MEANING = {
    400: "A query or path parameter is malformed or names nothing (the problem names it).",
    401: "No token, or not a valid one.",
    403: "The token may not do this (another event's, or not an admin's).",
    404: "No such event or resource.",
    409: "Refused because of another resource: a taken slug, a room or speaker already booked.",
    412: "If-Match names an older version: someone else changed it first; nothing was changed.",
    413: "The request body is too large.",
    422: "A field of the body is invalid (the problem names it); nothing was changed.",
    428: "If-Match is required: send the ETag of the version you edited.",
    429: "Too many writes: wait for Retry-After seconds.",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem+json responses of a route, by status."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=_MEANING.get(status, HTTPStatus(status).phrase),
            generate_examples=False,
        )
        for status in statuses
    }


READ = problems(400, 404)
"""A public read under an event (bad filters are 400, an unknown event or id 404)."""
ORGANISER_WRITE = problems(400, 401, 403, 404, 409, 412, 413, 422)
"""A change to an event's schedule with an organiser's token."""
ATTENDEE_READ = problems(400, 401, 404)
ATTENDEE_WRITE = problems(400, 401, 404, 409, 413, 422, 429)


def uuid_path(description: str) -> object:
    """A path parameter holding an id: a UUID (anything else is a 400 naming the parameter)."""
    return Parameter(description=description, schema_extra={"format": "uuid"})


TalkId = Annotated[str, uuid_path("A talk's id (the schedule's `talk_id`), not a slot's.")]
SlotId = Annotated[str, uuid_path("A slot's id: one occurrence of a talk (the schedule's `id`).")]
TalkIdOrCalendar = Annotated[
    str,
    Parameter(
        description="A talk's id, or the id followed by `.ics` for the talk as an iCalendar file.",
        pattern=r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}(\.ics)?$",
    ),
]
RoomId = Annotated[str, uuid_path("A room's id.")]
TrackId = Annotated[str, uuid_path("A track's id.")]
SpeakerId = Annotated[str, uuid_path("A speaker's id.")]
TakeawayId = Annotated[str, uuid_path("A takeaway's id.")]


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Say ``additionalProperties: false`` for bodies that refuse unknown fields.

    Request bodies are msgspec Structs with ``forbid_unknown_fields`` (a typo is a 422, not a
    silently ignored field); the generated schema should tell clients and fuzzers so.
    """

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(schema, Schema) and isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


class InlineEnumSchemaPlugin(OpenAPISchemaPlugin):
    """Describe each use of an enum inline, so a field's default stays with that field.

    Litestar writes enums as shared components and then sets a field's default on the shared
    schema: ``TalkCreate.kind`` defaulting to ``talk`` made the schedule's optional ``kind`` filter
    look as if it defaulted to ``talk`` too, and the docs page sent ``kind=talk`` unasked.
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.is_subclass_of(enum.Enum)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        members = list(field_definition.type_)
        return Schema(type=OpenAPIType.STRING, enum=[member.value for member in members])
