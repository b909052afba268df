"""Importing a schedule file: parse it (format detected), then apply it to an event.

Both the HTTP route and ``plenary import`` come here. Over HTTP the work runs in a separate
process: parsing and applying a 10,000-talk file is seconds of pure Python, and it makes enough
objects that the garbage collector's full passes stop every thread of a process for a few hundred
milliseconds. In the worker itself (on the loop, or in a thread) that would stall every other
request (health checks, 304s) for that long; in a child process it stalls nothing, and the child's
address space is bounded, so a hostile file cannot take the worker's memory with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import resource
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Literal, Protocol

import msgspec
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.core.errors import InvalidFieldError, PlenaryError, UnavailableError
from service.core.time import UnknownTimeZoneError, zone
from service.db.config import sqlalchemy_config
from service.events.models import Event
from service.interop import c3voc_json, frab_xml
from service.interop.importer import ImportReport, ScheduleImporter, log_import
from service.interop.model import ScheduleDocument, ScheduleFormatError
from service.live.bus import announce_schedule
from service.live.webhooks import outbox as webhook_outbox
from service.live.webhooks.models import WebhookEndpoint
from service.settings import Settings

Vanished = Literal["cancel", "delete"]


class Parse(Protocol):
    def __call__(self, data: bytes, *, default_timezone: str | None = None) -> ScheduleDocument: ...


PARSERS: dict[str, Parse] = {"frab-xml": frab_xml.parse, "c3voc-json": c3voc_json.parse}
"""The formats an import reads, by the identifier the exports use."""


def detect(data: bytes) -> str:
    """Tell frab XML from C3VOC JSON by the first meaningful byte, whatever the file is called."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "frab-xml"
    if head.startswith((b"{", b"[")):
        return "c3voc-json"
    raise ScheduleFormatError("line 1", "neither a frab schedule.xml nor a C3VOC schedule.json")


IMPORT_MEMORY_BYTES = 2 * 1024**3
"""Address space of the import process. A real 3 MB schedule needs about 300 MB, the largest file
accepted (50 MB) a little over a gigabyte; past this bound the import fails instead of the worker."""


async def import_schedule(
    session: AsyncSession,
    event: Event,
    data: bytes,
    timezone: str | None,
    vanished: Literal["cancel", "delete"],
    *,
    zone_option: str = "?timezone=ZONE",
) -> ImportReport:
    """Parse (format detected from the content) and apply; a malformed file changes nothing.

    The HTTP route and ``plenary import`` both come here, so both fill the event the same way
    (``fill_event``); an ``event`` not yet in the session is created. ``zone_option`` is how the
    caller's user names a zone, for the report's advice.
    """
    if timezone is not None:
        try:
            zone(timezone)
        except UnknownTimeZoneError:
            raise InvalidFieldError(f"timezone: {timezone!r} is not an IANA time zone.", field="timezone") from None
    with _collector_paused():
        try:
            identifier = detect(data)
            document = PARSERS[identifier](data, default_timezone=timezone or event.timezone)
        except ScheduleFormatError as exc:
            raise InvalidFieldError(f"The file is not a readable schedule: {exc}", field=exc.where) from None
        webhook_outbox.listen()  # the changes logged here owe messages to the event's webhooks
        return await ScheduleImporter(session, event).apply(
            document,
            identifier,
            vanished,
            timezone=timezone,
            zone_option=zone_option,
            log_as_rows=not await _heard_by_webhooks(session, event),
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is parsed and applied, on again after.

    An import holds the parsed file and what is made from it (hundreds of thousands of objects)
    until it ends, and its allocations set off the collector's full passes again and again, each
    walking all of them to find next to nothing: reference counting frees what an import drops.
    That was a quarter of a 10,000-talk import's time, and peak memory is the same without it.
    Imports run in a process of their own (or the command line's), where nothing else allocates.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _heard_by_webhooks(session: AsyncSession, event: Event) -> bool:
    """Whether an enabled webhook endpoint hears of the event's changes. The outbox writes its
    messages as change-log entries are flushed as ORM objects; where none listens, the entries of
    new talks can be written as plain rows, the costliest part of a first import otherwise."""
    if inspect(event).transient:  # created by this import
        return False
    heard = await session.scalar(
        select(WebhookEndpoint.id)
        .where(WebhookEndpoint.event_id == event.id, WebhookEndpoint.enabled.is_(True))
        .limit(1)
    )
    return heard is not None


class _Outcome(msgspec.Struct, kw_only=True):
    """What comes back from the import process: the report, or the domain error to raise here."""

    report: ImportReport | None = None
    error: str | None = None
    """The PlenaryError subclass's name."""
    detail: str = ""
    field: str | None = None


_pool: ProcessPoolExecutor | None = None


def _import_pool() -> ProcessPoolExecutor:
    """One import process per worker, started on the first import and kept for the next ones.

    One at a time: a parsed 50 MB file and the objects made from it are the largest thing an import
    holds, so a second one waits for the first instead of doubling that. ``spawn``, because forking
    a process that runs an event loop and threads copies locks in whatever state they are in.
    """
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_bound_memory
        )
    return _pool


def _bound_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (IMPORT_MEMORY_BYTES, IMPORT_MEMORY_BYTES))


async def import_beside_the_loop(
    settings: Settings, event: Event, data: bytes, timezone: str | None, vanished: Vanished
) -> ImportReport:
    """Import in the import process, in a transaction of its own, committed before this returns.

    The request's own session only found the event and checked the token.
    """
    global _pool
    loop = asyncio.get_running_loop()
    try:
        encoded = await loop.run_in_executor(
            _import_pool(), _import_in_child, msgspec.json.encode(settings), event.id, data, timezone, vanished
        )
    except BrokenProcessPool:
        # The import process died (out of memory under its bound, or killed): nothing was
        # committed, and the next import gets a new process.
        _pool = None
        raise UnavailableError(
            "The import stopped before it finished (the file needs more memory than an import may use, or "
            "the import process was stopped); nothing was changed.",
            field="body",
        ) from None
    outcome = msgspec.json.decode(encoded, type=_Outcome)
    if outcome.report is None:
        kinds = {kind.__name__: kind for kind in _domain_errors()}
        raise kinds.get(outcome.error or "", InvalidFieldError)(outcome.detail, field=outcome.field)
    log_import(event.slug, outcome.report)
    # Committed by the import process; the change bus hears of it when this request commits.
    announce_schedule(event, outcome.report.version)
    return outcome.report


def _domain_errors() -> list[type[PlenaryError]]:
    found: list[type[PlenaryError]] = []
    pending = [PlenaryError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def _import_in_child(
    settings_json: bytes, event_id: uuid.UUID, data: bytes, timezone: str | None, vanished: Vanished
) -> bytes:
    """Runs in the import process: returns an encoded ``_Outcome`` (domain errors as data, since
    exceptions with keyword arguments do not survive pickling whole)."""
    settings = msgspec.json.decode(settings_json, type=Settings)
    try:
        report = asyncio.run(_import_and_commit(settings, event_id, data, timezone, vanished))
    except PlenaryError as exc:
        return msgspec.json.encode(_Outcome(error=type(exc).__name__, detail=exc.detail, field=exc.field))
    except MemoryError:
        return msgspec.json.encode(
            _Outcome(
                error=InvalidFieldError.__name__,
                detail=f"The file needs more than the {IMPORT_MEMORY_BYTES // 1024**2} MB an import may use; "
                "nothing was changed.",
                field="body",
            )
        )
    return msgspec.json.encode(_Outcome(report=report))


async def _import_and_commit(
    settings: Settings, event_id: uuid.UUID, data: bytes, timezone: str | None, vanished: Vanished
) -> ImportReport:
    engine = sqlalchemy_config(settings).get_engine()
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            event = await session.get_one(Event, event_id)
            report = await import_schedule(session, event, data, timezone, vanished)
            await session.commit()
            return report
    finally:
        await engine.dispose()
