"""Publish after COMMIT: SQLAlchemy session events collect what a transaction changed, and the
commit (never a flush, never a rollback) hands it to the change bus.

``after_flush`` sees the ORM rows a flush wrote (change-log entries, schedule versions, takeaways,
stars); ``do_orm_execute`` sees the statements that bypass the ORM (sync counters, star
versions, schedule versions bumped for many events at once). Both only note it in
``session.info``; ``after_commit`` publishes and ``after_rollback`` forgets. A session whose engine
has no publisher attached (``plenary import``, the import process, test sessions) publishes nothing.
"""

from __future__ import annotations

import logging
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, object_session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnElement
from sqlalchemy.sql.schema import Column

from service.attendees.models import Attendee, Star
from service.events.models import Event
from service.live.messages import AttendeeChanged, Message, Resync, ScheduleChanged
from service.schedule.models import ScheduleChange
from service.takeaways.models import Takeaway

logger = logging.getLogger("plenary.live")

Publish = Callable[[Iterable[Message]], None]

_PENDING = "plenary.live.pending"
_publishers: weakref.WeakKeyDictionary[Engine, Publish] = weakref.WeakKeyDictionary()


@dataclass
class _Pending:
    """What one transaction changed so far: newest version per event, newest position per attendee."""

    schedules: dict[uuid.UUID, int] = field(default_factory=dict)
    attendees: dict[uuid.UUID, int] = field(default_factory=dict)
    resync: bool = False

    def schedule(self, event_id: uuid.UUID, version: int) -> None:
        self.schedules[event_id] = max(version, self.schedules.get(event_id, 0))

    def attendee(self, attendee_id: uuid.UUID, position: int = 0) -> None:
        self.attendees[attendee_id] = max(position, self.attendees.get(attendee_id, 0))

    def messages(self) -> list[Message]:
        found: list[Message] = [Resync()] if self.resync else []
        found += [ScheduleChanged(event_id=k, version=v) for k, v in self.schedules.items()]
        found += [AttendeeChanged(attendee_id=k, position=v) for k, v in self.attendees.items()]
        return found


def attach_publisher(engine: Engine, publish: Publish) -> None:
    """Publish what sessions on ``engine`` commit (the app's engine, while the app runs)."""
    _publishers[engine] = publish


def detach_publisher(engine: Engine) -> None:
    _publishers.pop(engine, None)


def announce_schedule(row: Event, version: int) -> None:
    """Publish ``version`` of ``row``'s schedule when the session ``row`` belongs to commits.

    For changes committed elsewhere (the import process), announced by the request that waited.
    """
    session = object_session(row)
    if session is not None:
        _pending(session).schedule(row.id, version)


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = _Pending()
    return pending


def _version_changed(row: Event) -> bool:
    return bool(inspect(row).attrs.schedule_version.history.has_changes())


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    pending = _pending(session)
    for row in session.new:
        if isinstance(row, ScheduleChange):
            pending.schedule(row.event_id, row.version)
        elif isinstance(row, Takeaway):
            pending.attendee(row.attendee_id, row.sync_seq or 0)
        elif isinstance(row, Star):
            pending.attendee(row.attendee_id)
    for row in session.dirty:
        if isinstance(row, Event) and _version_changed(row):
            pending.schedule(row.id, row.schedule_version)
        elif isinstance(row, Takeaway):
            pending.attendee(row.attendee_id, row.sync_seq or 0)
    for row in session.deleted:
        if isinstance(row, Star | Takeaway):
            pending.attendee(row.attendee_id)
        elif isinstance(row, Attendee):  # forgotten: their streams end
            pending.attendee(row.id)


def _ids_compared_with(where: Any, column: ColumnElement[Any]) -> list[uuid.UUID] | None:
    """The ids a WHERE clause compares ``column`` with (``=`` or ``IN`` a list), or None when it
    names them some other way (a subquery)."""
    ids: list[uuid.UUID] = []
    for node in visitors.iterate(where):
        if isinstance(node, BinaryExpression) and isinstance(node.left, Column) and node.left.compare(column):
            if not isinstance(node.right, BindParameter):
                return None
            value: object = node.right.value
            values = value if isinstance(value, list | tuple) else [value]
            ids.extend(item for item in values if isinstance(item, uuid.UUID))
    return ids or None


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    where = getattr(state.statement, "whereclause", None)
    if mapper is not None and mapper.class_ is Attendee:
        for attendee_id in _ids_compared_with(where, Attendee.__table__.c.id) or []:
            _pending(state.session).attendee(attendee_id)
    elif mapper is not None and mapper.class_ is Event and state.is_update:
        # Versions bumped by statement (a speaker shown at many events): which ones is not known here.
        _pending(state.session).resync = True


def _after_commit(session: Session) -> None:
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    messages = pending.messages()
    bind = session.bind
    publish = _publishers.get(bind) if isinstance(bind, Engine) else None
    if messages and publish is not None:
        publish(messages)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def listen() -> None:
    """Register the session events, once per process (idempotent)."""
    for name, handler in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)
