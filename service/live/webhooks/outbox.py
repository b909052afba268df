"""The outbox: a message owed to each enabled endpoint, written in the transaction of its change.

A session event writes it as change-log rows are flushed, whoever flushes them (the editor, an
import in its own process, the CLI), so a change is committed with its messages or not at all.
The payload is fixed here, as ``GET /events/{slug}/changes`` shows the change, so every attempt
sends the same bytes. After the COMMIT the delivery workers of this process are woken; those of
other processes find the rows when they next look.
"""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections.abc import Iterable
from typing import Any

import msgspec
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, UOWTransaction

from service.core.time import zone
from service.events.models import Event
from service.live.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from service.schedule.changes import ChangeOut, localised
from service.schedule.models import ScheduleChange

_WRITTEN = "plenary.webhooks.written"
_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def payload(slug: str, timezone: str, change: ScheduleChange) -> str:
    """The JSON body of the message telling of ``change``, in the event's zone."""
    tz = zone(timezone)
    item = ChangeOut(
        version=change.version,
        kind=change.kind,
        talk_id=change.talk_id,
        slot_id=change.slot_id,
        title=change.title,
        detail=localised(change.kind, change.detail, tz),
        at=change.created_at.astimezone(tz),
    )
    body: dict[str, Any] = {
        "type": "schedule.changed",
        "timestamp": item.at,
        "data": {"event": slug, "version": change.version, "change": item},
    }
    return msgspec.json.encode(body).decode()


def _write_outbox(session: Session, _context: UOWTransaction) -> None:
    changes = [row for row in session.new if isinstance(row, ScheduleChange)]
    if not changes:
        return
    connection = session.connection()
    event_ids = {change.event_id for change in changes}
    endpoints: dict[uuid.UUID, list[uuid.UUID]] = {}
    for endpoint_id, event_id in connection.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.event_id).where(
            WebhookEndpoint.event_id.in_(event_ids), WebhookEndpoint.enabled.is_(True)
        )
    ):
        endpoints.setdefault(event_id, []).append(endpoint_id)
    if not endpoints:
        return
    events = {
        row.id: (row.slug, row.timezone)
        for row in connection.execute(select(Event.id, Event.slug, Event.timezone).where(Event.id.in_(endpoints)))
    }
    now = datetime.datetime.now(datetime.UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "endpoint_id": endpoint_id,
            "change_id": change.id,
            "version": change.version,
            "payload": payload(*events[change.event_id], change),
            "state": DeliveryState.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for change in changes
        for endpoint_id in endpoints.get(change.event_id, [])
    ]
    connection.execute(insert(WebhookDelivery), rows)
    session.info[_WRITTEN] = True


def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WRITTEN, False):
        wake_workers()


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def wake_workers() -> None:
    """Wake this process's delivery workers (from any thread)."""
    for loop, wake in list(_wakers):
        if not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)


def add_waker(loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> None:
    _wakers.add((loop, wake))


def remove_waker(loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> None:
    _wakers.discard((loop, wake))


def listen() -> None:
    """Write the outbox with every flushed change-log row, in this process (idempotent)."""
    handlers: Iterable[tuple[str, Any]] = (
        ("after_flush", _write_outbox),
        ("after_commit", _wake_after_commit),
        ("after_rollback", _forget_after_rollback),
    )
    for name, handler in handlers:
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)
