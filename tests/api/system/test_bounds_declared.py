"""Every input is bounded, so a new route gets the bounds of service/core/bounds.py by default:
every request body is a ``Body`` (control characters, integer range, years, nested paths), and the
OpenAPI document gives every integer a maximum and every string a length, pattern, format or
list of values, as clients and fuzzers read it."""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec
from litestar import Litestar
from sqlalchemy import String

from service.app import create_app
from service.attendees.models import Attendee
from service.cli import openapi_json
from service.core.bounds import Body
from service.settings import Settings

RAW_FILE_UPLOADS = {("post", "/events/{slug}/import")}
"""A whole schedule file, bounded by its size (50 MB) and parsed by its own format's reader."""


def app() -> Litestar:
    return create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", migrate_on_start=False, load_demo=False))


def test_every_request_body_is_a_bounded_body() -> None:
    bodies = []
    for route in app().routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                bodies.append((route.path, data.annotation))
    assert len(bodies) >= 14
    unbounded = [(path, kind) for path, kind in bodies if not (isinstance(kind, type) and issubclass(kind, Body))]
    assert unbounded == []


class Walk:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = spec["components"]["schemas"]
        self.unbounded: list[str] = []

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def types(self, schema: dict[str, Any]) -> set[str]:
        schema = self.resolve(schema)
        found = {schema["type"]} if isinstance(schema.get("type"), str) else set(schema.get("type", []))
        for member in schema.get("oneOf", []) + schema.get("anyOf", []):
            found |= self.types(member)
        return found

    def bounded(self, schema: dict[str, Any], keys: tuple[str, ...]) -> bool:
        schema = self.resolve(schema)
        members = [self.resolve(member) for member in schema.get("oneOf", []) + schema.get("anyOf", [])]
        return any(key in part for part in [schema, *members] for key in keys)

    def check(self, schema: dict[str, Any], where: str, seen: frozenset[str] = frozenset()) -> None:
        if "integer" in self.types(schema) and not self.bounded(schema, ("maximum", "exclusiveMaximum", "enum")):
            self.unbounded.append(f"{where}: an integer without a maximum")
        if "string" in self.types(schema) and not self.bounded(
            schema, ("maxLength", "pattern", "format", "enum", "const")
        ):
            self.unbounded.append(f"{where}: a string without a length, pattern, format or values")
        refs = [schema.get("$ref", "")] + [member.get("$ref", "") for member in schema.get("oneOf", [])]
        if any(ref in seen for ref in refs if ref):
            return
        seen = seen | {ref for ref in refs if ref}
        resolved = self.resolve(schema)
        for name, prop in resolved.get("properties", {}).items():
            self.check(prop, f"{where}.{name}", seen)
        for member in resolved.get("oneOf", []):
            if "$ref" in member:
                self.check(member, where, seen)
        if "items" in resolved:
            self.check(resolved["items"], f"{where}[]", seen)


def test_the_openapi_document_bounds_every_input() -> None:
    spec = json.loads(openapi_json())
    walk = Walk(spec)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                walk.check(parameter["schema"], f"{method.upper()} {path} {parameter['in']} {parameter['name']}")
            if (method, path) in RAW_FILE_UPLOADS:
                continue
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                walk.check(content.get("schema", {}), f"{method.upper()} {path} body ({media_type})")
    assert walk.unbounded == []


def stored_in() -> dict[type[Body], type[Any]]:
    """Each body and the model its fields are stored in, field for field by name."""
    from service.attendees.controllers import Registration
    from service.events.models import Event
    from service.events.schemas import EventCreate, EventUpdate
    from service.schedule import inputs
    from service.schedule.models import Room, Talk, Track
    from service.speakers.models import Speaker
    from service.speakers.schemas import SpeakerCreate, SpeakerUpdate

    return {
        EventCreate: Event,
        EventUpdate: Event,
        inputs.RoomCreate: Room,
        inputs.RoomUpdate: Room,
        inputs.TrackCreate: Track,
        inputs.TrackUpdate: Track,
        SpeakerCreate: Speaker,
        SpeakerUpdate: Speaker,
        inputs.TalkCreate: Talk,
        inputs.TalkUpdate: Talk,
        Registration: Attendee,
    }


def test_no_string_is_longer_than_its_column() -> None:
    """PostgreSQL refuses a value longer than a VARCHAR (SQLite stores it): a 500 the fuzzer found
    for a 300-character affiliation in a 200-character column."""
    too_long = []
    for body, model in stored_in().items():
        for field in msgspec.inspect.type_info(body).fields:
            column = model.__table__.columns.get(field.name)
            if column is None or not isinstance(column.type, String) or column.type.length is None:
                continue
            kinds = field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else (field.type,)
            for kind in kinds:
                kind = kind.type if isinstance(kind, msgspec.inspect.Metadata) else kind
                if isinstance(kind, msgspec.inspect.StrType):
                    longest = kind.max_length if kind.max_length is not None else _pattern_length(kind.pattern)
                    if longest is None or longest > column.type.length:
                        too_long.append(f"{body.__name__}.{field.name}: {longest} > {column.type.length}")
    assert too_long == []


def _pattern_length(pattern: str | None) -> int | None:
    """The longest value a slug-like pattern allows (``[a-z0-9][a-z0-9_-]{0,63}`` allows 64)."""
    if pattern is None:
        return None
    if pattern.startswith("^#"):  # a colour, #rrggbb
        return 7
    repeat = re.search(r"\]\{0,(\d+)\}", pattern)
    return 1 + int(repeat.group(1)) if repeat else None
