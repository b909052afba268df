"""The format-neutral schedule that importers produce and exporters consume.

Parsers (``frab_xml.parse``, ``c3voc_json.parse``) turn a file into a ``ScheduleDocument``;
renderers turn one back into bytes. The importer applies a document to the database; the
exporters build one from it. Everything here is plain data: no database, no HTTP. The rules the
two formats share (GUIDs, kinds, clocks) are in ``common``.
"""

from __future__ import annotations

import datetime

import msgspec


class ImportWarning(msgspec.Struct, frozen=True):
    """Something a careful human would want to know about the file, with where it was found."""

    where: str
    """An XML line (``line 1234``) or a JSON path (``$.schedule.conference.days[0]...``)."""
    message: str


class DocPerson(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    guid: str | None = None
    """The source's stable person id (frab ``person/@guid`` or ``@id``), when it has one."""
    biography: str = ""
    role: str = "speaker"
    """``speaker``, ``host``, ``guest`` or ``moderator``."""


class DocLink(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    url: str


class DocTalk(msgspec.Struct, frozen=True, kw_only=True):
    """One ``<event>`` of a frab file or one event object of a C3VOC file: one slot of one talk."""

    guid: str
    """Stable identity across re-imports, as UUID text. A file without GUIDs, or with GUIDs that are
    not UUIDs, gets deterministic ones (``common``); a file that repeats a GUID gets a derived one
    for the repeats, with a warning."""
    title: str
    start: datetime.datetime
    """Aware. Files that give only local wall time are read in the event's zone."""
    duration: datetime.timedelta
    room: str
    """Room name as the file spells it."""
    subtitle: str = ""
    abstract: str = ""
    description: str = ""
    kind: str = "talk"
    """Our kind (talk, keynote, panel, workshop, conversation, lightning, break, social, other),
    mapped from the file's ``type``; unknown types become ``talk`` (or ``other``) with a warning."""
    source_type: str = ""
    """The file's own ``type`` text, kept so an export can write it back."""
    language: str = ""
    track: str | None = None
    persons: tuple[DocPerson, ...] = ()
    links: tuple[DocLink, ...] = ()
    url: str = ""
    recording_url: str = ""
    slug: str = ""
    source_id: str = ""
    """The file's numeric/opaque ``id`` (frab ``event/@id``), kept for exports."""
    cancelled: bool = False
    """No classic format has a cancellation flag; set only on an explicit marker (see the parser)."""


class DocTrack(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    color: str = ""
    """``#rrggbb`` or empty."""


class ScheduleDocument(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    acronym: str
    """Short name; also the event slug when importing into a new event."""
    timezone: str | None
    """IANA zone, or None when the file does not say (the caller then supplies one)."""
    start_date: datetime.date
    end_date: datetime.date
    day_change: datetime.time = datetime.time(0, 0)
    venue: str = ""
    city: str = ""
    url: str = ""
    version: str = ""
    rooms: tuple[str, ...] = ()
    """Room names in the file's order."""
    tracks: tuple[DocTrack, ...] = ()
    talks: tuple[DocTalk, ...] = ()
    warnings: tuple[ImportWarning, ...] = ()


class ScheduleFormatError(ValueError):
    """The file cannot be read as that format: says where (line or JSON path) and why."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message
