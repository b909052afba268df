"""Registering attendees, their stars and their calendar URL."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.devices import DeviceService, Enrolment
from service.attendees.models import Attendee, Star
from service.core.errors import ForbiddenError, NotFoundError
from service.core.etags import make_etag
from service.core.http import Validators
from service.core.secrets import hash_secret, new_secret
from service.core.time import utcnow
from service.db.inserts import insert_unless_present
from service.events.models import Event
from service.schedule.identify import no_such_slot, no_such_talk
from service.schedule.models import Slot, Talk


@dataclass(frozen=True, slots=True)
class PersonalCalendar:
    """What a personal feed shows, and the validators that change with it."""

    event: Event
    slot_ids: Sequence[uuid.UUID]
    validators: Validators


class AttendeeService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def register(self, event: Event, display_name: str, join_code: str, device_name: str) -> Enrolment:
        """A new attendee and their first device; the token and calendar secret are shown this once."""
        if event.join_code and not hmac.compare_digest(event.join_code.encode(), join_code.encode()):
            raise ForbiddenError("join_code: this event needs the join code given at the venue.", field="join_code")
        feed_secret = new_secret()
        attendee = Attendee(
            id=uuid.uuid4(),
            event_id=event.id,
            display_name=display_name.strip(),
            feed_token_hash=hash_secret(feed_secret),
        )
        self.session.add(attendee)
        await self.session.flush()
        return await DeviceService(self.session).enrol(attendee, device_name, feed_secret)

    async def by_feed_secret(self, feed_secret: str) -> Attendee | None:
        # Looked up by the hash of a 256-bit secret: the index sees only hashes, never the secret.
        statement = select(Attendee).where(Attendee.feed_token_hash == hash_secret(feed_secret))
        found: Attendee | None = await self.session.scalar(statement)
        return found

    async def forget(self, attendee: Attendee) -> None:
        """Delete the attendee and everything they wrote or held (devices, codes, stars and takeaways cascade)."""
        await self.session.delete(attendee)
        await self.session.flush()

    async def star_talk(self, attendee: Attendee, talk_id: uuid.UUID) -> None:
        """Star every occurrence of a talk (a repeated workshop: each of its sessions)."""
        slots = (
            await self.session.execute(
                select(Slot.id, Slot.talk_id).where(Slot.talk_id == talk_id, Slot.event_id == attendee.event_id)
            )
        ).all()
        if not slots and await self._talk_of_event(attendee, talk_id) is None:
            raise await no_such_talk(
                self.session, await self._event(attendee), talk_id, see=lambda _: f"/me/starred/slots/{talk_id}"
            )
        await self._add_stars(attendee, slots)

    async def star_slot(self, attendee: Attendee, slot_id: uuid.UUID) -> None:
        """Star one occurrence: the session the attendee plans to attend."""
        slots = (
            await self.session.execute(
                select(Slot.id, Slot.talk_id).where(Slot.id == slot_id, Slot.event_id == attendee.event_id)
            )
        ).all()
        if not slots:
            raise await no_such_slot(
                self.session, await self._event(attendee), slot_id, see=lambda talk: f"/me/starred/{talk}"
            )
        await self._add_stars(attendee, slots)

    async def unstar_talk(self, attendee: Attendee, talk_id: uuid.UUID) -> None:
        await self._remove_stars(attendee, Star.talk_id == talk_id)

    async def unstar_slot(self, attendee: Attendee, slot_id: uuid.UUID) -> None:
        await self._remove_stars(attendee, Star.slot_id == slot_id)

    async def _add_stars(self, attendee: Attendee, slots: Sequence[Row[tuple[uuid.UUID, uuid.UUID]]]) -> None:
        now = utcnow()
        rows = [
            {
                "id": uuid.uuid4(),
                "attendee_id": attendee.id,
                "slot_id": slot_id,
                "talk_id": talk_id,
                "created_at": now,
                "updated_at": now,
            }
            for slot_id, talk_id in slots
        ]
        # Two taps on the same star at once: one lands, the other finds it there.
        if await insert_unless_present(self.session, Star, rows, ["attendee_id", "slot_id"]):
            await self._bump_stars(attendee)

    async def _remove_stars(self, attendee: Attendee, which: ColumnElement[bool]) -> None:
        result = await self.session.execute(delete(Star).where(Star.attendee_id == attendee.id, which))
        if result.rowcount:  # type: ignore[attr-defined]
            await self._bump_stars(attendee)

    async def _talk_of_event(self, attendee: Attendee, talk_id: uuid.UUID) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.session.scalar(
            select(Talk.id).where(Talk.id == talk_id, Talk.event_id == attendee.event_id)
        )
        return found

    async def _event(self, attendee: Attendee) -> Event:
        return await self.session.get_one(Event, attendee.event_id)

    async def _bump_stars(self, attendee: Attendee) -> None:
        await self.session.execute(
            update(Attendee).where(Attendee.id == attendee.id).values(stars_version=Attendee.stars_version + 1)
        )
        await self.session.refresh(attendee, ["stars_version"])
        await self.session.flush()

    async def starred_slot_ids(self, attendee: Attendee) -> Sequence[uuid.UUID]:
        """The occurrences this attendee starred (of talks that may since have been deleted)."""
        return (
            await self.session.scalars(
                select(Star.slot_id).where(Star.attendee_id == attendee.id).order_by(Star.created_at, Star.slot_id)
            )
        ).all()

    def starred_validators(self, attendee: Attendee, event: Event) -> Validators:
        """The tag of ``GET /me/starred``: it follows the stars and the schedule they point into."""
        etag = make_etag("me/starred", attendee.id, attendee.stars_version, event.schedule_version, event.updated_at)
        return Validators(etag=etag, cache_control="private, max-age=0, must-revalidate")

    async def personal_calendar(self, feed_file: str, alarm: int | None, base: str) -> PersonalCalendar:
        """The calendar behind a secret URL; 404 for a wrong or replaced one."""
        attendee = await self.by_feed_secret(feed_file.removesuffix(".ics")) if feed_file.endswith(".ics") else None
        if attendee is None:
            raise NotFoundError("There is no such calendar (the URL may have been replaced).", field="feed_file")
        event = await self.session.get_one(Event, attendee.event_id)
        slot_ids = await self.starred_slot_ids(attendee)
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
        return PersonalCalendar(event=event, slot_ids=slot_ids, validators=validators)
