"""Registering attendees, recognising them by token, their stars and their calendar URL."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.models import Attendee, Star
from service.core.errors import ForbiddenError, NotFoundError
from service.core.http import Validators, make_etag
from service.core.secrets import hash_secret, new_secret, secret_matches
from service.events.models import Event
from service.schedule.models import Talk


@dataclass(frozen=True, slots=True)
class PersonalCalendar:
    """What a personal feed shows, and the validators that change with it."""

    event: Event
    talk_ids: Sequence[uuid.UUID]
    validators: Validators


class AttendeeService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def register(self, event: Event, display_name: str, join_code: str) -> tuple[Attendee, str, str]:
        """A new attendee; returns it with its bearer token and calendar secret, shown this once."""
        if event.join_code and not hmac.compare_digest(event.join_code.encode(), join_code.encode()):
            raise ForbiddenError("join_code: this event needs the join code given at the venue.", field="join_code")
        secret, feed_secret = new_secret(), new_secret()
        attendee = Attendee(
            id=uuid.uuid4(),
            event_id=event.id,
            display_name=display_name.strip(),
            token_hash=hash_secret(secret),
            feed_token_hash=hash_secret(feed_secret),
        )
        self.session.add(attendee)
        await self.session.flush()
        return attendee, f"{attendee.id}.{secret}", feed_secret

    async def authenticate(self, presented: str) -> Attendee | None:
        attendee_id, _, secret = presented.partition(".")
        try:
            key = uuid.UUID(attendee_id)
        except ValueError:
            return None
        attendee = await self.session.get(Attendee, key)
        if not secret_matches(secret, attendee.token_hash if attendee else None):
            return None
        return attendee

    async def by_feed_secret(self, feed_secret: str) -> Attendee | None:
        # Looked up by the hash of a 256-bit secret: the index sees only hashes, never the secret.
        statement = select(Attendee).where(Attendee.feed_token_hash == hash_secret(feed_secret))
        found: Attendee | None = await self.session.scalar(statement)
        return found

    async def rotate_feed(self, attendee: Attendee) -> str:
        feed_secret = new_secret()
        attendee.feed_token_hash = hash_secret(feed_secret)
        await self.session.flush()
        return feed_secret

    async def forget(self, attendee: Attendee) -> None:
        """Delete the attendee and everything they wrote (stars and takeaways cascade)."""
        await self.session.delete(attendee)
        await self.session.flush()

    async def _talk_here(self, attendee: Attendee, talk_id: uuid.UUID) -> None:
        found = await self.session.scalar(select(Talk.id).where(Talk.id == talk_id, Talk.event_id == attendee.event_id))
        if found is None:
            raise NotFoundError(f"There is no talk {talk_id} at your event.", field="talk_id")

    async def star(self, attendee: Attendee, talk_id: uuid.UUID) -> None:
        await self._talk_here(attendee, talk_id)
        exists = await self.session.scalar(
            select(Star.id).where(Star.attendee_id == attendee.id, Star.talk_id == talk_id)
        )
        if exists is None:
            self.session.add(Star(attendee_id=attendee.id, talk_id=talk_id))
            await self._bump_stars(attendee)

    async def unstar(self, attendee: Attendee, talk_id: uuid.UUID) -> None:
        result = await self.session.execute(
            delete(Star).where(Star.attendee_id == attendee.id, Star.talk_id == talk_id)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            await self._bump_stars(attendee)

    async def _bump_stars(self, attendee: Attendee) -> None:
        await self.session.execute(
            update(Attendee).where(Attendee.id == attendee.id).values(stars_version=Attendee.stars_version + 1)
        )
        await self.session.refresh(attendee, ["stars_version"])
        await self.session.flush()

    async def starred_ids(self, attendee: Attendee) -> Sequence[uuid.UUID]:
        return (
            await self.session.scalars(
                select(Star.talk_id).where(Star.attendee_id == attendee.id).order_by(Star.created_at)
            )
        ).all()

    async def personal_calendar(self, feed_file: str, alarm: int | None, base: str) -> PersonalCalendar:
        """The calendar behind a secret URL; 404 for a wrong or replaced one."""
        attendee = await self.by_feed_secret(feed_file.removesuffix(".ics")) if feed_file.endswith(".ics") else None
        if attendee is None:
            raise NotFoundError("There is no such calendar (the URL may have been replaced).", field="feed_file")
        event = await self.session.get_one(Event, attendee.event_id)
        talk_ids = await self.starred_ids(attendee)
        # The tag follows the stars, the schedule, the reminder and the URL's secret itself.
        etag = make_etag(
            "starred",
            attendee.id,
            attendee.stars_version,
            attendee.feed_token_hash,
            event.schedule_version,
            event.updated_at,
            alarm,
            base,
        )
        validators = Validators(
            etag=etag,
            last_modified=max(event.schedule_modified_at, attendee.updated_at),
            cache_control="private, max-age=0, must-revalidate",
        )
        return PersonalCalendar(event=event, talk_ids=talk_ids, validators=validators)
