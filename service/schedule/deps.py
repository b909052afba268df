"""Dependencies of the schedule routes."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from sqlalchemy.ext.asyncio import AsyncSession

from service.schedule.services import ScheduleService


async def provide_schedule_service(db_session: AsyncSession) -> AsyncGenerator[ScheduleService, None]:
    async with ScheduleService.new(session=db_session) as service:
        yield service
