"""Finding speakers, at one event or across all of them."""

from __future__ import annotations

import datetime
import uuid

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from service.core.errors import NotFoundError
from service.core.etags import make_etag
from service.core.http import Validators
from service.core.schemas import Page
from service.events.models import Event
from service.schedule.models import Slot, Talk, TalkSpeaker
from service.schedule.services import slot_out
from service.speakers.models import Speaker
from service.speakers.schemas import SpeakerDetail, SpeakerEventRef, SpeakerLink, SpeakerOut, SpeakerTalk


def speaks_at(event_id: uuid.UUID) -> ColumnElement[bool]:
    """Speakers with a part in a talk of the event."""
    return Speaker.id.in_(
        select(TalkSpeaker.speaker_id).join(Talk, Talk.id == TalkSpeaker.talk_id).where(Talk.event_id == event_id)
    )


def of_event(event_id: uuid.UUID) -> ColumnElement[bool]:
    """An event's speakers, whom it lists and its organisers reach: those speaking there and those it added."""
    return or_(speaks_at(event_id), Speaker.added_by_event_id == event_id)


def speaker_out(speaker: Speaker) -> SpeakerOut:
    return SpeakerOut(
        id=speaker.id,
        name=speaker.name,
        affiliation=speaker.affiliation,
        bio=speaker.bio,
        links=[SpeakerLink(title=str(link.get("title", "")), url=str(link.get("url", ""))) for link in speaker.links],
    )


class SpeakerService(SQLAlchemyAsyncRepositoryService[Speaker]):
    class Repo(SQLAlchemyAsyncRepository[Speaker]):
        model_type = Speaker

    repository_type = Repo

    async def at_event(self, event: Event, limit: int, offset: int) -> Page[SpeakerOut]:
        """The event's speakers (``of_event``), by name."""
        session = self.repository.session
        total = await session.scalar(select(func.count()).select_from(Speaker).where(of_event(event.id)))
        rows = (
            await session.scalars(
                select(Speaker).where(of_event(event.id)).order_by(Speaker.name, Speaker.id).limit(limit).offset(offset)
            )
        ).all()
        return Page(items=[speaker_out(row) for row in rows], total=total or 0, limit=limit, offset=offset)

    async def _get(self, speaker_id: uuid.UUID) -> Speaker:
        speaker = await self.get_one_or_none(Speaker.id == speaker_id)
        if speaker is None:
            raise NotFoundError(f"There is no speaker {speaker_id}.", field="id")
        return speaker

    async def validators(self, speaker_id: uuid.UUID) -> Validators:
        """What the speaker's page depends on: the speaker row and the versions of their events."""
        speaker = await self._get(speaker_id)
        rows = (
            await self.repository.session.execute(
                select(Event.id, Event.schedule_version, Event.schedule_modified_at, Event.updated_at)
                .join(Talk, Talk.event_id == Event.id)
                .join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
                .where(TalkSpeaker.speaker_id == speaker_id)
                .distinct()
                .order_by(Event.id)
            )
        ).all()
        fingerprint = f"{speaker.id}:{speaker.updated_at.isoformat()}:" + ",".join(
            f"{row.id}/{row.schedule_version}/{row.updated_at.isoformat()}" for row in rows
        )
        newest = max([speaker.updated_at, *(row.schedule_modified_at for row in rows)])
        return Validators(etag=make_etag("speaker", fingerprint), last_modified=newest)

    async def detail(self, speaker_id: uuid.UUID) -> SpeakerDetail:
        speaker = await self._get(speaker_id)
        links = (
            await self.repository.session.scalars(
                select(TalkSpeaker)
                .where(TalkSpeaker.speaker_id == speaker_id)
                .options(
                    joinedload(TalkSpeaker.talk).options(
                        joinedload(Talk.event), selectinload(Talk.slots).joinedload(Slot.room)
                    ),
                )
            )
        ).all()
        talks = []
        for link in links:
            talk, event = link.talk, link.talk.event
            talks.append(
                SpeakerTalk(
                    event=SpeakerEventRef(slug=event.slug, title=event.title, timezone=event.timezone),
                    id=talk.id,
                    title=talk.title,
                    kind=talk.kind,
                    role=link.role,
                    slots=[slot_out(slot, event) for slot in talk.slots],
                )
            )
        talks.sort(key=lambda t: t.slots[0].start if t.slots else datetime.datetime.max.replace(tzinfo=datetime.UTC))
        base = speaker_out(speaker)
        return SpeakerDetail(**{f: getattr(base, f) for f in base.__struct_fields__}, talks=talks)
