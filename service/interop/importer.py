"""Apply an imported schedule to an event: update by GUID, never duplicate, log what changed.

Rules, so an organiser can predict the result:
- A slot's identity is the file's GUID. Re-importing the same file changes nothing; an updated
  file moves, retitles, re-speakers or cancels the slots it names.
- Slots of the event that the file no longer has are cancelled (``vanished="cancel"``, the
  default, so calendars can tell subscribers) or deleted (``vanished="delete"``). The report says
  which.
- Rooms and tracks are matched by name, created when new. Speakers are matched by name among the
  event's speakers, created when new.
- Conflicts are not checked: published schedules are what they are; the import reports, never
  refuses, what the organiser already decided.
- One import is one schedule version and one transaction: a file that fails leaves nothing.
- Every change is made with the organiser's own verbs (service/schedule/editing/), so the change
  log reads as if an organiser had made each change through the API: the same kinds, rooms named
  by slug, speakers by id.

The event's own fields (``fill_event``, the same for ``POST /events/{slug}/import`` and
``plenary import``): an import fills what the event lacks and never overwrites what an organiser
set. On an event the import creates (the command line's ``--event NEW``) that is everything the
file says: title, time zone, first and last day, day change, venue, city and website. On an
existing event those are already set, except venue, city and website when empty, which the file
fills. The time zone follows the same rule, where a fixed-offset zone (``Etc/GMT-1``, ``Etc/UTC``)
counts as lacking one: it is what a parser assumes from bare UTC offsets, not anyone's choice, so a
place's zone (given with the import or named by the file) replaces it. When the zone in use is such a fixed
offset that nobody gave, the report warns which it is and how to set the right one; a file whose
zone differs from the event's is read as instants and the event's zone is kept, with a warning.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
import uuid
from typing import Literal, NamedTuple, cast

import msgspec
from sqlalchemy import Table, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.core.errors import InvalidFieldError
from service.core.time import schedule_day, zone
from service.events.models import Event
from service.interop.model import DocTalk, ImportWarning, ScheduleDocument
from service.schedule.editing.writer import NewTalk
from service.schedule.inputs import SpeakerPart
from service.schedule.models import Room, Slot, SlotStatus, SpeakerRole, Talk, TalkKind, TalkSpeaker, Track
from service.speakers.editing import SpeakerEditor
from service.speakers.models import Speaker

TRACK_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
Vanished = Literal["cancel", "delete"]
ONE_DAY = datetime.timedelta(days=1)
ASSUMED_ZONE = re.compile(r"Etc/(?:UTC|GMT(?:[+-]\d{1,2})?)")
"""The fixed-offset zones a parser assumes for a file that gives UTC offsets and no zone name."""
_LOAD_CHUNK = 1000
"""Talks whose slots are loaded per query, within every database's limit of bound parameters."""


def log_import(event_slug: str, report: ImportReport) -> None:
    """One log line per committed import, written where the request's log context lives."""
    counts = {name: getattr(report, name) for name in ("created", "updated", "unchanged", "cancelled", "deleted")}
    logger.info(
        "schedule import",
        extra={
            "event": event_slug,
            "format": report.format,
            "talks_in_file": report.talks_in_file,
            "counts": counts,  # nested: "created" would clash with the log record's own field
            "warnings": len(report.warnings),
            "version": report.version,
        },
    )


logger = logging.getLogger("plenary.import")


class ImportReport(msgspec.Struct, kw_only=True):
    format: str
    version: int
    """The schedule version after the import."""
    talks_in_file: int
    created: int
    updated: int
    unchanged: int
    cancelled: int
    """Slots the file no longer has, kept and marked cancelled (``vanished=cancel``)."""
    deleted: int
    """Slots the file no longer has, removed (``vanished=delete``)."""
    rooms_created: int
    speakers_created: int
    warnings: list[ImportWarning]


def slot_key(guid: str | None, slot_id: uuid.UUID) -> str:
    """How an import finds a slot again: the GUID it came with, or the id exports wrote for it."""
    return guid or str(slot_id)


def slugify(name: str, taken: set[str]) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:90] or "room"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


class StoredSlot(NamedTuple):
    """A slot of the event as the import compares it with the file: ids, and what the verbs compare."""

    slot_id: uuid.UUID
    talk_id: uuid.UUID
    status: SlotStatus
    state: tuple[object, ...]
    """What ``_wanted`` gives for a file's talk that matches it."""


class ScheduleImporter:
    def __init__(self, session: AsyncSession, event: Event) -> None:
        self.session = session
        self.event = event
        self.editor = SpeakerEditor(session, event)
        """Every verb an organiser has: talks and slots, rooms and tracks, speakers."""

    async def apply(
        self,
        doc: ScheduleDocument,
        fmt: str,
        vanished: Vanished = "cancel",
        *,
        timezone: str | None = None,
        zone_option: str = "?timezone=ZONE",
        log_as_rows: bool = False,
    ) -> ImportReport:
        """Apply ``doc``; an event not yet in the session is created from it (see ``fill_event``).

        ``timezone`` is the zone the import was given, ``zone_option`` how its caller gives one;
        ``log_as_rows`` is ``add_talks``'s (the caller knows that no webhook hears of the event).

        The slots the file names are first compared with what is stored, as plain rows: a talk
        whose every slot is as the file says is left alone, so a re-import loads no ORM object for
        it. New talks go in with one batch verb (``add_talks``); the others, and vanished slots
        that change, are loaded and changed one by one with the organiser's verbs, in file order.
        """
        filled = fill_event(self.event, doc, timezone=timezone, zone_option=zone_option)
        if inspect(self.event).transient:
            self.session.add(self.event)
            await self.session.flush()
        elif filled.fields:
            self.editor.touch()
        self._check_dates(doc)
        warnings = [*doc.warnings, *filled.warnings]
        rooms, rooms_created = await self._rooms(doc)
        tracks = await self._tracks(doc)
        speakers, speakers_created = await self._speakers(doc)
        stored = await self._stored()
        counts = {"created": 0, "updated": 0, "unchanged": 0, "cancelled": 0, "deleted": 0}
        new: list[NewTalk] = []
        matched: list[tuple[DocTalk, StoredSlot]] = []
        differing: set[uuid.UUID] = set()
        for item in doc.talks:
            found = stored.pop(item.guid, None)
            if found is None:
                new.append(self._new_talk(item, rooms, tracks, speakers))
            else:
                matched.append((item, found))
                if found.state != self._wanted(item, rooms, tracks, speakers):
                    differing.add(found.talk_id)
        # Every slot of a talk that changes goes through the verbs, in file order, so two slots of
        # one talk that disagree change it as often as they would one by one.
        changing = [(item, found) for item, found in matched if found.talk_id in differing]
        vanishing = [slot for slot in stored.values() if vanished == "delete" or slot.status != SlotStatus.CANCELLED]
        await self.editor.add_talks(new, log_as_rows=log_as_rows)
        counts["created"] = len(new)
        counts["unchanged"] = len(matched) - len(changing)
        slots = await self._load({found.talk_id for found in [*(found for _, found in changing), *vanishing]})
        for item, found in changing:
            if await self._update(slots[found.slot_id], item, rooms, tracks, speakers):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        for found in vanishing:
            slot = slots[found.slot_id]
            if vanished == "delete":
                await self.editor.remove_slot(slot.talk, slot)
                counts["deleted"] += 1
            elif self.editor.cancel_slot(slot.talk, slot):
                counts["cancelled"] += 1
        await self.session.flush()
        return ImportReport(
            format=fmt,
            version=self.event.schedule_version,
            talks_in_file=len(doc.talks),
            rooms_created=rooms_created,
            speakers_created=speakers_created,
            warnings=warnings,
            **counts,
        )

    def _check_dates(self, doc: ScheduleDocument) -> None:
        """Refuse talks far outside the event's days: a wrong year or zone, not a late party.

        One day of slack either side leaves room for files whose days run past midnight.
        """
        tz, first, last = zone(self.event.timezone), self.event.start_date, self.event.end_date
        for n, item in enumerate(doc.talks):
            day = schedule_day(item.start, tz, self.event.day_change)
            if not first - ONE_DAY <= day <= last + ONE_DAY:
                raise InvalidFieldError(
                    f"talk {n + 1} ('{item.title}', GUID {item.guid}) is on {day.isoformat()}, outside the event "
                    f"({first.isoformat()} to {last.isoformat()}): fix the event's dates or the file.",
                    field=f"talks[{n}]",
                )

    # -- the frame: rooms, tracks, speakers ------------------------------------------------------

    async def _rooms(self, doc: ScheduleDocument) -> tuple[dict[str, Room], int]:
        rooms = {r.name: r for r in (await self.session.scalars(select(Room).where(Room.event_id == self.event.id)))}
        taken = {room.slug for room in rooms.values()}
        names = list(dict.fromkeys([*doc.rooms, *(t.room for t in doc.talks if t.room)]))
        created = 0
        for position, name in enumerate(names):
            room = rooms.get(name)
            if room is None:
                rooms[name] = self.editor.add_room(slugify(name, taken), name, position)
                created += 1
            else:
                self.editor.update(room, {"position": position})
        return rooms, created

    async def _tracks(self, doc: ScheduleDocument) -> dict[str, Track]:
        tracks = {t.name: t for t in (await self.session.scalars(select(Track).where(Track.event_id == self.event.id)))}
        taken = {track.slug for track in tracks.values()}
        colours = {t.name: t.color for t in doc.tracks if t.color}
        for name in dict.fromkeys([*(t.name for t in doc.tracks), *(t.track for t in doc.talks if t.track)]):
            if name not in tracks:
                colour = colours.get(name) or TRACK_COLOURS[len(tracks) % len(TRACK_COLOURS)]
                tracks[name] = self.editor.add_track(slugify(name, taken), name, colour)
        return tracks

    async def _speakers(self, doc: ScheduleDocument) -> tuple[dict[str, uuid.UUID], int]:
        """The event's speakers by name (ids only: a talk's speakers are given by id), new ones added."""
        known = await self.session.execute(
            select(Speaker.id, Speaker.name)
            .join(TalkSpeaker, TalkSpeaker.speaker_id == Speaker.id)
            .join(Talk, Talk.id == TalkSpeaker.talk_id)
            .where(Talk.event_id == self.event.id)
        )
        speakers: dict[str, uuid.UUID] = {}
        linked: set[uuid.UUID] = set()
        for speaker_id, name in known:  # a speaker of several talks comes once per talk: count the first
            if speaker_id not in linked:
                linked.add(speaker_id)
                speakers[name] = speaker_id
        new: list[dict[str, object]] = []
        for talk in doc.talks:
            for person in talk.persons:
                if person.name not in speakers:
                    speakers[person.name] = speaker_id = uuid.uuid4()
                    new.append({"id": speaker_id, "name": person.name, "bio": person.biography, "links": []})
        if new:
            # The rows SpeakerEditor.add_speaker would add, as one multi-row INSERT.
            await self.session.execute(insert(cast("Table", Speaker.__table__)), new)
        return speakers, len(new)

    async def _stored(self) -> dict[str, StoredSlot]:
        """The event's slots by the key a file names them with, compared as rows (no ORM objects)."""
        talk_speakers: dict[uuid.UUID, list[tuple[uuid.UUID, SpeakerRole]]] = {}
        links = await self.session.execute(
            select(TalkSpeaker.talk_id, TalkSpeaker.speaker_id, TalkSpeaker.role)
            .join(Talk, Talk.id == TalkSpeaker.talk_id)
            .where(Talk.event_id == self.event.id)
            .order_by(TalkSpeaker.position)
        )
        for talk_id, speaker_id, role in links:
            talk_speakers.setdefault(talk_id, []).append((speaker_id, role))
        rows = await self.session.execute(
            select(
                Slot.id,
                Slot.guid,
                Slot.talk_id,
                Slot.status,
                Slot.start_at,
                Slot.end_at,
                Slot.room_id,
                Talk.title,
                Talk.subtitle,
                Talk.abstract,
                Talk.kind,
                Talk.language,
                Talk.track_id,
                Talk.url,
                Talk.recording_url,
            )
            .join(Talk, Talk.id == Slot.talk_id)
            .where(Slot.event_id == self.event.id)
        )
        stored: dict[str, StoredSlot] = {}
        for slot_id, guid, talk_id, status, *compared in rows:  # compared: in ``_wanted``'s order
            state = (status, *compared, tuple(talk_speakers.get(talk_id, ())))
            stored[slot_key(guid, slot_id)] = StoredSlot(slot_id, talk_id, status, state)
        return stored

    async def _load(self, talk_ids: set[uuid.UUID]) -> dict[uuid.UUID, Slot]:
        """The slots of these talks as ORM objects, with what the verbs read of them, by id."""
        slots: dict[uuid.UUID, Slot] = {}
        ordered = sorted(talk_ids)
        for start in range(0, len(ordered), _LOAD_CHUNK):
            found = await self.session.scalars(
                select(Slot)
                .where(Slot.talk_id.in_(ordered[start : start + _LOAD_CHUNK]))
                .options(
                    selectinload(Slot.room),
                    selectinload(Slot.talk).options(
                        selectinload(Talk.track), selectinload(Talk.speaker_links), selectinload(Talk.slots)
                    ),
                )
            )
            slots.update((slot.id, slot) for slot in found)
        return slots

    # -- talks -----------------------------------------------------------------------------------

    def _kind(self, item: DocTalk) -> TalkKind:
        try:
            return TalkKind(item.kind)
        except ValueError:
            return TalkKind.OTHER

    def _details(self, item: DocTalk, tracks: dict[str, Track]) -> dict[str, object]:
        """The talk's fields that are not news when they change (``edit_talk``)."""
        return {
            "subtitle": item.subtitle[:300],
            "abstract": _abstract(item),
            "kind": self._kind(item),
            "language": (item.language or "")[:16],
            "track_id": tracks[item.track].id if item.track else None,
            "url": item.url[:500],
            "recording_url": item.recording_url[:500],
        }

    def _wanted(
        self, item: DocTalk, rooms: dict[str, Room], tracks: dict[str, Track], speakers: dict[str, uuid.UUID]
    ) -> tuple[object, ...]:
        """What the file says of a stored slot, in ``StoredSlot.state``'s order: equal, and no verb
        of ``_update`` would change anything."""
        return (
            SlotStatus.CANCELLED if item.cancelled else SlotStatus.CONFIRMED,
            item.start.astimezone(datetime.UTC),
            (item.start + item.duration).astimezone(datetime.UTC),
            rooms[item.room].id if item.room else None,
            item.title[:300],
            *self._details(item, tracks).values(),
            tuple((part.id, part.role) for part in _parts(item, speakers)),
        )

    def _new_talk(
        self, item: DocTalk, rooms: dict[str, Room], tracks: dict[str, Track], speakers: dict[str, uuid.UUID]
    ) -> NewTalk:
        # Ids derive from the event and the GUID: stable across re-imports, distinct per event, so
        # the same file may be imported into two events.
        talk = {"id": uuid.uuid5(self.event.id, f"talk:{item.guid}"), "title": item.title[:300]}
        talk.update(self._details(item, tracks))
        slot = {
            "id": uuid.uuid5(self.event.id, f"slot:{item.guid}"),
            "guid": item.guid[:64],
            "room_id": rooms[item.room].id if item.room else None,
            "start_at": item.start.astimezone(datetime.UTC),
            "end_at": (item.start + item.duration).astimezone(datetime.UTC),
            "status": SlotStatus.CANCELLED if item.cancelled else SlotStatus.CONFIRMED,
        }
        return NewTalk(talk=talk, speakers=_parts(item, speakers), slot=slot)

    async def _update(
        self,
        slot: Slot,
        item: DocTalk,
        rooms: dict[str, Room],
        tracks: dict[str, Track],
        speakers: dict[str, uuid.UUID],
    ) -> bool:
        """Make the slot and its talk what the file says; True when that changed anything."""
        talk, editor = slot.talk, self.editor
        start, end = item.start.astimezone(datetime.UTC), (item.start + item.duration).astimezone(datetime.UTC)
        changes = [  # each verb runs: a list, not any() over a generator, which would stop at the first
            editor.reschedule_slot(talk, slot, start, end),
            editor.move_slot_to_room(talk, slot, rooms[item.room] if item.room else None),
            editor.cancel_slot(talk, slot) if item.cancelled else editor.restore_slot(talk, slot),
            editor.retitle(talk, item.title[:300]),
            await editor.change_speakers(talk, _parts(item, speakers)),
            editor.edit_talk(talk, self._details(item, tracks)),
        ]
        return any(changes)


def _abstract(item: DocTalk) -> str:
    return "\n\n".join(part for part in (item.abstract, item.description) if part)


def _role(text: str) -> SpeakerRole:
    try:
        return SpeakerRole(text)
    except ValueError:
        return SpeakerRole.SPEAKER


def _parts(item: DocTalk, speakers: dict[str, uuid.UUID]) -> list[SpeakerPart]:
    """One part per person, in the file's order (a name listed twice counts once, in its first role)."""
    first_role: dict[str, str] = {}
    for person in item.persons:
        first_role.setdefault(person.name, person.role)
    return [SpeakerPart(id=speakers[name], role=_role(role)) for name, role in first_role.items()]


class EventFill(NamedTuple):
    fields: list[str]
    """The event's fields the import set."""
    warnings: list[ImportWarning]


def fill_event(event: Event, doc: ScheduleDocument, *, timezone: str | None, zone_option: str) -> EventFill:
    """Give ``event`` what ``doc`` says and the event lacks, by the rule in the module docstring.

    ``timezone`` is the zone the import was given (None when none was), ``zone_option`` how the
    caller's user gives one (``--timezone ZONE``), for the advice in the warnings. An event that
    is new and learns no zone, from the import or the file, is refused.
    """
    fields: list[str] = []
    warnings: list[ImportWarning] = []
    said: dict[str, object] = {
        "title": doc.title[:200] or doc.acronym[:200] or event.slug,
        "start_date": doc.start_date,
        "end_date": doc.end_date,
        "day_change": doc.day_change,
        "venue": doc.venue[:200],
        "city": doc.city[:100],
        "website": doc.url[:500],
    }
    for name, value in said.items():
        if value not in (None, "") and getattr(event, name) in (None, ""):
            setattr(event, name, value)
            fields.append(name)

    was, used = event.timezone, doc.timezone
    patch = f'PATCH /events/{event.slug} with {{"timezone": "ZONE"}}'
    if used is None:
        if was is None:
            raise InvalidFieldError(f"The file does not say its time zone: pass {zone_option}.", field="timezone")
    elif was is None or (ASSUMED_ZONE.fullmatch(was) and not ASSUMED_ZONE.fullmatch(used)):
        event.timezone = used
        fields.append("timezone")
        if was is not None:
            message = f"the event's zone is now {used}; it was {was}, a fixed offset assumed earlier"
            warnings.append(ImportWarning("timezone", message))
    elif used != was:
        warnings.append(
            ImportWarning(
                "timezone",
                f"the file's times are in {used}, the event's zone is {was}: instants are kept and shown in "
                f"{was} (to change the event's zone, {patch})",
            )
        )
    if timezone is not None and used is not None and used != timezone:
        warnings.append(
            ImportWarning("timezone", f"the file names its zone, {used}, and is read in it: {timezone} was not used")
        )
    final = event.timezone
    if ASSUMED_ZONE.fullmatch(final) and final != timezone:
        offset = zone(final).utcoffset(datetime.datetime(2000, 1, 1)) or datetime.timedelta(0)
        hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
        warnings.append(
            ImportWarning(
                "timezone",
                f"the event's zone is {final} (UTC{'-' if offset < datetime.timedelta(0) else '+'}{hours:02d}:"
                f"{minutes:02d} all year, no daylight saving time), assumed because no place's zone was named: "
                f"if the event is somewhere (Europe/Copenhagen, say), re-import with {zone_option} or {patch}",
            )
        )
    return EventFill(fields, warnings)
