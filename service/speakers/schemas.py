"""What the API shows of speakers, and what organisers send to add or edit one."""

from __future__ import annotations

import uuid
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from service.core.bounds import Body
from service.core.fields import Line, LongText, Name, Url
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


Affiliation = Annotated[Line, Meta(max_length=200)]


class LinkInput(Body):
    nested = True
    title: Name
    url: Url


class SpeakerCreate(Body):
    name: Name
    affiliation: Affiliation = ""
    bio: LongText = ""
    links: Annotated[list[LinkInput], Meta(max_length=20)] = []


class SpeakerUpdate(Body):
    name: Name | UnsetType = UNSET
    affiliation: Affiliation | UnsetType = UNSET
    bio: LongText | UnsetType = UNSET
    links: Annotated[list[LinkInput], Meta(max_length=20)] | UnsetType = UNSET
