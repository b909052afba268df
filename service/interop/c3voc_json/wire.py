"""The C3VOC ``schedule.json`` as msgspec Structs, one per object of its JSON schema, and decoding.

The Structs mirror ``shared/formats/schema.json`` and spell their fields as the spec does
(``daysCount``, ``time_zone_name``). Decoding is lenient on purpose: real exports add fields the
schema forbids (pretalx ``answers``), so unknown fields are ignored instead of refused. Each
room's event list stays raw here and is decoded on its own (``EVENTS_DECODER``), so an error
inside it can name the room (``$.schedule.conference.days[2].rooms["Ada"][5].date``); msgspec
itself would write ``[...]`` for a dictionary key.

Before decoding: files over 50 MiB are refused; the bytes must be UTF-8 (a leading byte-order mark
is skipped), nest at most ``IMPORT_MAX_DEPTH`` levels and be valid JSON; a syntax error is
reported at ``$`` with its byte offset, a value of the wrong type at its own path.
"""

from __future__ import annotations

import codecs
import datetime
import re
from typing import Any

import msgspec

from service.core.bounds import json_too_deep
from service.interop.model import ScheduleFormatError

MAX_BYTES = 50 * 1024 * 1024
IMPORT_MAX_DEPTH = 64
"""Real schedules nest about 11 levels deep; far deeper is no schedule, and would exhaust the decoder."""
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"

_AT = re.compile(r"(?P<message>.*) - at `\$(?P<path>.*)`", re.DOTALL)


class Reference(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A link or attachment."""

    url: str | None = None
    title: str | None = None
    type: str | None = None


class Person(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A frab person (``id``, ``public_name``) or a pretalx person (``code``, ``name``, ``biography``)."""

    id: int | str | None = None
    code: str | None = None
    guid: str | None = None
    name: str | None = None
    public_name: str | None = None
    full_public_name: str | None = None
    biography: str | None = None


class Event(msgspec.Struct, kw_only=True):
    """One event (talk slot). ``logo``, ``recording_license``, ``do_not_record`` and ``attachments``
    take any value on import because they are ignored there."""

    guid: str | None = None
    id: int | str | None = None
    logo: Any = None
    date: datetime.datetime | None = None
    start: str | None = None
    duration: str | None = None
    room: str | None = None
    slug: str | None = None
    url: str | None = None
    title: str
    subtitle: str | None = None
    track: str | None = None
    type: str | None = None
    language: str | None = None
    abstract: str | None = None
    description: str | None = None
    recording_license: Any = None
    do_not_record: Any = None
    persons: list[Person | str] = []
    links: list[Reference | str] = []
    attachments: Any = None


class Day(msgspec.Struct, kw_only=True):
    """One conference day. ``rooms`` maps a room name to its event list, kept raw so that each list
    is decoded on its own and its errors can name the room."""

    index: int | None = None
    date: datetime.date
    day_start: datetime.datetime | None = None
    day_end: datetime.datetime | None = None
    rooms: dict[str, msgspec.Raw] = {}


class Track(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: str | None = None
    slug: str | None = None
    color: str | None = None


class Conference(msgspec.Struct, kw_only=True, omit_defaults=True):
    acronym: str
    title: str
    start: str | None = None
    end: str | None = None
    daysCount: int | None = None
    timeslot_duration: str | None = None
    time_zone_name: str | None = None
    url: str | None = None
    tracks: list[Track] = []
    days: list[Day]


class C3vocSchedule(msgspec.Struct, kw_only=True):
    version: str = ""
    conference: Conference


class C3vocDocument(msgspec.Struct, kw_only=True, omit_defaults=True):
    schema: str | None = msgspec.field(default=None, name="$schema")
    schedule: C3vocSchedule


DOCUMENT_DECODER = msgspec.json.Decoder(C3vocDocument)
EVENTS_DECODER = msgspec.json.Decoder(list[Event])
ENCODER = msgspec.json.Encoder()


def decode(data: bytes) -> C3vocDocument:
    """The file as a ``C3vocDocument`` (room event lists still raw), or the error saying where and why."""
    if len(data) > MAX_BYTES:
        raise ScheduleFormatError("$", f"the file has {len(data)} bytes; the limit is {MAX_BYTES} (50 MiB)")
    data = bytes(data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScheduleFormatError("$", f"not UTF-8: invalid byte at offset {exc.start}") from exc
    if json_too_deep(data, IMPORT_MAX_DEPTH):  # the decoder would recurse until Python stops it
        raise ScheduleFormatError("$", f"arrays and objects nest more than {IMPORT_MAX_DEPTH} levels deep")
    try:
        return DOCUMENT_DECODER.decode(data)
    except msgspec.ValidationError as exc:
        raise located("$", exc) from exc
    except msgspec.DecodeError as exc:
        raise ScheduleFormatError("$", f"not valid JSON: {exc}") from exc


def located(prefix: str, exc: msgspec.ValidationError) -> ScheduleFormatError:
    """msgspec's ``... - at `$[5].date``` as an error at ``prefix[5].date``."""
    text = str(exc)
    found = _AT.fullmatch(text)
    if found is None:
        return ScheduleFormatError(prefix, text)
    return ScheduleFormatError(prefix + found["path"], found["message"])
