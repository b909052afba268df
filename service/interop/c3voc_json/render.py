"""A ScheduleDocument as a classic C3VOC ``schedule.json`` that validates against ``schema.json``.

Pure: no database, no HTTP. The schema is stricter than what frab and pretalx write (patterns for
acronym, slug and ``time_zone_name``, a required URI ``url``, a person that is either a frab or a
pretalx person), and C3VOC's tools check files against it, so whatever the document holds is made
to fit:

- Events are grouped into days by the document's ``day_change`` in its zone
  (``common.export_days``); each day lists every room, in the document's order, with its events by
  start time. ``date`` is written with the zone's offset; ``start`` is local ``HH:MM``;
  ``duration`` is ``HH:MM`` (rounded to the minute).
- ``time_zone_name`` is written only when it fits the schema's pattern (``Etc/GMT-1`` does not; the
  offsets in every ``date`` then carry it, and ``parse`` infers it back). A document without a
  zone is written in UTC.
- GUIDs, integer ids and the acronym follow the rules shared with frab XML
  (``common.export_guids``, ``export_ids``, ``schema_acronym``). A talk's slug is kept when,
  lower-cased, it fits ``^[a-z0-9_-]+[a-z0-9]$`` and is unused, else it becomes
  ``{acronym}-{id}-{title words}``.
- Persons are written as pretalx persons (``name``, ``public_name``, ``guid`` when a UUID, else
  ``code`` when it fits ``^[A-Z0-9]+$``, ``biography``), never with the integer ``id`` of a frab
  person, because the schema requires a person to be exactly one of the two.
- A talk without a URL gets ``urn:uuid:<guid>`` (``url`` is required and must be a URI). A cancelled
  talk's title gets a "CANCELLED " prefix, so ``parse`` marks it cancelled again. The ``type`` is
  the talk's ``source_type`` when that maps back to its kind, else the kind's own name.
"""

from __future__ import annotations

import datetime
import functools
import re
from zoneinfo import ZoneInfo

import msgspec

from service.core.time import day_bounds, zone
from service.interop.c3voc_json.wire import (
    ENCODER,
    SCHEMA_URL,
    C3vocDocument,
    C3vocSchedule,
    Conference,
    Day,
    Event,
    Person,
    Reference,
    Track,
)
from service.interop.common import (
    ascii_words,
    canonical_guid,
    export_days,
    export_guids,
    export_ids,
    export_rooms,
    export_title,
    is_uuid,
    schema_acronym,
    timeslot,
    type_text,
)
from service.interop.model import DocPerson, DocTalk, ScheduleDocument

_SLUG = re.compile(r"[a-z0-9_-]+[a-z0-9]")
_TIME_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
"""The schema's pattern, unanchored as written: JSON Schema applies it with search semantics."""
_PERSON_CODE = re.compile(r"[A-Z0-9]+")


def render(doc: ScheduleDocument) -> bytes:
    """``doc`` as a ``schedule.json`` that validates against the C3VOC schema (rules in the module docstring)."""
    tz = zone(doc.timezone) if doc.timezone else zone("UTC")
    acronym = schema_acronym(doc.acronym)
    talks = doc.talks
    guids = export_guids(talks)
    ids = export_ids(talks, guids)
    slugs = _event_slugs(talks, ids, acronym)
    dates, day_of = export_days(doc, tz)
    room_names = export_rooms(doc)
    # Each (day, room)'s talks by start, in the document's order for equal starts.
    cells: dict[tuple[datetime.date, str], list[int]] = {}
    for index in sorted(range(len(talks)), key=lambda index: talks[index].start):
        cells.setdefault((day_of[index], talks[index].room), []).append(index)

    days = []
    for number, date in enumerate(dates, start=1):
        day_start, day_end = day_bounds(date, tz, doc.day_change)
        rooms = {}
        for room in room_names:
            # Encoded cell by cell, so that the Structs of one room are all that is alive at once.
            events = [_event(talks[i], guids[i], ids[i], slugs[i], tz) for i in cells.get((date, room), ())]
            rooms[room] = msgspec.Raw(ENCODER.encode(events))
        days.append(Day(index=number, date=date, day_start=day_start, day_end=day_end, rooms=rooms))

    conference = Conference(
        acronym=acronym,
        title=doc.title,
        start=doc.start_date.isoformat(),
        end=doc.end_date.isoformat(),
        daysCount=len(days),
        timeslot_duration=timeslot(talks, tz),
        time_zone_name=doc.timezone if doc.timezone and _TIME_ZONE_NAME.search(doc.timezone) else None,
        url=doc.url or None,
        tracks=[Track(name=track.name, color=track.color or None) for track in doc.tracks],
        days=days,
    )
    document = C3vocDocument(schema=SCHEMA_URL, schedule=C3vocSchedule(version=doc.version, conference=conference))
    return ENCODER.encode(document)


def _event(talk: DocTalk, guid: str, event_id: int, slug: str, tz: ZoneInfo) -> Event:
    local = talk.start.astimezone(tz)
    return Event(
        guid=guid,
        id=event_id,
        logo=None,
        date=local,
        start=f"{local.hour:02d}:{local.minute:02d}",
        duration=_hh_mm(talk.duration),
        room=talk.room,
        slug=slug,
        url=talk.url or f"urn:uuid:{guid}",
        title=export_title(talk),
        subtitle=talk.subtitle,
        track=talk.track,
        type=type_text(talk),
        language=talk.language,
        abstract=talk.abstract,
        description=talk.description,
        recording_license="",
        do_not_record=None,
        persons=[_person(person) for person in talk.persons],
        links=[Reference(url=link.url, title=link.title or None) for link in talk.links],
        attachments=[],
    )


def _person(person: DocPerson) -> Person:
    guid = code = None
    if person.guid and is_uuid(person.guid):
        guid = canonical_guid(person.guid)
    elif person.guid and _PERSON_CODE.fullmatch(person.guid):
        code = person.guid
    return Person(
        code=code,
        guid=guid,
        name=person.name,
        public_name=person.name,
        biography=person.biography or None,
    )


@functools.lru_cache(maxsize=256)  # a schedule has a handful of lengths: each is formatted once
def _hh_mm(duration: datetime.timedelta) -> str:
    """Rounded to the minute: the schema's duration has no seconds."""
    minutes = max(0, round(duration.total_seconds() / 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _event_slugs(talks: tuple[DocTalk, ...], ids: list[int], acronym: str) -> list[str]:
    slugs: list[str | None] = [None] * len(talks)
    used: set[str] = set()
    for index, talk in enumerate(talks):
        slug = talk.slug.lower()
        if _SLUG.fullmatch(slug) and slug not in used:
            slugs[index] = slug
            used.add(slug)
    for index, talk in enumerate(talks):
        if slugs[index] is None:
            words = ascii_words(talk.title)
            base = f"{acronym}-{ids[index]}" + (f"-{words}" if words else "")
            slug, attempt = base, 1
            while slug in used:
                attempt += 1
                slug = f"{base}-{attempt}"
            slugs[index] = slug
            used.add(slug)
    return [slug for slug in slugs if slug is not None]
