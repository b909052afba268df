"""Organisers' changes to speakers.

Speakers are global (service/speakers/models.py): a talk of any event may name any speaker. So the
rules are about reach and freshness, not ownership:

- an event's organisers reach a speaker who appears in one of its talks, or whom they added and
  have not placed in a talk yet; anyone else is a 404, as for another event's room;
- editing a speaker is a new schedule version of every event the speaker appears at (and of the
  event that added them), because each of those events shows the speaker in its schedule;
- removing a speaker takes them off this event's talks; a speaker this event added and who then
  appears nowhere else is deleted, one who speaks elsewhere stays there.
"""

from __future__ import annotations

import uuid
from typing import Any

from msgspec import UNSET
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from service.core.errors import NotFoundError
from service.core.time import utcnow
from service.events.models import Event
from service.schedule.editing import SetupEditor
from service.schedule.inputs import SpeakerPart
from service.schedule.models import Talk, TalkSpeaker
from service.speakers.models import Speaker
from service.speakers.schemas import LinkInput, SpeakerCreate, SpeakerUpdate
from service.speakers.services import of_event


def _links(links: list[LinkInput]) -> list[dict[str, Any]]:
    return [{"title": link.title, "url": link.url} for link in links]


class SpeakerEditor(SetupEditor):
    """Speaker verbs of one event's organisers (and ``add_speaker``, an import's); the request commits."""

    async def create_speaker(self, data: SpeakerCreate) -> Speaker:
        speaker = Speaker(
            name=data.name,
            affiliation=data.affiliation,
            bio=data.bio,
            links=_links(data.links),
            added_by_event_id=self.event.id,
        )
        self.session.add(speaker)
        self.touch()  # the event's list of speakers has one more
        await self.session.flush()
        return speaker

    def add_speaker(self, name: str, bio: str) -> Speaker:
        """A new person for the caller to place in talks (an import does), so not one this event added."""
        speaker = Speaker(id=uuid.uuid4(), name=name, bio=bio, links=[])
        self.session.add(speaker)
        return speaker

    async def speaker_here(self, speaker_id: uuid.UUID) -> Speaker:
        """A speaker this event reaches; organisers of other events cannot touch them."""
        speaker = await self.session.scalar(select(Speaker).where(Speaker.id == speaker_id, of_event(self.event.id)))
        if speaker is None:
            raise NotFoundError(f"Speaker {speaker_id} has no talk at '{self.event.slug}'.", field="speaker_id")
        return speaker

    async def edit_speaker(self, speaker_id: uuid.UUID, data: SpeakerUpdate) -> Speaker:
        speaker = await self.speaker_here(speaker_id)
        changes: dict[str, Any] = {
            "name": data.name,
            "affiliation": data.affiliation,
            "bio": data.bio,
            "links": _links(data.links) if isinstance(data.links, list) else UNSET,
        }
        changed = any(value is not UNSET and getattr(speaker, name) != value for name, value in changes.items())
        self.update(speaker, changes)
        if changed:
            await self._bump_other_events(speaker)
        await self.session.flush()
        return speaker

    async def remove_speaker(self, speaker_id: uuid.UUID) -> None:
        """Take a speaker off every talk of this event (their other events are not touched)."""
        speaker = await self.speaker_here(speaker_id)
        speaking_here = select(TalkSpeaker.talk_id).where(TalkSpeaker.speaker_id == speaker_id)
        talks = await self.session.scalars(
            select(Talk)
            .where(Talk.event_id == self.event.id, Talk.id.in_(speaking_here))
            .options(selectinload(Talk.speaker_links))
        )
        for talk in talks:
            remaining = [
                SpeakerPart(id=link.speaker_id, role=link.role)
                for link in talk.speaker_links
                if link.speaker_id != speaker_id
            ]
            await self.change_speakers(talk, remaining)  # fewer speakers cannot be double-booked: nothing to check
        if speaker.added_by_event_id == self.event.id:
            await self.session.flush()
            elsewhere = await self.session.scalar(
                select(TalkSpeaker.id).where(TalkSpeaker.speaker_id == speaker_id).limit(1)
            )
            if elsewhere is None:
                await self.session.execute(delete(Speaker).where(Speaker.id == speaker_id))
            else:
                speaker.added_by_event_id = None
            self.touch()
        await self.session.flush()

    async def _bump_other_events(self, speaker: Speaker) -> None:
        """A new schedule version for every other event that shows the speaker, in one statement."""
        appears = select(Talk.event_id).join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
        appears = appears.where(TalkSpeaker.speaker_id == speaker.id)
        others = or_(Event.id.in_(appears), Event.id == speaker.added_by_event_id)
        await self.session.execute(
            update(Event)
            .where(others, Event.id != self.event.id)
            .values(schedule_version=Event.schedule_version + 1, schedule_modified_at=utcnow())
            .execution_options(synchronize_session=False)
        )
