"""The front page, and liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.openapi import problems
from service.core.routing import get
from service.core.schemas import BaseStruct
from service.events.deps import base_url, provide_events_service
from service.events.services import EventService
from service.settings import Settings
from service.system.home import render_home

READY_RETRY_AFTER = 5
"""Seconds a load balancer is asked to wait before asking ``/ready`` again after a 503."""


class Health(BaseStruct):
    status: str


class Readiness(BaseStruct):
    status: str
    database: str
    """The database backend in use (``sqlite`` or ``postgresql``)."""


class SystemController(Controller):
    tags = ["system"]

    @get(
        "/",
        summary="The front page",
        description="An HTML page for people: the events, with links to their schedules and calendars, and the docs.",
        media_type=MediaType.HTML,
        dependencies={"events_service": Provide(provide_events_service, sync_to_thread=False)},
    )
    async def home(
        self,
        request: Request[Any, Any, Any],
        events_service: NamedDependency[EventService],
        settings: NamedDependency[Settings],
    ) -> str:
        base = base_url(request, settings)
        events = await events_service.page(base, limit=200, offset=0)
        return render_home(events.items, f"{base}/docs")

    @get("/health", summary="Is the process alive?", cache=False)
    async def health(self) -> Health:
        return Health(status="ok")

    @get(
        "/ready",
        summary="Can the service reach its database?",
        cache=False,
        responses={503: problems(503)[503]},
    )
    async def ready(self, db_session: NamedDependency[AsyncSession]) -> Readiness:
        # 200 when a pooled connection answers; otherwise 503 within about twice the connect timeout
        # (service/db/config.py bounds every wait), never hanging on a database that does not answer.
        try:
            await db_session.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            raise ServiceUnavailableException(
                "The database is not reachable.", headers={"Retry-After": str(READY_RETRY_AFTER)}
            ) from exc
        return Readiness(status="ready", database=db_session.bind.dialect.name)
