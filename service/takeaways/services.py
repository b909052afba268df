"""Takeaways: idempotent creation, versioned edits, tombstones and a sync cursor, public lists."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from msgspec import UNSET
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.devices import Author
from service.attendees.models import Attendee, Star
from service.core.bounds import INT_MAX
from service.core.errors import ConflictError, InvalidParameterError, NotFoundError, StaleVersionError
from service.core.schemas import Page
from service.core.time import utcnow, zone
from service.db.inserts import insert_unless_present
from service.events.models import Event
from service.schedule.identify import no_such_talk
from service.schedule.models import Talk
from service.takeaways import queries
from service.takeaways.models import Takeaway, Visibility
from service.takeaways.schemas import (
    EventStats,
    PublicTakeaway,
    SyncPage,
    TakeawayCreate,
    TakeawayOut,
    TakeawayUpdate,
    TalkInterest,
)

IDEMPOTENCY_NAMESPACE = uuid.UUID("3b5f3f6c-1b7e-4c4e-8d0e-6b1d9f3e2a77")
SYNC_PAGE = 500


def client_id_for(body_id: uuid.UUID | None, idempotency_key: str | None) -> uuid.UUID:
    """The note's client id: the body's, else one derived from the Idempotency-Key, else new."""
    if body_id is not None:
        return body_id
    if idempotency_key:
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, idempotency_key)
    return uuid.uuid4()


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, position = text.partition(":")
        # ASCII digits within the database's range only: int() also reads "٣", and a position past
        # INT_MAX cannot be compared with the sync column (a 500 on either database).
        if version != "v1" or not (position.isascii() and position.isdigit()) or int(position) > INT_MAX:
            raise ValueError(version)
        return int(position)
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterError("since: not a cursor this service handed out.", field="since") from None


@dataclass(frozen=True, slots=True)
class Written:
    """A note as its author sees it, and whether this request created it (False: a repeat)."""

    note: TakeawayOut
    created: bool


def note_out(note: Takeaway | Row[Any], *, client_id: uuid.UUID, slug: str, timezone: str) -> TakeawayOut:
    """The note as its author sees it; instants in the event's zone, like every time we show."""
    tz = zone(timezone)
    return TakeawayOut(
        id=note.id,
        client_id=client_id,
        event=slug,
        talk_id=note.talk_id,
        text=note.text,
        visibility=note.visibility,
        version=note.version,
        created_at=note.created_at.astimezone(tz),
        updated_at=note.updated_at.astimezone(tz),
        deleted=note.deleted_at is not None,
    )


class TakeawayService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def out(self, takeaway: Takeaway, event: Event) -> TakeawayOut:
        """The note as its author sees it; instants in the event's zone, like every time we show."""
        return note_out(takeaway, client_id=takeaway.client_id, slug=event.slug, timezone=event.timezone)

    async def write(
        self, author: Author, slug: str, talk_id: uuid.UUID, data: TakeawayCreate, client_id: uuid.UUID
    ) -> Written | None:
        """``create`` for a remembered author, in the fewest statements (service/takeaways/queries.py):
        one on PostgreSQL, two on SQLite, and one more for a repeat. ``None`` when anything is not in
        order (the device signed out, an unknown event or talk, another event's talk): the caller then
        takes ``create``'s path, which answers each case."""
        dialect = self.session.bind.dialect.name
        alone = dialect == "postgresql" and not self.session.in_transaction()
        if alone:  # nothing read or written yet in this request: one statement needs no transaction
            await self.session.connection(execution_options=queries.ONE_STATEMENT)
        note_id, now = uuid.uuid4(), utcnow()
        values: dict[str, Any] = {
            "attendee_id": author.attendee_id,
            "device_id": author.device_id,
            "slug": slug,
            "talk_id": talk_id,
            "client_id": client_id,
            "note_id": note_id,
            "note_text": data.text,
            "note_visibility": data.visibility,
            "note_hidden": False,
            "note_version": 1,
            "note_created_at": now,
            "note_updated_at": now,
        }
        claim = queries.claim_for(author.attendee_id, dialect)
        claimed = (await self.session.execute(claim, values, bind_arguments=queries.ABOUT_ATTENDEE)).one_or_none()
        if claimed is not None and dialect != "postgresql":  # the note is a statement of its own
            values.update(note_sync_seq=claimed.sync_counter, note_event_id=claimed.event_id)
            if not (await self.session.execute(queries.INSERT_NOTE, values)).rowcount:  # type: ignore[attr-defined]
                # A concurrent request with this client_id stored it first (and committed: the
                # insert waited for it): this one repeats it.
                claimed = None
        if claimed is None:
            repeated = await self._repeated(values, data)
            if repeated is None and alone:
                await self.session.rollback()  # the full path reads and writes in a transaction of its own
            return repeated
        written_at = now.astimezone(zone(claimed.timezone))
        note = TakeawayOut(
            id=note_id,
            client_id=client_id,
            event=slug,
            talk_id=talk_id,
            text=data.text,
            visibility=data.visibility,
            version=1,
            created_at=written_at,
            updated_at=written_at,
        )
        return Written(note, created=True)

    async def _repeated(self, values: dict[str, Any], data: TakeawayCreate) -> Written | None:
        """The note the request repeats, or ``None`` when there is none (or the request is not in order)."""
        found = (await self.session.execute(queries.REPEATED_NOTE, values)).one_or_none()
        if found is None:
            return None
        if (found.text, found.visibility, found.talk_id) != (data.text, data.visibility, values["talk_id"]):
            raise _client_id_taken()
        note = note_out(found, client_id=values["client_id"], slug=values["slug"], timezone=found.timezone)
        return Written(note, created=False)

    async def _next_seq(self, attendee: Attendee) -> int:
        """The next sync position. The UPDATE takes this attendee's row lock, so concurrent writes
        by one attendee are numbered in the order they commit and a cursor never skips one."""
        position = await self.session.scalar(
            update(Attendee)
            .where(Attendee.id == attendee.id)
            .values(sync_counter=Attendee.sync_counter + 1)
            .returning(Attendee.sync_counter)
        )
        return int(position or 0)

    async def create(
        self, attendee: Attendee, event: Event, talk_id: uuid.UUID, data: TakeawayCreate, client_id: uuid.UUID
    ) -> tuple[Takeaway, bool]:
        """The note, and whether this call created it (False: a retry of one that exists)."""
        if attendee.event_id != event.id:
            raise NotFoundError(f"There is no talk {talk_id} at '{event.slug}' for you.", field="talk_id")
        talk_event = await self.session.scalar(select(Talk.event_id).where(Talk.id == talk_id))
        if talk_event != event.id:
            raise await no_such_talk(self.session, event, talk_id)
        existing = await self._by_client_id(attendee, client_id)
        if existing is None:
            seq = await self._next_seq(attendee)
            now = utcnow()
            values = {
                "id": uuid.uuid4(),
                "attendee_id": attendee.id,
                "event_id": event.id,
                "talk_id": talk_id,
                "client_id": client_id,
                "text": data.text,
                "visibility": data.visibility,
                "hidden": False,
                "version": 1,
                "sync_seq": seq,
                "created_at": now,
                "updated_at": now,
            }
            # Concurrent retries race here: exactly one insert lands; the others read the winner
            # below, in the same transaction.
            created = bool(await insert_unless_present(self.session, Takeaway, [values], ["attendee_id", "client_id"]))
            existing = await self._by_client_id(attendee, client_id)
            if existing is None:  # pragma: no cover - the row exists whichever insert won
                raise ConflictError("The note could not be stored; retry.", field="client_id")
            if created:
                return existing, True
        if (existing.text, existing.visibility, existing.talk_id) != (data.text, data.visibility, talk_id):
            raise _client_id_taken()
        return existing, False

    async def _by_client_id(self, attendee: Attendee, client_id: uuid.UUID) -> Takeaway | None:
        found: Takeaway | None = await self.session.scalar(
            select(Takeaway)
            .where(Takeaway.attendee_id == attendee.id, Takeaway.client_id == client_id)
            .execution_options(populate_existing=True)
        )
        return found

    async def mine(self, attendee: Attendee, takeaway_id: uuid.UUID) -> Takeaway:
        """One of the caller's notes. Someone else's is 404, exactly like one that does not exist."""
        found = await self.session.scalar(
            select(Takeaway).where(
                Takeaway.id == takeaway_id, Takeaway.attendee_id == attendee.id, Takeaway.deleted_at.is_(None)
            )
        )
        if found is None:
            raise NotFoundError(f"You have no takeaway {takeaway_id}.", field="takeaway_id")
        return found

    async def edit(self, attendee: Attendee, takeaway_id: uuid.UUID, if_match: int, data: TakeawayUpdate) -> Takeaway:
        takeaway = await self.mine(attendee, takeaway_id)
        if takeaway.version != if_match:
            raise StaleVersionError(
                f"If-Match: the note is at version {takeaway.version}, you edited version {if_match}; "
                "fetch it, merge, and send again.",
                field="If-Match",
            )
        changes = {name: getattr(data, name) for name in ("text", "visibility") if getattr(data, name) is not UNSET}
        if any(getattr(takeaway, name) != value for name, value in changes.items()):
            for name, value in changes.items():
                setattr(takeaway, name, value)
            takeaway.version += 1
            takeaway.sync_seq = await self._next_seq(attendee)
            await self.session.flush()
        return takeaway

    async def delete(self, attendee: Attendee, takeaway_id: uuid.UUID, if_match: int | None) -> None:
        takeaway = await self.mine(attendee, takeaway_id)
        if if_match is not None and takeaway.version != if_match:
            raise StaleVersionError(f"If-Match: the note is at version {takeaway.version}.", field="If-Match")
        # A tombstone, so devices that sync later learn the note is gone; the text goes now.
        takeaway.text = ""
        takeaway.deleted_at = utcnow()
        takeaway.version += 1
        takeaway.sync_seq = await self._next_seq(attendee)
        await self.session.flush()

    async def sync(
        self,
        attendee: Attendee,
        since: str | None,
        event_id: uuid.UUID | None = None,
        talk_id: uuid.UUID | None = None,
    ) -> SyncPage:
        """Everything after the cursor (tombstones included) in order; without one, every live note."""
        position = decode_cursor(since) if since else 0
        statement = (
            select(Takeaway, Event)
            .join(Event, Event.id == Takeaway.event_id)
            .where(Takeaway.attendee_id == attendee.id, Takeaway.sync_seq > position)
        )
        if since is None:
            statement = statement.where(Takeaway.deleted_at.is_(None))
        if event_id is not None:
            statement = statement.where(Takeaway.event_id == event_id)
        if talk_id is not None:
            statement = statement.where(Takeaway.talk_id == talk_id)
        rows = (await self.session.execute(statement.order_by(Takeaway.sync_seq).limit(SYNC_PAGE + 1))).all()
        more = len(rows) > SYNC_PAGE
        rows = rows[:SYNC_PAGE]
        last = rows[-1][0].sync_seq if rows else position
        if not more and not rows and since is None:
            last = attendee.sync_counter
        return SyncPage(items=[self.out(t, event) for t, event in rows], cursor=encode_cursor(last), more=more)

    async def public(self, event: Event, talk_id: uuid.UUID, limit: int, offset: int) -> Page[PublicTakeaway]:
        where = (
            Takeaway.talk_id == talk_id,
            Takeaway.event_id == event.id,
            Takeaway.visibility == Visibility.PUBLIC,
            Takeaway.hidden.is_(False),
            Takeaway.deleted_at.is_(None),
        )
        total = await self.session.scalar(select(func.count()).select_from(Takeaway).where(*where))
        rows = await self.session.execute(
            select(Takeaway, Attendee.display_name)
            .join(Attendee, Attendee.id == Takeaway.attendee_id)
            .where(*where)
            .order_by(Takeaway.created_at.desc(), Takeaway.id)
            .limit(limit)
            .offset(offset)
        )
        tz = zone(event.timezone)
        items = [
            PublicTakeaway(id=t.id, text=t.text, author=name, created_at=t.created_at.astimezone(tz))
            for t, name in rows.all()
        ]
        return Page(items=items, total=total or 0, limit=limit, offset=offset)

    async def hide(self, event: Event, takeaway_id: uuid.UUID, hidden: bool) -> None:
        takeaway = await self.session.scalar(
            select(Takeaway).where(
                Takeaway.id == takeaway_id, Takeaway.event_id == event.id, Takeaway.visibility == Visibility.PUBLIC
            )
        )
        if takeaway is None:
            raise NotFoundError(f"No public takeaway {takeaway_id} at '{event.slug}'.", field="takeaway_id")
        takeaway.hidden = hidden
        await self.session.flush()

    async def stats(self, event: Event) -> EventStats:
        live = (Takeaway.event_id == event.id, Takeaway.deleted_at.is_(None))
        counts: dict[tuple[uuid.UUID, Visibility], int] = {
            (talk_id, visibility): n
            for talk_id, visibility, n in (
                await self.session.execute(
                    select(Takeaway.talk_id, Takeaway.visibility, func.count())
                    .where(*live)
                    .group_by(Takeaway.talk_id, Takeaway.visibility)
                )
            ).all()
        }
        star_rows = await self.session.execute(
            # An attendee who starred two sessions of one workshop is one interested attendee.
            select(Star.talk_id, func.count(func.distinct(Star.attendee_id)))
            .join(Attendee, Attendee.id == Star.attendee_id)
            .where(Attendee.event_id == event.id)
            .group_by(Star.talk_id)
        )
        stars: dict[uuid.UUID, int] = {talk_id: n for talk_id, n in star_rows.all()}
        talks = (await self.session.execute(select(Talk.id, Talk.title).where(Talk.event_id == event.id))).all()
        attendees = await self.session.scalar(
            select(func.count()).select_from(Attendee).where(Attendee.event_id == event.id)
        )
        interest = [
            TalkInterest(
                talk_id=talk_id,
                title=title,
                stars=int(stars.get(talk_id, 0)),
                public_takeaways=counts.get((talk_id, Visibility.PUBLIC), 0),
                private_takeaways=counts.get((talk_id, Visibility.PRIVATE), 0),
            )
            for talk_id, title in talks
        ]
        interest.sort(key=lambda t: (-t.stars, -(t.public_takeaways + t.private_takeaways), t.title))
        return EventStats(attendees=attendees or 0, talks=interest)

    async def notes_for_digest(self, attendee: Attendee, event: Event) -> Sequence[Takeaway]:
        return (
            await self.session.scalars(
                select(Takeaway)
                .where(
                    Takeaway.attendee_id == attendee.id, Takeaway.event_id == event.id, Takeaway.deleted_at.is_(None)
                )
                .order_by(Takeaway.created_at)
            )
        ).all()


def _client_id_taken() -> ConflictError:
    return ConflictError(
        "client_id: already used for a different note; use a new id for a new note.", field="client_id"
    )
