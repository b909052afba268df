"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.schemas import BaseStruct


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

    @get("/ready", summary="Can the service reach its database?", cache=False)
    async def ready(self, db_session: NamedDependency[AsyncSession]) -> Readiness:
        try:
            await db_session.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            raise ServiceUnavailableException("The database is not reachable.") from exc
        return Readiness(status="ready", database=db_session.bind.dialect.name)
