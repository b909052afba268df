"""Growth on PostgreSQL: events of 100, 1,000 and 10,000 talks, servers of 1, 2 and 4 workers.

For each number of workers W one `plenary serve --workers W` (PLENARY_ATTENDEE_WRITES_PER_MINUTE
raised out of the way) runs on a PostgreSQL database holding the synthetic events bench-100,
bench-1000 and bench-10000 (bench/generate.py). The database's public schema is dropped and the
events generated once at the start, unless --keep-database finds them there. For each event N:

  - health: GET /health, the ceiling every other figure of (W, N) is a ratio of;
  - gzip: the schedule, cached (200, Accept-Encoding: gzip), after every worker rendered it once;
  - 304: the schedule with If-None-Match (no query, no body);
  - cold-schedule: the schedule rendered per request (bench/unique.lua: a new ETag each time), W
    connections, long enough for about --cold-min-requests renders (at most --cold-max-duration s);
  - cold-feed: the same for the calendar feed, /events/bench-N/calendar.ics;
  - takeaways: takeaway creates (bench/takeaways.lua, one new attendee per connection, -t32 -c32),
    then the rows of those attendees checked against what the server acknowledged
    (bench/takeaway_checks.py: every acknowledged note stored once, nothing else).

wrk runs -t2 -c32 (takeaways -t32 -c32) for --duration seconds. Every row has its ratio to the
/health of the same server measured just before, the server's CPU per request (all its workers),
PostgreSQL's (the backends connected to the benchmark's database), the CPU that the rest
of the machine used meanwhile, and the command that measures that row again. Results:
bench/out/growth/results.md, with wrk's outputs (W-N-NAME.txt), CPU accounting (.cpu), server logs.

  python -m bench growth --quiet-wait 0                         # the whole table, ~10 minutes
  python -m bench growth --sizes 1000 --workers 2 --only gzip   # one row (and its /health)
  python -m bench growth --duration 2 --sizes 100 1000 --workers 1 2 --quiet-wait 0   # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no types

from bench import takeaway_checks as checks
from bench import wrk
from bench.harness import (
    BENCH,
    OUT,
    BenchError,
    Server,
    WrkRun,
    add_wrk_options,
    beside,
    fetch,
    generate_event,
    pin_revision,
    require_tools,
    run_wrk,
    worker_pids,
)
from bench.machine import process_cpu, say, tree_cpu, wait_quiet
from bench.memory import connection_per_worker, has_event

DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/plenary_test_g"
MEASURES = ("gzip", "304", "cold-schedule", "cold-feed", "takeaways")
"""Besides /health, which every (workers, talks) pair measures first."""
WRITERS = 32
"""Connections (and wrk threads, and attendees) of the takeaway run, as `python -m bench takeaways`."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="talks per event")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="servers' workers (1 2 4)")
    parser.add_argument("--only", nargs="+", choices=MEASURES, default=list(MEASURES), help="measures (all)")
    parser.add_argument("--database-url", default=DATABASE, help=f"PostgreSQL, async URL (default {DATABASE})")
    parser.add_argument(
        "--keep-database", action="store_true", help="use the events already there (else: drop the schema first)"
    )
    parser.add_argument("--cold-min-requests", type=int, default=10, help="renders per cold run, about (10)")
    parser.add_argument("--cold-max-duration", type=int, default=20, help="seconds of a cold run at most (20)")
    add_wrk_options(parser)
    parser.set_defaults(duration=5, quiet_wait=20)
    for action in parser._actions:
        if action.dest == "duration":
            action.help = "seconds of each wrk run (default 5)"
        elif action.dest == "quiet_wait":
            action.help = "seconds to wait for an idle machine before each server (default 20; 0: no wait)"


@dataclass(frozen=True)
class Row:
    workers: int
    talks: int
    name: str
    what: str
    run: WrkRun
    health: WrkRun
    body_bytes: int | None = None
    check: str = ""


def reset_schema(url: str) -> None:
    """An empty public schema: the database is this benchmark's own."""

    async def reset() -> None:
        connection = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
        try:
            await connection.execute("drop schema public cascade; create schema public")
        finally:
            await connection.close()

    asyncio.run(reset())


class OneServer:
    """The runs of one server (W workers) on every event; files W-N-NAME.*"""

    def __init__(self, workers: int, args: argparse.Namespace, out: Path) -> None:
        self.workers, self.args, self.out = workers, args, out
        self.server = Server(
            args.database_url,
            out / f"server-{workers}.log",
            workers=workers,
            settings={"PLENARY_ATTENDEE_WRITES_PER_MINUTE": "1000000"},
        )
        self.failed = False

    def database_cpu(self) -> int:
        return backends_cpu(self.args.database_url.rsplit("/", 1)[-1])

    def wrk(
        self,
        stem: str,
        path: str,
        *,
        connections: int,
        threads: int,
        seconds: int,
        options: Sequence[str] = (),
        **lua: str,
    ) -> WrkRun:
        return run_wrk(
            self.out / stem,
            self.server.url(path),
            connections=connections,
            seconds=seconds,
            threads=threads,
            timeout=self.args.timeout,
            server_cpu=lambda: tree_cpu(self.server.pid),
            options=options,
            env={f"TAKEAWAYS_{key.upper()}": value for key, value in lua.items()},
            database_cpu=self.database_cpu,
        )

    def run(self) -> list[Row]:
        say(f"== {self.workers} worker(s)")
        wait_quiet(self.args.quiet_wait)
        rows: list[Row] = []
        with self.server:
            pids = worker_pids(self.server, self.workers)
            time.sleep(1)  # the last worker's startup
            for talks in self.args.sizes:
                rows.extend(self.one_event(talks, pids))
        return rows

    def one_event(self, talks: int, pids: list[int]) -> list[Row]:
        a, stem = self.args, f"{self.workers}-{talks}"
        path = f"/events/bench-{talks}/schedule"
        identity = fetch(self.server.url(path))
        if identity.status != 200 or not (etag := identity.header("etag")):
            raise BenchError(f"GET {path} answered {identity.status}, ETag {identity.header('etag')!r}")
        if fetch(self.server.url(path), {"If-None-Match": etag}).status != 304:
            raise BenchError(f"GET {path} with If-None-Match: {etag} did not answer 304")
        gzipped = fetch(self.server.url(path), {"Accept-Encoding": "gzip"})
        if gzipped.header("content-encoding") != "gzip":
            raise BenchError(f"GET {path} with Accept-Encoding: gzip answered {gzipped.header('content-encoding')!r}")
        # Every worker renders (and compresses) its own copy once, before the cached runs measure.
        for worker in connection_per_worker(self.server, pids):
            worker.get(path, {"Accept-Encoding": "gzip"})
            worker.close()

        def measure(name: str, target: str, options: Sequence[str] = ()) -> WrkRun:
            return self.wrk(
                f"{stem}-{name}",
                target,
                connections=a.connections,
                threads=a.threads,
                seconds=a.duration,
                options=options,
            )

        def cold(name: str, target: str) -> WrkRun:
            alone = fetch(self.server.url(target + "?bench-nonce=alone")).seconds
            # Not divided by the workers: on two cores, more than two renders at once only take longer each.
            seconds = min(max(int(alone * a.cold_min_requests + 0.999), a.duration), a.cold_max_duration)
            options = ["-s", str(BENCH / "unique.lua")]
            return self.wrk(
                f"{stem}-{name}", target, connections=self.workers, threads=1, seconds=seconds, options=options
            )

        health = measure("health", "/health")
        rows = [Row(self.workers, talks, "health", "GET /health (ceiling)", health, health, 0)]
        todo = set(a.only)
        if "gzip" in todo:
            run = measure("gzip", path, options=["-H", "Accept-Encoding: gzip"])
            rows.append(
                Row(self.workers, talks, "gzip", "schedule, cached, gzip (200)", run, health, len(gzipped.body))
            )
        if "304" in todo:
            run = measure("304", path, options=["-H", f"If-None-Match: {etag}"])
            rows.append(Row(self.workers, talks, "304", "schedule, If-None-Match (304)", run, health, 0))
        if "cold-schedule" in todo:
            run = cold("cold-schedule", path)
            rows.append(
                Row(
                    self.workers,
                    talks,
                    "cold-schedule",
                    "schedule, rendered each time",
                    run,
                    health,
                    len(identity.body),
                )
            )
        if "cold-feed" in todo:
            feed = f"/events/bench-{talks}/calendar.ics"
            run = cold("cold-feed", feed)
            size = len(fetch(self.server.url(feed)).body)
            rows.append(Row(self.workers, talks, "cold-feed", "calendar feed, rendered each time", run, health, size))
        if "takeaways" in todo:
            rows.append(self.takeaways(talks, stem, health))
        return rows

    def takeaways(self, talks: int, stem: str, health: WrkRun) -> Row:
        slug = f"bench-{talks}"
        prefix = self.out / f"{stem}-takeaways"
        talk_file = self.out / f"talks-{talks}.txt"
        if not talk_file.exists():
            checks.talks(self.server.base, slug, talk_file)
        checks.register(self.server.base, slug, WRITERS, prefix)
        run = self.wrk(
            prefix.name,
            f"/events/{slug}/talks/x/takeaways",
            connections=WRITERS,
            threads=WRITERS,
            seconds=self.args.duration,
            options=["-s", str(BENCH / "takeaways.lua")],
            mode="create",
            tokens=str(beside(prefix, ".tokens")),
            talks=str(talk_file),
            slug=slug,
            seed=str(random.randrange(32768 * 32)),
            out=str(prefix),
        )
        settle(lambda: checks.count(self.args.database_url))
        facts = checks.check(self.args.database_url, prefix)
        verdict = "acknowledged = stored" if facts["ok"] == "yes" else "**MISMATCH** (see .check)"
        self.failed = self.failed or facts["ok"] != "yes"
        return Row(self.workers, talks, "takeaways", "takeaway POST, creates", run, health, None, verdict)


def backends_cpu(database: str) -> int:
    """CPU so far, in jiffies, of the PostgreSQL backends connected to ``database``.

    Only this database's: other users of the same PostgreSQL (tests, other benchmarks) are left out.
    A backend's process title names its database ("postgres: 15/main: postgres DATABASE ..."). The
    server's pool keeps its connections, so few backends exit during a run; when one does, its CPU
    leaves the sum, and a negative difference makes run_wrk report no database figure.
    """
    total, marker = 0, f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
            if title.startswith(b"postgres: ") and marker in title:
                total += process_cpu(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return total


def settle(count: Callable[[], int]) -> None:
    """Until the row count stops moving: requests in flight when wrk stopped still commit."""
    previous = count()
    for _ in range(30):
        time.sleep(0.5)
        if (current := count()) == previous:
            return
        previous = current


HEADER = (
    "| workers | N | endpoint | conns | requests | req/s | p50 | p99 | vs /health | body | errors"
    " | server CPU/req | database CPU/req | others' CPU | check | command |"
)


def table_row(row: Row, args: argparse.Namespace) -> str:
    result, cpu = row.run.result, row.run.cpu
    ratio = result.requests_per_sec / row.health.result.requests_per_sec if row.health.result.requests_per_sec else 0
    database = (
        wrk.format_ms(cpu.database * 1000 / result.requests)
        if cpu.database is not None and result.requests
        else wrk.NONE
    )
    only = "" if row.name == "health" else f" --only {row.name}"
    command = f"`python -m bench growth --sizes {row.talks} --workers {row.workers}{only} --duration {args.duration}`"
    cells = (
        str(row.workers),
        f"{row.talks:,}",
        row.what,
        str(result.connections),
        f"{result.requests:,}",
        wrk.format_rps(result.requests_per_sec),
        wrk.format_ms(result.p50_ms) if result.requests else wrk.NONE,
        wrk.format_ms(result.p99_ms) if result.requests else wrk.NONE,
        wrk.format_percent(ratio),
        wrk.format_bytes(row.body_bytes),
        wrk.format_errors(result),
        wrk.format_cpu_per_request(cpu, result.requests),
        database,
        wrk.format_cores(cpu),
        row.check,
        command,
    )
    return "| " + " | ".join(cells) + " |"


def prepare(args: argparse.Namespace) -> None:
    if not args.database_url.startswith("postgresql"):
        raise BenchError("growth measures PostgreSQL: --database-url postgresql+asyncpg://...")
    if args.keep_database and all(has_event(args.database_url, f"bench-{n}") for n in args.sizes):
        return
    events = ", ".join(f"bench-{n}" for n in args.sizes)
    say(f"== resetting {args.database_url.rsplit('/', 1)[-1]} and generating {events}")
    reset_schema(args.database_url)
    for talks in args.sizes:
        generate_event(args.database_url, talks)


def run(args: argparse.Namespace) -> int:
    require_tools()
    out = OUT / "growth"
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*"):
        if stale.is_file():
            stale.unlink()
    revision = pin_revision(out, args.revision)
    started = time.monotonic()
    prepare(args)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, commit {revision()}, {os.cpu_count()} cores, PostgreSQL;"
        f" wrk -t{args.threads} -c{args.connections} -d{args.duration}s --timeout {args.timeout} --latency"
        f" (takeaways -t{WRITERS} -c{WRITERS}; cold runs -c<workers>, {args.cold_min_requests} renders or more,"
        f" {args.duration}-{args.cold_max_duration} s) -->",
        HEADER,
        "|---:|---:|---|" + "---:|" * 11 + "---|---|",
    ]
    failed = False
    for workers in args.workers:
        server = OneServer(workers, args, out)
        rows = server.run()
        failed = failed or server.failed
        lines.extend(table_row(row, args) for row in rows)
        (out / "results.md").write_text("\n".join(lines) + "\n")  # so far, in case a later server fails
    lines.append(f"\nThe whole run took {(time.monotonic() - started) / 60:.1f} minutes.")
    text = "\n".join(lines) + "\n"
    (out / "results.md").write_text(text)
    print(text, end="")
    return 2 if failed else 0
