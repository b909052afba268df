"""What the API shows of speakers."""

from __future__ import annotations

import uuid

from service.core.schemas import BaseStruct
from service.schedule.models import SpeakerRole, TalkKind
from service.schedule.schemas import SlotOut


class SpeakerLink(BaseStruct):
    title: str
    url: str


class SpeakerOut(BaseStruct):
    id: uuid.UUID
    name: str
    affiliation: str
    bio: str
    links: list[SpeakerLink]


class SpeakerEventRef(BaseStruct):
    slug: str
    title: str
    timezone: str


class SpeakerTalk(BaseStruct):
    """One of a speaker's talks, at whichever event; times are local to that event."""

    event: SpeakerEventRef
    id: uuid.UUID
    title: str
    kind: TalkKind
    role: SpeakerRole
    slots: list[SlotOut]


class SpeakerDetail(SpeakerOut):
    talks: list[SpeakerTalk]
