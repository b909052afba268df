"""Liveness and readiness for load balancers and orchestrators (the front page is the companion's)."""

from __future__ import annotations

from litestar import Controller
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.openapi import problems
from service.core.routing import get
from service.core.schemas import BaseStruct

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
