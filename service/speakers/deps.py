"""Dependencies of the speaker routes."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from service.speakers.services import SpeakerService


def provide_speakers_service(db_session: NamedDependency[AsyncSession]) -> SpeakerService:
    # The request's session is passed in, so the service owns no transaction and needs no cleanup.
    return SpeakerService(session=db_session)
