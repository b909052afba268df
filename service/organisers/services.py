"""Creating, checking and revoking organiser tokens."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.errors import NotFoundError
from service.core.secrets import hash_secret, new_secret, secret_matches
from service.core.time import utcnow
from service.events.models import Event
from service.organisers.models import ApiToken


@dataclass(frozen=True, slots=True)
class Organiser:
    """Who is calling: an admin, or the organisers of one event."""

    token_id: uuid.UUID
    event_id: uuid.UUID | None
    is_admin: bool

    def may_edit(self, event: Event) -> bool:
        return self.is_admin or self.event_id == event.id


class TokenService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, *, event_slug: str | None, admin: bool, name: str = "") -> tuple[ApiToken, str]:
        """A new token; the returned string is the only time the secret exists outside a hash."""
        event_id = None
        if event_slug is not None:
            event_id = await self.session.scalar(select(Event.id).where(Event.slug == event_slug))
            if event_id is None:
                raise NotFoundError(f"There is no event '{event_slug}'.", field="event")
        secret = new_secret()
        token = ApiToken(name=name, event_id=event_id, is_admin=admin, secret_hash=hash_secret(secret))
        self.session.add(token)
        await self.session.flush()
        return token, f"{token.id}.{secret}"

    async def authenticate(self, presented: str) -> Organiser | None:
        token_id, _, secret = presented.partition(".")
        try:
            key = uuid.UUID(token_id)
        except ValueError:
            return None
        token = await self.session.get(ApiToken, key)
        if not secret_matches(secret, token.secret_hash if token else None) or token is None or token.revoked_at:
            return None
        return Organiser(token_id=token.id, event_id=token.event_id, is_admin=token.is_admin)

    async def list(self) -> Sequence[tuple[ApiToken, str | None]]:
        rows = await self.session.execute(
            select(ApiToken, Event.slug).outerjoin(Event, Event.id == ApiToken.event_id).order_by(ApiToken.created_at)
        )
        return [(token, slug) for token, slug in rows.all()]

    async def revoke(self, token_id: uuid.UUID) -> None:
        token = await self.session.get(ApiToken, token_id)
        if token is None:
            raise NotFoundError(f"There is no token {token_id}.", field="token_id")
        token.revoked_at = token.revoked_at or utcnow()
        await self.session.flush()
