"""The verbs on talks and slots already in hand: the one place a schedule change is made and logged.

Each verb compares before it changes, so applying what is already there changes nothing and logs
nothing, and answers whether it changed anything. None of them queries the database or checks for
conflicts: the API's editor (``talks.py``) finds and checks first, an import trusts its file.

``add_talks`` is ``add_talk`` and ``add_slot`` for many new talks at once (an import's): the same
rows and the same change-log entries, written as one multi-row INSERT per table instead of one ORM
object per row, which is most of what a first import of thousands of talks would cost otherwise.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.time import utcnow
from service.events.models import Event
from service.schedule import search
from service.schedule.changes import instant, removal_snapshot
from service.schedule.inputs import SpeakerPart
from service.schedule.models import ChangeKind, Room, ScheduleChange, Slot, SlotStatus, Talk, TalkSpeaker

logger = logging.getLogger("plenary.schedule")


@dataclass(frozen=True, slots=True)
class NewTalk:
    """A talk new to the schedule with its one slot, as ``add_talks`` takes them.

    ``talk`` and ``slot`` are the rows' values by column name, ids included; the event, the slot's
    talk and the columns with a default are filled in as ``add_talk`` and ``add_slot`` fill them.
    """

    talk: Mapping[str, Any]
    speakers: Sequence[SpeakerPart]
    slot: Mapping[str, Any]


class ScheduleWriter:
    """Services flush; the request (or the caller) commits."""

    def __init__(self, session: AsyncSession, event: Event) -> None:
        self.session = session
        self.event = event
        self._bumped = False
        search.keep_current(session)  # every change made here reaches the search index as it is flushed

    # -- bookkeeping -----------------------------------------------------------------------------

    def _next_version(self) -> int:
        """One version per editing session: a request (or an import) that changes three things is one step."""
        if not self._bumped:
            self.event.schedule_version += 1
            self.event.schedule_modified_at = utcnow()
            self._bumped = True
            logger.info("schedule change", extra={"event": self.event.slug, "version": self.event.schedule_version})
        return self.event.schedule_version

    def _log(
        self, kind: ChangeKind, talk: Talk, slot: Slot | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        self._log_entry(kind, talk.id, talk.title, slot.id if slot else None, detail)

    def _log_entry(
        self,
        kind: ChangeKind,
        talk_id: uuid.UUID,
        title: str,
        slot_id: uuid.UUID | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        # An ORM object, not a row: session events (the webhook outbox) see it as it is flushed.
        self.session.add(ScheduleChange(**self._entry(kind, talk_id, title, slot_id, detail)))

    def _entry(
        self,
        kind: ChangeKind,
        talk_id: uuid.UUID,
        title: str,
        slot_id: uuid.UUID | None = None,
        detail: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A change-log entry's values, whether it is written as an ORM object or as a row."""
        return {
            "event_id": self.event.id,
            "version": self._next_version(),
            "kind": kind,
            "talk_id": talk_id,
            "slot_id": slot_id,
            "title": title,
            "detail": detail or {},
        }

    def touch(self) -> None:
        """A change that alters what clients see without being news (a room renamed, say)."""
        self._next_version()

    # -- talks -----------------------------------------------------------------------------------

    def add_talk(self, talk: Talk, speakers: Sequence[SpeakerPart]) -> None:
        """Add a new talk with its speakers, in order; it is news once a slot puts it on the schedule."""
        talk.event_id = self.event.id
        talk.speaker_links = [
            TalkSpeaker(talk_id=talk.id, speaker_id=part.id, role=part.role, position=n)
            for n, part in enumerate(speakers)
        ]
        self.session.add(talk)

    async def add_talks(self, talks: Sequence[NewTalk], *, log_as_rows: bool = False) -> None:
        """``add_talk`` then ``add_slot`` for each new talk, in order, as a few multi-row INSERTs.

        What the rows name (rooms, tracks, speakers) is flushed first. The flush hook that keeps
        the search documents current sees only ORM objects, so these talks' documents are written
        here. The change-log entries are ORM objects, flushed as every verb's are, for the session
        events that read them (the webhook outbox writes its messages from them); with
        ``log_as_rows`` the same entries are one more multi-row INSERT, for a caller that knows no
        such event needs them (an import into an event without webhooks), at a fraction of the cost.
        """
        if not talks:
            return
        await self.session.flush()
        event_id = self.event.id
        talk_rows = [{**new.talk, "event_id": event_id} for new in talks]
        link_rows = [
            {"talk_id": new.talk["id"], "speaker_id": part.id, "role": part.role, "position": n}
            for new in talks
            for n, part in enumerate(new.speakers)
        ]
        slot_rows = [{**new.slot, "event_id": event_id, "talk_id": new.talk["id"]} for new in talks]
        for model, rows in ((Talk, talk_rows), (TalkSpeaker, link_rows), (Slot, slot_rows)):
            if rows:  # Core INSERTs of the table: an ORM bulk INSERT spends a third more per row
                await self.session.execute(insert(cast("Table", model.__table__)), rows)
        if log_as_rows:
            entries = [
                self._entry(ChangeKind.ADDED, new.talk["id"], new.talk["title"], new.slot["id"]) for new in talks
            ]
            await self.session.execute(insert(cast("Table", ScheduleChange.__table__)), entries)
        else:
            for new in talks:
                self._log_entry(ChangeKind.ADDED, new.talk["id"], new.talk["title"], new.slot["id"])
        talk_ids = [new.talk["id"] for new in talks]
        await self.session.run_sync(lambda sync: search.rebuild(sync.connection(), talk_ids))

    def retitle(self, talk: Talk, title: str) -> bool:
        if title == talk.title:
            return False
        self._log(ChangeKind.RETITLED, talk, detail={"from": talk.title, "to": title})
        talk.title = title
        return True

    async def change_speakers(self, talk: Talk, speakers: Sequence[SpeakerPart]) -> bool:
        """Give the talk these speakers in this order: added, removed, reordered or recast, it is news.

        A speaker who stays keeps their row (only role and place change), one who leaves loses it,
        one who joins gets one. So no row is deleted and re-inserted for the same speaker, and the
        change needs no flush of its own to get past the one-row-per-speaker constraint.
        """
        before = [(link.speaker_id, link.role) for link in talk.speaker_links]
        if before == [(part.id, part.role) for part in speakers]:
            return False
        rows = {link.speaker_id: link for link in talk.speaker_links}
        links = []
        for n, part in enumerate(speakers):
            link = rows.get(part.id) or TalkSpeaker(talk_id=talk.id, speaker_id=part.id)
            link.role, link.position = part.role, n
            links.append(link)
        for link in talk.speaker_links:
            if link not in links:
                await self.session.delete(link)  # deleted, not only orphaned, so the search index sees it go
        talk.speaker_links = links
        self._log(
            ChangeKind.SPEAKERS_CHANGED,
            talk,
            detail={"from": [str(i) for i, _ in before], "to": [str(part.id) for part in speakers]},
        )
        return True

    def edit_talk(self, talk: Talk, fields: Mapping[str, object]) -> bool:
        """Change what describes a talk but is not news (abstract, kind, track, links...): a new version only."""
        changed = False
        for name, value in fields.items():
            if getattr(talk, name) != value:
                setattr(talk, name, value)
                changed = True
        if changed:
            self.touch()
        return changed

    async def remove_talk(self, talk: Talk) -> None:
        """Remove a talk. Each slot leaves a snapshot in the log, so feeds can cancel it."""
        for slot in talk.slots:
            self._log(ChangeKind.REMOVED, talk, slot, removal_snapshot(talk, slot))
        await self.session.delete(talk)

    # -- slots -----------------------------------------------------------------------------------

    def add_slot(self, talk: Talk, slot: Slot) -> None:
        """Put one occurrence of ``talk`` on the schedule."""
        slot.event_id, slot.talk_id = self.event.id, talk.id
        self.session.add(slot)
        self._log(ChangeKind.ADDED, talk, slot)

    def reschedule_slot(self, talk: Talk, slot: Slot, start: datetime.datetime, end: datetime.datetime) -> bool:
        """Move an occurrence in time or change its length."""
        if (start, end) == (slot.start_at, slot.end_at):
            return False
        self._log(ChangeKind.MOVED_TIME, talk, slot, {"from": instant(slot.start_at), "to": instant(start)})
        slot.start_at, slot.end_at = start, end
        slot.sequence += 1
        return True

    def move_slot_to_room(self, talk: Talk, slot: Slot, room: Room | None) -> bool:
        """Move an occurrence to another room (or to none); the log names rooms by slug."""
        if (room.id if room else None) == slot.room_id:
            return False
        was = slot.room.slug if slot.room else None
        self._log(ChangeKind.MOVED_ROOM, talk, slot, {"from": was, "to": room.slug if room else None})
        slot.room_id, slot.room = (room.id if room else None), room
        slot.sequence += 1
        return True

    def cancel_slot(self, talk: Talk, slot: Slot) -> bool:
        """Cancel an occurrence: it stays, marked cancelled, so calendars can say so."""
        return self._set_status(talk, slot, SlotStatus.CANCELLED, ChangeKind.CANCELLED)

    def restore_slot(self, talk: Talk, slot: Slot) -> bool:
        """Hold a cancelled occurrence after all."""
        return self._set_status(talk, slot, SlotStatus.CONFIRMED, ChangeKind.RESTORED)

    def _set_status(self, talk: Talk, slot: Slot, status: SlotStatus, kind: ChangeKind) -> bool:
        if slot.status == status:
            return False
        slot.status = status
        slot.sequence += 1
        self._log(kind, talk, slot)
        return True

    async def remove_slot(self, talk: Talk, slot: Slot) -> None:
        """Remove one occurrence, and the talk with its last one; the log keeps a snapshot for feeds."""
        if len(talk.slots) == 1:
            await self.remove_talk(talk)
            return
        self._log(ChangeKind.REMOVED, talk, slot, removal_snapshot(talk, slot))
        talk.slots.remove(slot)
        await self.session.delete(slot)  # deleted, not only orphaned, so the search index sees it go
