"""The statements of a note written by a remembered author (``TakeawayService.write``).

They are built once: an ORM statement, or one built and hashed for SQLAlchemy's statement cache on
every request, costs more CPU than the database spends running it (profile in bench/RESULTS.md,
"Takeaways"). What varies is passed as parameters, except the attendee's id in the UPDATE of the
attendee row: that is how the change bus learns whose notes changed (service/live/bus.py,
``_on_execute``, reads the ids an UPDATE's WHERE compares the attendee's id with), so each
attendee's statement is built once and kept (``claim_for``).

Every condition of a plain new note is checked by the statement that writes it: the device still
signed in as the attendee (``service.attendees.devices.Author``), the event the attendee's, the
talk one of its talks, the client_id not taken. When any fails it writes nothing and returns no
row, and the caller looks for a note to repeat, then takes the full path, which answers each case.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    TextClause,
    Update,
    bindparam,
    exists,
    inspect,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.sql import operators

from service.attendees.devices import still_signed_in
from service.attendees.models import Attendee
from service.events.models import Event
from service.schedule.models import Talk
from service.takeaways.models import Takeaway

REMEMBERED_CLAIMS = 1_000
"""Attendees whose UPDATE (``claim_for``) a worker keeps built, least recently used first out: about
8.5 kB each with SQLAlchemy's cache key (measured), so 1,000 writing at once cost 8.5 MB; one that
is not kept costs 0.2 to 0.5 ms of CPU to build again."""

_attendee = cast("Table", Attendee.__table__)
_takeaway = cast("Table", Takeaway.__table__)
_talk = cast("Table", Talk.__table__)
_event = cast("Table", Event.__table__)

ABOUT_ATTENDEE = {"mapper": inspect(Attendee)}
"""Bind arguments of a Core UPDATE of the attendee row, naming its mapper for the change bus."""
ONE_STATEMENT = {"isolation_level": "AUTOCOMMIT"}
"""A note written in one statement needs no transaction around it: without one, it costs one round
trip to PostgreSQL instead of three (BEGIN and COMMIT), and commits as it returns."""

_CONDITIONS = (
    # The device is still signed in as this attendee (the condition of every write by an Author),
    "EXISTS (SELECT 1 FROM attendee_device WHERE attendee_device.id = :device_id"
    " AND attendee_device.attendee_id = attendee.id)"
    # the event is the attendee's, and the talk one of its talks,
    " AND attendee.event_id = (SELECT event.id FROM event WHERE event.slug = :slug)"
    " AND EXISTS (SELECT 1 FROM talk WHERE talk.id = :talk_id AND talk.event_id = attendee.event_id)"
    # and the client_id is not taken: a repeat writes nothing.
    " AND NOT EXISTS (SELECT 1 FROM takeaway WHERE takeaway.attendee_id = attendee.id"
    " AND takeaway.client_id = :client_id)"
)
"""The conditions of a new note, on the attendee's row, as SQL text: the change bus walks the WHERE
clause of every UPDATE, and through these checks built as expressions the walk costs about 0.4 ms
a note (measured), more than the statement itself."""
_PARAMETERS = {
    "attendee_id": bindparam("attendee_id", type_=_attendee.c.id.type),
    "device_id": bindparam("device_id", type_=_attendee.c.id.type),
    "slug": bindparam("slug", type_=_event.c.slug.type),
    "talk_id": bindparam("talk_id", type_=_talk.c.id.type),
    "client_id": bindparam("client_id", type_=_takeaway.c.client_id.type),
    **{f"note_{column.name}": bindparam(f"note_{column.name}", type_=column.type) for column in _takeaway.c},
}
"""Every parameter of these statements, typed as its column (UUIDs as SQLite stores them, say). The
note's own are named ``note_...``: a parameter named as a column of the UPDATE's table (``id``,
``updated_at``) would be taken by SQLAlchemy as a value to SET."""


def _typed(statement: str) -> TextClause:
    return text(statement).bindparams(
        *(parameter for name, parameter in _PARAMETERS.items() if f":{name}" in statement)
    )


_EVENT_TIMEZONE: ColumnElement[str] = literal_column(
    "(SELECT event.timezone FROM event WHERE event.id = attendee.event_id)"
).label("timezone")

# SQLite: the next sync position (SQLite lets one writer at a time hold the database), then the note.
_CLAIM_CONDITIONS = _typed(_CONDITIONS)
INSERT_NOTE = _typed(
    "INSERT INTO takeaway (id, attendee_id, event_id, talk_id, client_id, text, visibility, hidden, version,"
    " sync_seq, created_at, updated_at) VALUES (:note_id, :attendee_id, :note_event_id, :talk_id, :client_id,"
    " :note_text, :note_visibility, :note_hidden, :note_version, :note_sync_seq, :note_created_at,"
    " :note_updated_at) ON CONFLICT (attendee_id, client_id) DO NOTHING"
)
"""The note, unless a concurrent request with its client_id stored one first. In text because
SQLAlchemy compiles a dialect's INSERT ... ON CONFLICT anew on every execution (0.5 to 0.8 ms)."""

# PostgreSQL: both in one statement. The INSERT locks the attendee's row (FOR UPDATE, which reads
# the newest committed position even when it had to wait for another of the attendee's notes),
# numbers the note after it and stores it unless its client_id was taken meanwhile; the UPDATE
# then moves the attendee's position to the note's. So notes are numbered in commit order and a
# sync cursor never skips one, as with ``TakeawayService._next_seq``.
_NEW_NOTE = (
    _typed(
        "INSERT INTO takeaway (id, attendee_id, event_id, talk_id, client_id, text, visibility, hidden, version,"  # noqa: S608
        " sync_seq, created_at, updated_at)"
        " SELECT :note_id, attendee.id, attendee.event_id, :talk_id, :client_id, :note_text, :note_visibility,"
        " :note_hidden, :note_version, attendee.sync_counter + 1, :note_created_at, :note_updated_at"
        " FROM attendee WHERE attendee.id = :attendee_id AND "
        + _CONDITIONS
        + " FOR UPDATE OF attendee ON CONFLICT (attendee_id, client_id) DO NOTHING RETURNING attendee_id, sync_seq"
    )
    .columns(attendee_id=_takeaway.c.attendee_id.type, sync_seq=Integer)
    .cte("new_note")
)

REPEATED_NOTE: Select[Any] = (
    select(
        _takeaway.c.id,
        _takeaway.c.talk_id,
        _takeaway.c.text,
        _takeaway.c.visibility,
        _takeaway.c.version,
        _takeaway.c.created_at,
        _takeaway.c.updated_at,
        _takeaway.c.deleted_at,
        _event.c.timezone,
    )
    .join_from(_takeaway, _event, _event.c.id == _takeaway.c.event_id)
    .where(
        _takeaway.c.attendee_id == bindparam("attendee_id"),
        _takeaway.c.client_id == bindparam("client_id"),
        _event.c.slug == bindparam("slug"),
        still_signed_in(bindparam("device_id"), _takeaway.c.attendee_id),
        exists().where(_talk.c.id == bindparam("talk_id"), _talk.c.event_id == _event.c.id),
    )
)
"""The note a request repeats (its client_id is taken), if the request is otherwise in order."""

_claims: OrderedDict[tuple[str, uuid.UUID], Update] = OrderedDict()


def claim_for(attendee_id: uuid.UUID, dialect: str) -> Update:
    """The attendee's new sync position, event and its time zone, when ``_CONDITIONS`` hold (no row
    otherwise); on PostgreSQL with the note stored by the same statement (``_NEW_NOTE``)."""
    key = (dialect, attendee_id)
    claim = _claims.get(key)
    if claim is not None:
        _claims.move_to_end(key)
        return claim
    if dialect == "postgresql":
        # The note's column on the left (``==`` would put the attendee's first, as a Column is a subclass
        # of a text column): the bus reads what the attendee's id is compared with.
        claim = update(_attendee).where(
            _attendee.c.id == attendee_id, _NEW_NOTE.c.attendee_id.operate(operators.eq, _attendee.c.id)
        )
        claim = claim.values(sync_counter=_NEW_NOTE.c.sync_seq)
    else:
        claim = update(_attendee).where(_attendee.c.id == attendee_id, _CLAIM_CONDITIONS)
        claim = claim.values(sync_counter=_attendee.c.sync_counter + 1)
    claim = _claims[key] = claim.returning(_attendee.c.sync_counter, _attendee.c.event_id, _EVENT_TIMEZONE)
    while len(_claims) > REMEMBERED_CLAIMS:
        _claims.popitem(last=False)
    return claim
