"""Dependencies of the schedule routes."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from service.schedule.services import ScheduleService


def provide_schedule_service(db_session: NamedDependency[AsyncSession]) -> ScheduleService:
    # The request's session is passed in, so the service owns no transaction and needs no cleanup.
    return ScheduleService(session=db_session)
