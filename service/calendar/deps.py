"""Dependencies of the calendar routes."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from service.calendar.feeds import FeedService


def provide_feed_service(db_session: NamedDependency[AsyncSession]) -> FeedService:
    return FeedService(session=db_session)
