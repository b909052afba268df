"""Who may change an event: the bearer token, checked once per request."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.errors import ForbiddenError, UnauthenticatedError
from service.core.secrets import presented_bearer_token
from service.events.models import Event
from service.organisers.services import Organiser, TokenService


async def provide_organiser(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Organiser:
    """The caller's token; 401 when it is missing, malformed, unknown or revoked."""
    presented = presented_bearer_token(request.headers.get("authorization"))
    if presented is None:
        raise UnauthenticatedError("This needs an organiser token: send 'Authorization: Bearer <token>'.")
    organiser = await TokenService(db_session).authenticate(presented)
    if organiser is None:
        raise UnauthenticatedError("The token is not valid (unknown, mistyped or revoked).")
    return organiser


async def provide_event_editor(event: NamedDependency[Event], organiser: NamedDependency[Organiser]) -> Organiser:
    """The caller, if they may change this event; 403 when their token is for another event."""
    if not organiser.may_edit(event):
        raise ForbiddenError(f"This token may not change the event '{event.slug}'.")
    return organiser


async def provide_admin(organiser: NamedDependency[Organiser]) -> Organiser:
    if not organiser.is_admin:
        raise ForbiddenError("Only an admin token may do this.")
    return organiser
