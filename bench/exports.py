"""Cold renders of the schedule exports (frab schedule.xml, C3VOC schedule.json) at N talks, cache off.

The exports are rendered from the database on every request when the render cache is off
(PLENARY_RENDER_CACHE_MB=0), as the first request for each new schedule version is with it on.
For each N this command fills a fresh SQLite file with the event bench-N (bench/generate.py),
starts one `plenary serve` worker with the cache off, and measures:

  1. checks: each export answers 200 with its media type and an ETag, 304 for If-None-Match, and
     a throwaway query parameter changes the ETag but not the body (bench/unique.lua relies on it);
  2. one request at a time, --single-runs rounds, each round asking in turn for GET /health, the
     schedule JSON (GET /events/bench-N/schedule, cold too: the baseline of the same event),
     schedule.xml and schedule.json: the medians, each export's as a ratio to the schedule JSON's
     and to /health's, and the server's CPU per request meanwhile (from /proc, 10 ms ticks);
  3. wrk: GET /health (the ceiling), then each export and the schedule JSON with bench/unique.lua
     (every request has its own ETag, so every request renders), --full-connections connections,
     long enough for about --full-min-requests requests; req/s as a share of the ceiling;
  4. in a separate Python process (so --revision holds), the CPU (time.process_time, every
     thread) of --cpu-runs cold renders of each, interleaved, through the code the routes run:
     the whole export (read, document, render), and its parts: read_slots alone, the rest of the
     document (rooms, tracks, building it), the render alone, and gzip at level 6 (what
     core/http.compress adds for a client that accepts gzip). Medians; the machine's other jobs
     change these far less than they change wall times.

Then the growth of each figure from N to the next size (linear is x10 from 1,000 to 10,000).
Before the server it waits (at most --quiet-wait seconds) for a nearly idle machine. Results:
bench/out/exports/results.md, with the bodies, wrk outputs, CPU accounting and server logs.

  python -m bench exports                                # N = 100, 1000, 10000, the working tree
  python -m bench exports --revision HEAD                # the committed service
  python -m bench exports --sizes 1000 --duration 3 --quiet-wait 0   # a quick one
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.harness import (
    BENCH,
    OUT,
    REPOSITORY,
    BenchError,
    Load,
    Server,
    WrkRun,
    add_wrk_options,
    fetch,
    generate_event,
    median,
    ms,
    pin_revision,
    require_tools,
    sqlite_file,
)
from bench.machine import CLOCK_TICKS, process_cpu, say, wait_quiet
from bench.schedule import check_conditional, full_duration

EXPORTS = (
    ("frab-xml", "schedule.xml", "application/xml"),
    ("c3voc-json", "schedule.json", "application/json"),
)
"""The exporter's identifier, the route's last segment, and the media type it answers with."""
BASELINE = "schedule JSON"
PARTS = ("whole", "read_slots", "document", "render", "gzip")
"""The in-process figures of an export: the whole of it, then its parts."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="talks per event")
    add_wrk_options(parser)
    parser.add_argument("--full-connections", type=int, default=2, help="wrk connections on a cold render (2)")
    parser.add_argument("--full-min-requests", type=int, default=20, help="cold requests per wrk run, at least (20)")
    parser.add_argument("--max-duration", type=int, default=120, help="seconds of a cold wrk run at most (120)")
    parser.add_argument("--single-runs", type=int, default=7, help="rounds of single requests (default 7)")
    parser.add_argument("--cpu-runs", type=int, default=7, help="in-process renders of each, for the CPU medians (7)")
    parser.add_argument("--no-wrk", action="store_true", help="leave out the wrk runs (single requests and CPU only)")


@dataclass(frozen=True)
class Single:
    """One endpoint's single requests: wall times (sorted) and the server's CPU per request."""

    seconds: list[float]
    cpu: float

    @property
    def median(self) -> float:
        return median(self.seconds)


def single_requests(server: Server, paths: dict[str, str], rounds: int) -> dict[str, Single]:
    """``rounds`` rounds, each asking every path once in turn, so a busy moment hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    ticks: dict[str, int] = dict.fromkeys(paths, 0)
    for round_number in range(rounds):
        for name, path in paths.items():
            before = process_cpu(server.pid)
            answer = fetch(server.url(f"{path}?bench-single={round_number}"))
            ticks[name] += process_cpu(server.pid) - before
            if answer.status != 200:
                raise BenchError(f"GET {path} answered {answer.status}")
            times[name].append(answer.seconds)
    return {name: Single(sorted(times[name]), ticks[name] / CLOCK_TICKS / rounds) for name in paths}


def in_process_cpu(database_url: str, slug: str, runs: int, out: Path) -> dict[str, dict[str, float]]:
    """The CPU medians of ``cpu_main``, run in a process of its own (which imports the pinned service)."""
    # From `out`, so that `python -c` does not put the repository's service/ ahead of a pinned one.
    path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(REPOSITORY)]))
    command = [sys.executable, "-c", "import sys, bench.exports as m; m.cpu_main(sys.argv[1:])"]
    finished = subprocess.run(
        [*command, database_url, slug, str(runs)],
        cwd=out,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise BenchError(f"the in-process measurement failed:\n{finished.stderr}")
    figures: dict[str, dict[str, float]] = json.loads(finished.stdout)
    return figures


def cpu_main(argv: list[str]) -> None:
    """Print the CPU medians (seconds) of cold renders as JSON: {name: {part: seconds}}."""
    import asyncio

    asyncio.run(_cpu(argv[0], argv[1], int(argv[2])))


async def _cpu(database_url: str, slug: str, runs: int) -> None:
    import functools
    import gzip
    import statistics
    import time
    from collections.abc import Awaitable, Callable

    import msgspec
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

    from service.db.config import attach_sqlite_pragmas
    from service.events.models import Event
    from service.interop import c3voc_json, frab_xml
    from service.interop.exporters import EXPORTERS, ExportSource, export_document
    from service.schedule import queries
    from service.schedule.services import ScheduleFilter, ScheduleService

    engine = create_async_engine(database_url)
    attach_sqlite_pragmas(engine)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        event = (await session.scalars(select(Event).where(Event.slug == slug))).one()
        document = await export_document(session, event)
    bodies = {"frab-xml": frab_xml.render(document), "c3voc-json": c3voc_json.render(document)}

    async def schedule_json(session: AsyncSession) -> object:
        return msgspec.json.encode(await ScheduleService(session=session).schedule(event, ScheduleFilter()))

    async def read_slots(session: AsyncSession) -> object:
        return await queries.read_slots(session, event.id, queries.schedule_rows(event.id))

    async def whole(identifier: str, session: AsyncSession) -> object:
        return await EXPORTERS[identifier].render(ExportSource(session=session, event=event))

    measured: dict[str, Callable[[AsyncSession], Awaitable[object]]] = {
        BASELINE: schedule_json,
        "read_slots": read_slots,
        "export_document": lambda session: export_document(session, event),
    }
    for identifier in bodies:
        measured[f"{identifier} whole"] = functools.partial(whole, identifier)
    pure: dict[str, Callable[[], object]] = {
        "frab-xml render": lambda: frab_xml.render(document),
        "c3voc-json render": lambda: c3voc_json.render(document),
        "frab-xml gzip": lambda: gzip.compress(bodies["frab-xml"], 6, mtime=0),
        "c3voc-json gzip": lambda: gzip.compress(bodies["c3voc-json"], 6, mtime=0),
    }
    seconds: dict[str, list[float]] = {name: [] for name in [*measured, *pure]}
    for _ in range(runs):
        for name, call in measured.items():
            async with sessions() as session:
                started = time.process_time()
                await call(session)
                seconds[name].append(time.process_time() - started)
        for name, run in pure.items():
            started = time.process_time()
            run()
            seconds[name].append(time.process_time() - started)
    await engine.dispose()
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    figures = {BASELINE: {"whole": medians[BASELINE]}}
    for identifier in bodies:
        figures[identifier] = {
            "whole": medians[f"{identifier} whole"],
            "read_slots": medians["read_slots"],
            "document": medians["export_document"] - medians["read_slots"],
            "render": medians[f"{identifier} render"],
            "gzip": medians[f"{identifier} gzip"],
        }
    print(json.dumps(figures))


@dataclass
class SizeResult:
    talks: int
    bodies: dict[str, int]
    singles: dict[str, Single]
    cpu: dict[str, dict[str, float]]
    wrk_rows: list[str]


def one_size(n: int, args: argparse.Namespace, out: Path) -> SizeResult:
    say(f"== N={n}")
    url = sqlite_file(out / f"bench-{n}.db")
    generate_event(url, n)
    event_path = f"/events/bench-{n}"
    paths = {"/health": "/health", BASELINE: f"{event_path}/schedule"}
    paths.update({identifier: f"{event_path}/{route}" for identifier, route, _ in EXPORTS})

    wait_quiet(args.quiet_wait)
    say("  server with PLENARY_RENDER_CACHE_MB=0")
    bodies: dict[str, int] = {}
    rows: list[str] = []
    log = out / f"server-{n}.log"
    with Server(url, log, settings={"PLENARY_RENDER_CACHE_MB": "0"}) as server:
        for identifier, route, media_type in EXPORTS:
            first, _etag = check_conditional(server, paths[identifier], out, f"{route}-{n}")
            if not first.header("content-type").startswith(media_type):
                raise BenchError(f"{paths[identifier]} answered {first.header('content-type')}, not {media_type}")
            bodies[identifier] = len(first.body)
        baseline = fetch(server.url(paths[BASELINE]))
        bodies[BASELINE] = len(baseline.body)
        singles = single_requests(server, paths, args.single_runs)
        for name, single in singles.items():
            say(f"  {name}: {ms(single.median)} alone (median), server CPU {ms(single.cpu)} per request")
        if not args.no_wrk:
            measure = Load(server, out / f"wrk-{n}", args)
            ceiling = measure("health", "/health")
            rows.append(wrk_row(n, "GET /health (ceiling), cache-off server", ceiling, ceiling, None))
            for name in (*(identifier for identifier, _, _ in EXPORTS), BASELINE):
                cold = measure(
                    f"{name.replace(' ', '-')}-cold",
                    paths[name],
                    connections=args.full_connections,
                    seconds=full_duration(args, singles[name].median),
                    options=["-s", str(BENCH / "unique.lua")],
                )
                label = f"{paths[name]} (200), cache off: renders every time"
                rows.append(wrk_row(n, label, cold, ceiling, bodies[name]))
    say("  in-process CPU")
    cpu = in_process_cpu(url, f"bench-{n}", args.cpu_runs, out)
    return SizeResult(n, bodies, singles, cpu, rows)


def wrk_row(talks: int, endpoint: str, run: WrkRun, ceiling: WrkRun, body: int | None) -> str:
    return wrk.row(run.result, talks=talks, endpoint=endpoint, ceiling=ceiling.result, body_bytes=body, cpu=run.cpu)


def milliseconds(seconds: float) -> str:
    return wrk.format_ms(seconds * 1000)


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if baseline > 0 else wrk.NONE


def single_table(results: list[SizeResult], runs: int) -> list[str]:
    lines = [
        f"| N | endpoint | body | alone: median of {runs} (min to max) | vs {BASELINE} | vs /health "
        "| server CPU per request |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        health = result.singles["/health"].median
        baseline = result.singles[BASELINE].median
        for name in (*(identifier for identifier, _, _ in EXPORTS), BASELINE, "/health"):
            single = result.singles[name]
            spread = f"{milliseconds(single.seconds[0])} to {milliseconds(single.seconds[-1])}"
            lines.append(
                f"| {result.talks} | {name} | {wrk.format_bytes(result.bodies.get(name))} "
                f"| {milliseconds(single.median)} ({spread}) "
                f"| {ratio(single.median, baseline)} | {single.median / health:.0f}x | {milliseconds(single.cpu)} |"
            )
    return lines


def cpu_table(results: list[SizeResult], runs: int) -> list[str]:
    lines = [
        f"| N | export | CPU, whole export (median of {runs}) | vs {BASELINE} (CPU) | read_slots "
        "| rest of the document | render | + gzip -6 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        baseline = result.cpu[BASELINE]["whole"]
        lines.append(f"| {result.talks} | {BASELINE} | {milliseconds(baseline)} | 1.00 | | | | |")
        for identifier, _, _ in EXPORTS:
            parts = result.cpu[identifier]
            whole = parts["whole"]
            shares = " | ".join(f"{milliseconds(parts[part])} ({parts[part] / whole:.0%})" for part in PARTS[1:4])
            lines.append(
                f"| {result.talks} | {identifier} | {milliseconds(whole)} | {ratio(whole, baseline)} | {shares} "
                f"| {milliseconds(parts['gzip'])} |"
            )
    return lines


def growth_table(results: list[SizeResult]) -> list[str]:
    """Each figure at a size over the same figure at the size before it (sizes in the order given)."""
    lines = ["| from N to N | figure | growth |", "|---|---|---:|"]
    for smaller, larger in itertools.pairwise(results):
        step = f"{smaller.talks} to {larger.talks} (x{larger.talks / smaller.talks:g} talks)"
        for name in (*(identifier for identifier, _, _ in EXPORTS), BASELINE):
            growth = larger.singles[name].median / smaller.singles[name].median
            lines.append(f"| {step} | {name}, alone (wall) | x{growth:.1f} |")
        for identifier, _, _ in EXPORTS:
            for part in ("whole", "render"):
                growth = larger.cpu[identifier][part] / smaller.cpu[identifier][part]
                lines.append(f"| {step} | {identifier}, {part} (CPU, in process) | x{growth:.1f} |")
    return lines


def run(args: argparse.Namespace) -> int:
    require_tools()
    out = OUT / "exports"
    out.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    started = revision()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = [
        f"<!-- {now}, commit {started}, {os.cpu_count()} cores; one worker, PLENARY_RENDER_CACHE_MB=0;",
        f"     wrk -t{args.threads} -d{args.duration}s --timeout {args.timeout} --latency,"
        f" /health -c{args.connections}, cold renders -c{args.full_connections},"
        f" at least {args.full_min_requests} requests,"
        f" at most {args.max_duration}s -->",
    ]
    results: list[SizeResult] = []
    text = ""
    for n in args.sizes:
        results.append(one_size(n, args, out))
        sections = [
            *header,
            "",
            *single_table(results, args.single_runs),
            "",
            *cpu_table(results, args.cpu_runs),
        ]
        if not args.no_wrk:
            sections += ["", wrk.header(), *(row for result in results for row in result.wrk_rows)]
        if len(results) > 1:
            sections += ["", *growth_table(results)]
        text = "\n".join(sections) + "\n"
        (out / "results.md").write_text(text)  # so far, in case a later size fails
    if (ended := revision()) != started:
        text += f"\nNote: the tree changed during the run: {started} at the start, {ended} at the end.\n"
        (out / "results.md").write_text(text)
    print(text, end="")
    return 0
