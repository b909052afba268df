"""Dependencies of the speaker routes."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from sqlalchemy.ext.asyncio import AsyncSession

from service.speakers.services import SpeakerService


async def provide_speakers_service(db_session: AsyncSession) -> AsyncGenerator[SpeakerService, None]:
    async with SpeakerService.new(session=db_session) as service:
        yield service
