"""Dependencies of the speaker routes."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.organisers.services import Organiser
from service.speakers.editing import SpeakerEditor
from service.speakers.services import SpeakerService


def provide_speakers_service(db_session: NamedDependency[AsyncSession]) -> SpeakerService:
    # A plain function, not create_service_provider: see provide_events_service in service/events/deps.py.
    return SpeakerService(session=db_session)


def provide_speaker_editor(
    event: NamedDependency[Event], db_session: NamedDependency[AsyncSession], editor: NamedDependency[Organiser]
) -> SpeakerEditor:
    """The speaker editor for this event, only once the token is known to be allowed to use it."""
    return SpeakerEditor(db_session, event)
