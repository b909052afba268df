"""What frab XML and C3VOC JSON share: one rule for each thing both formats spell the same way.

The two formats are one data model written twice (frab wrote both), so a talk must read and write
the same whichever file it travels in: the same clock and duration syntax, the same fixed zone for
bare UTC offsets, the same derived GUIDs and event ids, the same kind for a ``type`` text, the same
days and timeslot on export. Each rule lives here once; the format packages only add what their
own schema demands (XML slugs, JSON person shapes) and their own warning texts.

Where the two modules used to disagree, the rule kept is the one both schemas accept and the
real files expect:

- Offset 0 is ``Etc/UTC``: the JSON schema's ``time_zone_name`` pattern accepts it (``Etc/GMT``
  fails it, so a JSON export dropped the zone), and calendars write it as UTC without a VTIMEZONE.
- Event ids absent from the source are derived from the GUID, not numbered by position: apps
  older than GUIDs key a talk (favourites, alarms) by ``id``, so adding one talk must not renumber
  the rest. Both schemas want a positive, unique integer; apps store it in 32 bits.
- An event GUID that is not a UUID is replaced by ``uuid5(GUID_NAMESPACE, text)`` on import as on
  export (both schemas type ``guid`` as a UUID), so a re-import of our own export matches.
- The default timeslot (a schedule without talks) is 15 minutes, the frab grid the real files use;
  the timeslot is counted in the zone's wall clock and divides an hour.
- Acronyms are folded to the JSON schema's pattern, which also satisfies the XSD's looser one;
  title words in a derived slug fold ``ß`` to ``ss`` and stop at 48 characters in both.
- An export lists every day from the first to the last without gaps, as frab does, so a day's
  ``index`` is its place in the conference; only a span past a year falls back to the days that
  have talks. Repeated GUIDs are made unique in both exports (the XSD requires it).
- A clock may carry seconds (``10:00:30``) in both; an unknown ``default_timezone`` is a
  ``ScheduleFormatError`` at ``default_timezone`` in both; a title that is only the cancellation
  prefix keeps its text in both.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from service.core.time import UnknownTimeZoneError, schedule_day, zone
from service.interop.model import DocTalk, ScheduleDocument, ScheduleFormatError

GUID_NAMESPACE = uuid.UUID("faf78600-290f-4a03-9361-45fe31bc6e6b")
"""Namespace of every GUID a parser or renderer derives, shared by both formats, so the same talk
without a GUID gets the same derived GUID from frab XML and from C3VOC JSON (fixed forever:
changing it re-keys every import)."""

DEFAULT_DURATION = datetime.timedelta(minutes=30)
"""Used for an event whose duration is missing or unreadable."""
DEFAULT_TIMESLOT_MINUTES = 15
MAX_EVENT_ID = 2**31 - 1
"""Event ids stay in 32-bit signed range, which schedule apps store them in."""

CANCELLED_PREFIX = re.compile(r"(?:(?:CANCELLED|CANCELED)[\s:]|(?i:cancell?ed)\s*:)\s*[:\-\u2013\u2014]*\s*")
"""No classic format flags a cancellation; real files prefix the title. Capitals, or any case
followed by a colon, so "Cancelled culture and its critics" stays a title."""

_CLOCK = re.compile(r"(\d{1,2}):([0-5]\d)(?::([0-5]\d))?")
_DURATION = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?")
_SANE_DAYS = 366
"""The longest span of days an export writes in full."""
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""A UUID as ``str(uuid.UUID(...))`` writes it, which needs no parsing to be known as one."""
_ACRONYM = re.compile(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?")
"""The JSON schema's acronym pattern; whatever fits it fits the XSD's ``[a-z0-9_-]{4,}`` too."""

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lightning", re.compile(r"lightning")),
    ("keynote", re.compile(r"keynote")),
    ("break", re.compile(r"\bbreak\b|pause|lunch|coffee")),
    ("panel", re.compile(r"panel|podium")),
    ("workshop", re.compile(r"workshop|hands-on|tutorial")),
    ("social", re.compile(r"meetup|social|\bparty\b|concert")),
    ("conversation", re.compile(r"\bbof\b|discussion|conversation|meeting")),
    ("talk", re.compile(r"lecture|talk|vortrag|presentation|devroom|maintrack")),
)


# --- clock, duration, date


def parse_clock(text: str) -> datetime.time | None:
    """``H:MM`` or ``H:MM:SS`` as a time of day; None for anything else."""
    found = _CLOCK.fullmatch(text.strip())
    if found is None or int(found[1]) > 23:
        return None
    return datetime.time(int(found[1]), int(found[2]), int(found[3] or 0))


def parse_duration(text: str) -> datetime.timedelta | None:
    """``H:MM`` or ``H:MM:SS`` (hours up to 999) as a duration; None for anything else."""
    found = _DURATION.fullmatch(text.strip())
    if found is None:
        return None
    return datetime.timedelta(hours=int(found[1]), minutes=int(found[2]), seconds=int(found[3] or 0))


def parse_date(text: str) -> datetime.date | None:
    """The date part of an ISO date or date-time; None when it is not one."""
    try:
        return datetime.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


# --- zones


def default_zone(name: str | None) -> ZoneInfo | None:
    """The caller's zone for files that name none; an unknown name is the caller's error."""
    if name is None:
        return None
    try:
        return zone(name)
    except UnknownTimeZoneError as exc:
        raise ScheduleFormatError("default_timezone", str(exc)) from exc


def fixed_offset_zone(offsets: Iterable[datetime.timedelta | None]) -> tuple[str, datetime.timedelta] | None:
    """The fixed zone for a file whose dated events all share one whole-hour UTC offset.

    Dates without an offset say nothing about the zone and are left out. ``Etc/GMT±N`` uses POSIX
    signs (``Etc/GMT-1`` is UTC+1); offset 0 is ``Etc/UTC``. None when the offsets differ, are
    missing, or have no such zone (half hours, beyond -12/+14).
    """
    found = {offset for offset in offsets if offset is not None}
    if len(found) != 1:
        return None
    (offset,) = found
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest or not -12 <= hours <= 14:
        return None
    return ("Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"), offset


def offset_text(offset: datetime.timedelta) -> str:
    """``+01:00``, ``-05:30``: an offset as ISO 8601 writes it."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- GUIDs and ids


def canonical_guid(text: str) -> str:
    """Lower-case UUID text when ``text`` is a UUID, else ``text`` as given (person ids)."""
    if _CANONICAL_UUID.fullmatch(text):
        return text  # already what str(UUID(text)) gives: most files' GUIDs, and every export's
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def is_uuid(text: str) -> bool:
    if _CANONICAL_UUID.fullmatch(text):
        return True
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def derived_guid(key: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, key))


def event_guid(text: str) -> str:
    """An event GUID as both schemas type it: the UUID itself, else one derived from the text."""
    return canonical_guid(text) if is_uuid(text) else derived_guid(text)


def repeat_guid(guid: str, room: str, start: datetime.datetime, used: set[str]) -> str:
    """A GUID for a repeat of ``guid`` (a talk's second slot): derived from where and when it is,
    then numbered from 2 in the rare case that is taken too."""
    base = f"{guid}/{room}/{start.isoformat()}"
    derived, number = derived_guid(base), 1
    while derived in used:
        number += 1
        derived = derived_guid(f"{base}/{number}")
    return derived


def export_guids(talks: Sequence[DocTalk]) -> list[str]:
    """One unique UUID per talk: its own GUID, or one derived from it (see ``event_guid``, ``repeat_guid``)."""
    guids: list[str] = []
    used: set[str] = set()
    for talk in talks:
        guid = event_guid(talk.guid)
        if guid in used:
            guid = repeat_guid(guid, talk.room, talk.start, used)
        used.add(guid)
        guids.append(guid)
    return guids


def export_ids(talks: Sequence[DocTalk], guids: Sequence[str]) -> list[int]:
    """One unique positive 32-bit id per talk: its source id when that is one and unused, else
    one derived from its GUID (stable across exports), moved to the next free number on a clash."""
    ids: list[int | None] = [None] * len(talks)
    used: set[int] = set()
    for index, talk in enumerate(talks):
        if talk.source_id.isascii() and talk.source_id.isdigit():
            number = int(talk.source_id)
            if 1 <= number <= MAX_EVENT_ID and number not in used:
                ids[index] = number
                used.add(number)
    for index, guid in enumerate(guids):
        if ids[index] is None:
            number = uuid.UUID(guid).int % MAX_EVENT_ID + 1
            while number in used:
                number = number % MAX_EVENT_ID + 1
            ids[index] = number
            used.add(number)
    return [number for number in ids if number is not None]


# --- titles, kinds, names


def split_cancelled(title: str) -> tuple[str, str | None]:
    """The title without a cancellation prefix, and the prefix found (None when there is none)."""
    found = CANCELLED_PREFIX.match(title)
    if found is None:
        return title, None
    return title[found.end() :].strip() or title, found[0].strip()


def export_title(talk: DocTalk) -> str:
    """The title as written: a cancelled talk gets the prefix ``split_cancelled`` reads back."""
    return f"CANCELLED {talk.title}" if talk.cancelled else talk.title


def kind_of(type_text: str) -> str | None:
    """Our kind for a file's ``type``, or None when the text is not recognised; one mapping for
    both formats, so a talk's kind does not depend on which file it came from."""
    lowered = type_text.strip().lower()
    if lowered == "other":
        return "other"
    for kind, pattern in _KINDS:
        if pattern.search(lowered):
            return kind
    return None


def type_text(talk: DocTalk) -> str:
    """The ``type`` to write: the file's own text while it still maps to the talk's kind."""
    if talk.source_type and (kind_of(talk.source_type) or "talk") == talk.kind:
        return talk.source_type
    return talk.kind


def hex_color(text: str) -> str:
    """``#rrggbb`` in lower case, or empty when ``text`` is not such a colour."""
    text = text.strip()
    return text.lower() if _HEX_COLOR.fullmatch(text) else ""


def ascii_words(text: str, limit: int | None = 48) -> str:
    """``text`` as lower-case ASCII words joined by ``_`` (``Spaß!`` -> ``spass``), for slugs; at
    most ``limit`` characters (48 keeps a slug with its acronym and id near 64)."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")[:limit].strip("_")


def schema_acronym(acronym: str) -> str:
    """The acronym as both schemas accept it: kept when it fits, else folded (``FOSDEM 2023`` ->
    ``fosdem_2023``) and padded with ``_`` to four characters."""
    if _ACRONYM.fullmatch(acronym):
        return acronym
    return (ascii_words(acronym, limit=None) or "schedule").ljust(4, "_")


# --- days and grid of an export


def export_days(doc: ScheduleDocument, tz: ZoneInfo) -> tuple[list[datetime.date], list[datetime.date]]:
    """The days to write, in order, and each talk's day (by the document's day change).

    Every date from the first day (start date or earliest talk) to the last, as frab writes them,
    so that a day's ``index`` stays its place in the conference. Past a year that is no conference
    (a talk misdated by decades): then the start-to-end days, when those are sane, and the days
    that have talks, rather than tens of thousands of empty ones.
    """
    day_of = [schedule_day(talk.start, tz, doc.day_change) for talk in doc.talks]
    first, last = min([doc.start_date, *day_of]), max([doc.end_date, *day_of])
    if 0 <= (last - first).days <= _SANE_DAYS:
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)], day_of
    dates = set(day_of)
    span = (doc.end_date - doc.start_date).days
    if 0 <= span <= _SANE_DAYS:
        dates.update(doc.start_date + datetime.timedelta(days=n) for n in range(span + 1))
    return sorted(dates or {doc.start_date}), day_of


def export_rooms(doc: ScheduleDocument) -> list[str]:
    """The document's rooms in its order, then any room only a talk names."""
    return list(dict.fromkeys([*doc.rooms, *(talk.room for talk in doc.talks)]))


def timeslot(talks: Iterable[DocTalk], tz: ZoneInfo) -> str:
    """``HH:MM``: the largest step dividing an hour that every local start and duration sits on."""
    step = 0
    for talk in talks:
        local = talk.start.astimezone(tz)
        step = math.gcd(step, local.hour * 60 + local.minute, round(talk.duration.total_seconds() / 60))
    minutes = math.gcd(step, 60) if step else DEFAULT_TIMESLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
