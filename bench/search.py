"""Search by words at 10,000 talks: GET /events/bench-N/schedule?q=... against baselines.

  python -m bench search --database-url sqlite+aiosqlite:///bench/out/search-10000.db
  python -m bench search --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/plenary_bench

The database is migrated and, unless it already holds it, given the synthetic event ``bench-N`` of
bench/generate.py (which writes rows without the service's session hooks), whose search documents
are then rebuilt, timed; on PostgreSQL the tables are then analysed, as autovacuum soon would. The
app runs in this process with the render cache off (``PLENARY_RENDER_CACHE_MB=0``, so every request
queries and renders) and is asked over ASGI, one request at a time: no network and no queueing,
just what one request costs. Each request runs ``--requests`` times (fewer when one takes long: at
least ``--min-requests`` and about ``--seconds`` per request kind) after ``--warmup`` unmeasured
ones.

Baselines, measured in the same run: ``/health`` (the framework alone) and two schedules filtered
without ``q``: one room (about 25 talks: the same code path as a selective search) and one day
(about a third of the event: as large as a search for common words). The "search SQL" column
times the search subquery alone (``count(*)`` of the matching talk ids), without the schedule.
"app CPU/req" is this process's CPU time (all threads, SQLite's work included, PostgreSQL's not)
per request: less moved by other jobs on the machine than the wall times; each p50 is also given
as a multiple of ``/health``'s. It first waits (at most ``--quiet-wait`` seconds) for a nearly idle
machine. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from bench.generate import FIRST_DAY, build_event, write_event
from bench.machine import wait_quiet
from service.app import create_app
from service.db.config import attach_sqlite_pragmas
from service.db.migrate import upgrade
from service.events.models import Event
from service.schedule import search
from service.settings import Settings

QUERIES = (
    ("sparse attention", "two common words of titles and abstracts"),
    ("olga petrov", "a speaker's name"),
    ("comp vis", "two prefixes, as typed (track Computer Vision, words compiler, ...)"),
    ("hall 19", "a room's name (Hall 19, Hall 193, ...)"),
    ("zebra crossing", "words no talk has"),
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.2f} s"


async def prepare(database_url: str, talks: int) -> tuple[uuid.UUID, float, str]:
    """The event's id, the seconds its search documents took to rebuild, and the index's size."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    if database_url.startswith("sqlite"):
        attach_sqlite_pragmas(engine)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            event_id = await session.scalar(select(Event.id).where(Event.slug == f"bench-{talks}"))
        if event_id is None:
            generated = build_event(talks)
            await write_event(database_url, generated)
            event_id = generated.event.id
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            started = time.perf_counter()
            await search.rebuild_event(session, event_id)
            await session.commit()
            rebuilt = time.perf_counter() - started
            if search.dialect_of(session) == "postgresql":
                # What autovacuum does within a minute of a bulk load; without statistics the
                # planner probes talk_search once per slot instead of using the GIN index.
                await session.execute(text("ANALYZE"))
                await session.commit()  # statistics a rolled-back ANALYZE gathered are gone with it
            return event_id, rebuilt, await index_size(session)
    finally:
        await engine.dispose()


async def index_size(session: AsyncSession) -> str:
    if search.dialect_of(session) == "postgresql":
        size = await session.scalar(text("SELECT pg_size_pretty(pg_total_relation_size('talk_search'))"))
        return f"{size} (table, TOAST and indexes)"
    try:  # dbstat needs an SQLite built with SQLITE_ENABLE_DBSTAT_VTAB
        size = await session.scalar(text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'talk_search%'"))
    except DBAPIError:
        return "size unknown (no dbstat in this SQLite)"
    return f"{(size or 0) / 1024 / 1024:.1f} MiB (FTS5 table and shadow tables)"


async def search_sql(database_url: str, event_id: uuid.UUID, q: str, runs: int) -> tuple[int, float]:
    """Matching talks and the median time of the search subquery alone."""
    engine = create_async_engine(database_url)
    try:
        async with async_sessionmaker(engine)() as session:
            statement = select(func.count()).select_from(
                search.matching_talks(search.dialect_of(session), event_id, q).subquery()
            )
            times, count = [], 0
            for _ in range(runs + 2):
                started = time.perf_counter()
                count = int(await session.scalar(statement) or 0)
                times.append(time.perf_counter() - started)
            return count, statistics.median(times[2:])
    finally:
        await engine.dispose()


async def measure(
    client: AsyncTestClient[Litestar], path: str, args: argparse.Namespace
) -> tuple[list[float], int, float]:
    """Wall times of the requests, entries in the last answer, and this process's CPU per request."""
    for _ in range(args.warmup):
        response = await client.get(path)
    times: list[float] = []
    budget = time.perf_counter() + args.seconds
    cpu = time.process_time()
    while len(times) < args.requests and (len(times) < args.min_requests or time.perf_counter() < budget):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}: {response.text[:200]}")
    cpu = (time.process_time() - cpu) / len(times)
    body = response.json()
    entries = sum(len(day["talks"]) for day in body["days"]) if "days" in body else 0
    return times, entries, cpu


async def measure_all(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    event_id, rebuilt, size = await prepare(args.database_url, args.talks)
    slug = f"bench-{args.talks}"
    settings = Settings(
        database_url=args.database_url,
        migrate_on_start=False,
        load_demo=False,
        render_cache_mb=0,
        log_level="warning",
    )
    rows = []
    wait_quiet(args.quiet_wait)
    async with AsyncTestClient(app=create_app(settings)) as client:
        baselines = [
            ("/health", "baseline: the framework alone"),
            (f"/events/{slug}/schedule?room=room-1", "baseline: one room, no q"),
            (f"/events/{slug}/schedule?day={FIRST_DAY.isoformat()}", "baseline: one day, no q"),
        ]
        for path, what in baselines:
            times, entries, cpu = await measure(client, path, args)
            rows.append((f"`{path.replace(slug, 'N')}`", what, entries, "", times, cpu))
        for q, what in QUERIES:
            count, sql = await search_sql(args.database_url, event_id, q, args.sql_runs)
            times, entries, cpu = await measure(client, f"/events/{slug}/schedule?q={q.replace(' ', '%20')}", args)
            rows.append((f"`q={q}`", what, entries, f"{count:,} talks, {ms(sql)}", times, cpu))
    backend = args.database_url.split(":", 1)[0]
    print(f"\n{backend}, event {slug}: search documents rebuilt in {rebuilt:.1f} s; index {size}")
    print(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after\n")
    print(
        "| request | what | entries | search SQL alone (median) | requests | p50 | p99 | p50 ÷ /health | app CPU/req |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    health_p50 = percentile(rows[0][4], 0.5)
    for name, what, entries, sql_cell, times, cpu in rows:
        p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
        print(
            f"| {name} | {what} | {entries:,} | {sql_cell} | {len(times)} | {ms(p50)} | {ms(p99)} "
            f"| {p50 / health_p50:,.0f} | {ms(cpu)} |"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", required=True, help="SQLAlchemy async URL")
    parser.add_argument("--talks", type=int, default=10_000, help="size of the synthetic event (default 10000)")
    parser.add_argument("--requests", type=int, default=200, help="requests per kind at most (default 200)")
    parser.add_argument("--min-requests", type=int, default=20, help="requests per kind at least (default 20)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time per kind once at least (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests first (default 3)")
    parser.add_argument("--sql-runs", type=int, default=20, help="runs of the search SQL alone (default 20)")
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=300,
        help="seconds to wait for an idle machine (default 300; 0: none)",
    )


def run(args: argparse.Namespace) -> int:
    upgrade(args.database_url)  # blocking, and must run outside the event loop
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(measure_all(args))
    return 0
