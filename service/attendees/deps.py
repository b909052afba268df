"""The attendee behind a request: bearer token in, 401 if there is none that works."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.devices import Author, DeviceService, RememberedAuthors, SignedIn
from service.attendees.models import Attendee
from service.attendees.services import AttendeeService
from service.core.errors import UnauthenticatedError
from service.core.secrets import presented_bearer_token

REMEMBERED_AUTHORS_KEY = "plenary.remembered_authors"
"""Where each app (one per worker) keeps its ``RememberedAuthors``, in its state."""


def provide_attendee_service(db_session: NamedDependency[AsyncSession]) -> AttendeeService:
    return AttendeeService(db_session)


def provide_device_service(db_session: NamedDependency[AsyncSession]) -> DeviceService:
    return DeviceService(db_session)


async def provide_signed_in(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> SignedIn:
    """The calling device and its attendee; 401 when the token is missing, wrong or revoked.

    It takes the session itself rather than a service: Litestar resolves dependencies of the
    same depth concurrently, and this lookup must not share a batch with the event lookup (one
    AsyncSession cannot run two queries at once). At depth two it runs before ``event``.
    """
    presented = presented_bearer_token(request.headers.get("authorization"))
    if presented is None:
        raise UnauthenticatedError("This needs your attendee token: send 'Authorization: Bearer <token>'.")
    writing = request.method not in {"GET", "HEAD"}
    signed_in = await DeviceService(db_session).authenticate(presented, writing=writing)
    if signed_in is None:
        raise UnauthenticatedError(
            "The attendee token is not valid (unknown, mistyped, or its device was signed out or deleted)."
        )
    return signed_in


async def provide_attendee(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Attendee:
    """The caller, for routes that need not know which of their devices called (see above)."""
    return (await provide_signed_in(request, db_session)).attendee


async def provide_author(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Author:
    """The writing device, from this worker's memory when it signed in lately, else signed in in full
    (and remembered); 401 as ``provide_signed_in``. For writes that check the device in the
    statement that writes (``service.attendees.devices.Author``): nothing else may trust it."""
    presented = presented_bearer_token(request.headers.get("authorization"))
    if presented is None:
        raise UnauthenticatedError("This needs your attendee token: send 'Authorization: Bearer <token>'.")
    remembered = remembered_authors(request)
    author = remembered.recall(presented)
    if author is None:
        author = remembered.remember(await provide_signed_in(request, db_session))
    return author


def remembered_authors(request: Request[Any, Any, Any]) -> RememberedAuthors:
    state = request.app.state
    remembered: RememberedAuthors | None = state.get(REMEMBERED_AUTHORS_KEY)
    if remembered is None:
        remembered = state[REMEMBERED_AUTHORS_KEY] = RememberedAuthors()
    return remembered
