"""Load test of takeaway writes, POST /events/<slug>/talks/<talk>/takeaways, on SQLite and PostgreSQL.

Servers, one after the other, each `plenary serve` on the demo event with
PLENARY_ATTENDEE_WRITES_PER_MINUTE=1000000 so the rate limit stays out. The demo is loaded with
`plenary load-demo` before the server starts, and the server runs with PLENARY_LOAD_DEMO=false:
with --workers 2 on an empty PostgreSQL database, both workers load the demo at startup at the same
time, one of them fails on a duplicate key (pk_speaker) and uvicorn stops the whole server.
  - SQLite, a fresh file bench/out/takeaways/takeaways.db, 1 worker (unless --no-sqlite),
  - PostgreSQL, the database --pg-database (created here, dropped at the end), with each number of
    workers in --pg-workers (default 1 2); the database is recreated per server.
On each server:
  1. warm-up: --connections new attendees write notes for 3 s (checked like the others, not shown),
  2. GET /health, the ceiling: wrk -t32 -c32 (the writes' set-up), and -t2 -c32 (`schedule`'s),
  3. create: 32 new attendees, one per wrk connection (one connection per thread, so each has its
     own token), every request a new random client_id, so every request should create a note (201),
  4. retry storm: --retry-attendees new attendees, 3 or 4 connections each, and --retry-ids fixed
     client_ids per attendee that every connection of the attendee sends over and over in the same
     order: at first 3 or 4 connections race to create each note, then everything is a retry. The
     service must answer 201 exactly once per id, 200 to every other request, and store one row each.
After each write run the command waits until the row count stops moving (requests in flight when wrk
stopped still commit), then checks the rows of that run's attendees against what bench/takeaways.lua
recorded (bench/takeaway_checks.py), and the table's total against the sum of the runs. A failed
check shows as MISMATCH in the table and makes the exit status 2.

Around each wrk run: the server's CPU (all its processes), PostgreSQL's (the postmaster and all its
backends, exited ones included), wrk's and everyone else's, from /proc; also the processes created on
the machine and, on PostgreSQL, the sessions opened to the bench database (in the .cpu files).

  python -m bench takeaways                                  # the working tree as it is on disk
  python -m bench takeaways --revision HEAD                  # one commit, whatever the tree does
  python -m bench takeaways --duration 5 --pg-workers 1      # a quick one

With --in-process, no server and no wrk: each code (the working tree, or --revision, and --compare's
commit) runs in a process of its own that calls the app as an ASGI app, one request after another,
and measures that process's CPU per request (SQLite's work included, PostgreSQL's not): a new note,
a repeated one and GET /health, in batches of --cpu-requests. The codes take turns, --cpu-rounds
times, so that load from other processes falls on each alike; the table gives the median batch.

  python -m bench takeaways --in-process --compare HEAD      # this tree against the last commit
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import takeaway_checks as checks
from bench.harness import (
    BENCH,
    OUT,
    REPOSITORY,
    BenchError,
    Server,
    WrkRun,
    add_wrk_options,
    beside,
    pin_revision,
    require_tools,
    run_wrk,
    sqlite_file,
)
from bench.machine import descendants, forks, oldest_process, others_running, say, tree_cpu, wait_quiet

SLUG = "cph-nlp-2025"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_wrk_options(parser, threads=32)
    parser.add_argument("--retry-attendees", type=int, default=10, help="attendees of the retry storm (10)")
    parser.add_argument("--retry-ids", type=int, default=10, help="client ids per attendee in the storm (10)")
    parser.add_argument("--pg-workers", type=int, nargs="*", default=[1, 2], help="PostgreSQL servers' workers")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite server")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-database", default="bench_takeaways", help="created and dropped here")
    parser.add_argument("--others-wait", type=int, default=900, help="seconds to wait for other benchmarks")
    parser.add_argument("--in-process", action="store_true", help="CPU per request in one process, no server")
    parser.add_argument("--compare", help="with --in-process: also this commit, taking turns with the other code")
    parser.add_argument("--cpu-requests", type=int, default=300, help="requests per in-process batch (300)")
    parser.add_argument("--cpu-rounds", type=int, default=5, help="turns of each code, in-process (5)")


class OneServer:
    """The runs on one server; files ID-*."""

    def __init__(self, ident: str, label: str, url: str, workers: int, args: argparse.Namespace, out: Path) -> None:
        self.ident, self.label, self.url, self.workers, self.args, self.out = ident, label, url, workers, args, out
        self.postgres = url.startswith("postgresql")
        self.server = Server(
            url,
            out / f"{ident}-server.log",
            workers=workers,
            settings={"PLENARY_ATTENDEE_WRITES_PER_MINUTE": "1000000"},
            ready_timeout=60,
        )
        self.runs_rows = 0
        self.failed = False

    def start(self) -> None:
        load = checks.load_demo(self.server.environment(), beside(self.server.log, ".load-demo"))
        if load:
            raise BenchError(f"plenary load-demo failed:\n{load}")
        self.server.start()
        # With several workers the first one up answers /ready: wait until all of them are there
        # (uvicorn's parent and one process per worker), and give them a moment to start.
        for _ in range(100 if self.workers > 1 else 0):
            if len(descendants(self.server.pid)) > self.workers:
                break
            time.sleep(0.2)
        time.sleep(2)
        self.alive_check()

    def alive_check(self) -> None:
        """The server is still there, with all its workers (uvicorn stops them all if one fails)."""
        gone = not self.server.alive()
        if gone or (self.workers > 1 and len(descendants(self.server.pid)) <= self.workers):
            tail = "\n".join(self.server.log.read_text(errors="replace").splitlines()[-40:])
            raise BenchError(f"the server (or one of its workers) is gone; its log:\n{tail}")

    def database_cpu(self) -> int:
        postmaster = oldest_process("postgres") if self.postgres else None
        return tree_cpu(postmaster) if postmaster else 0

    def sessions(self) -> int:
        if not self.postgres:
            return 0
        query = "select sessions from pg_stat_database where datname = current_database()"
        return int(str(checks.pg_rows(self.url, query)[0][0]))

    def settle(self) -> None:
        """Until the row count stops moving: requests in flight when wrk stopped still commit."""
        previous = checks.count(self.url)
        for _ in range(60):
            time.sleep(1)
            current = checks.count(self.url)
            if current == previous:
                return
            previous = current
        say("  the row count was still moving after 60 s")

    def measure(self, name: str, threads: int, seconds: int, path: str, **lua: str) -> WrkRun:
        options = ["-s", str(BENCH / "takeaways.lua")] if lua else []
        run = run_wrk(
            self.out / f"{self.ident}-{name}",
            self.server.url(path),
            connections=self.args.connections,
            seconds=seconds,
            threads=threads,
            timeout=self.args.timeout,
            server_cpu=lambda: tree_cpu(self.server.pid),
            options=options,
            env={f"TAKEAWAYS_{key.upper()}": value for key, value in lua.items()},
            database_cpu=self.database_cpu if self.postgres else None,
            counters={"forks": forks, "sessions": self.sessions},
        )
        self.alive_check()
        return run

    def writes(
        self, name: str, mode: str, seconds: int, attendees: int, expect_rows: int | None = None
    ) -> tuple[WrkRun, dict[str, str]]:
        """Register attendees, run wrk with bench/takeaways.lua, settle, check."""
        prefix = self.out / f"{self.ident}-{name}"
        checks.register(self.server.base, SLUG, attendees, prefix)
        wait_quiet(self.args.quiet_wait)
        run = self.measure(
            name,
            self.args.connections,
            seconds,
            f"/events/{SLUG}/talks/x/takeaways",
            mode=mode,
            tokens=str(beside(prefix, ".tokens")),
            talks=str(self.out / "talks.txt"),
            slug=SLUG,
            seed=str(random.randrange(32768 * 32)),
            out=str(prefix),
            retry_ids=str(self.args.retry_ids),
        )
        self.settle()
        facts = checks.check(self.url, prefix, expect_rows)
        for key, value in facts.items():
            say(f"    {key} {value}")
        if facts["ok"] != "yes":
            say(f"  CHECK FAILED for {self.label}: {name}")
            self.failed = True
        self.runs_rows += int(facts["rows"])
        return run, facts

    def run(self, revision: str) -> tuple[list[str], str]:
        """The table's rows, and the sentence on the row count."""
        say(f"== {self.label}")
        a = self.args
        try:
            self.start()
            checks.talks(self.server.base, SLUG, self.out / "talks.txt")
            baseline = checks.count(self.url)
            self.writes("warmup", "create", 3, a.connections)
            wait_quiet(a.quiet_wait)
            health = self.measure("health", a.connections, a.duration, "/health")
            wait_quiet(a.quiet_wait)
            health_t2 = self.measure("health-t2", 2, a.duration, "/health")
            create, create_facts = self.writes("create", "create", a.duration, a.connections)
            storm = a.retry_attendees * a.retry_ids
            retry, retry_facts = self.writes("retry", "retry", a.duration, a.retry_attendees, storm)
            total = checks.count(self.url)
        finally:
            self.server.stop()
        equal = total - baseline == self.runs_rows
        self.failed = self.failed or not equal
        sentence = (
            f"- {self.label}: the takeaway table went from {baseline} rows (the demo's) to {total}:"
            f" {total - baseline} new rows; the warm-up, create and retry runs' attendees hold {self.runs_rows}"
            f" ({'equal' if equal else '**NOT EQUAL**'}). Code: {revision}."
        )
        rows = [
            checks.row(self.label, f"GET /health (ceiling), -t{a.connections}", health, health),
            checks.row(self.label, "GET /health, -t2 (as `schedule`)", health_t2, health),
            checks.row(self.label, "takeaway POST, new client_id each (create)", create, health, create_facts),
            checks.row(self.label, f"retry storm, {storm} client_ids", retry, health, retry_facts),
        ]
        return rows, sentence


def run(args: argparse.Namespace) -> int:
    if args.pg_database in ("test", "postgres"):
        raise BenchError(f"--pg-database must not be {args.pg_database}")
    if args.in_process:
        return in_process(args)
    require_tools()
    out = OUT / "takeaways"
    for stale in out.glob("*") if out.exists() else ():
        if stale.is_file():
            stale.unlink()
    out.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, commit {revision()}, {os.cpu_count()} cores;",
        f"     wrk -t{args.connections} -c{args.connections} -d{args.duration}s --timeout {args.timeout} --latency"
        " -s bench/takeaways.lua;",
        f"     retry storm: {args.retry_attendees} attendees x {args.retry_ids} client ids -->",
        checks.header(),
    ]
    servers = []
    if not args.no_sqlite:
        servers.append(("sqlite-1", "SQLite, 1 worker", 1))
    servers += [(f"pg-{w}", f"PostgreSQL, {w} worker{'s' if w > 1 else ''}", w) for w in args.pg_workers]
    totals, failed = [], False
    for ident, label, workers in servers:
        others_running(args.others_wait)
        wait_quiet(args.quiet_wait)
        if ident.startswith("sqlite"):
            url = sqlite_file(out / "takeaways.db")
        else:
            checks.recreate_pg(args.pg_host, args.pg_user, args.pg_database)
            url = f"postgresql+asyncpg://{args.pg_user}@{args.pg_host}:5432/{args.pg_database}"
        one = OneServer(ident, label, url, workers, args, out)
        try:
            rows, sentence = one.run(revision())
        finally:
            if not ident.startswith("sqlite"):
                checks.drop_pg(args.pg_host, args.pg_user, args.pg_database)
        lines.extend(rows)
        totals.append(sentence)
        failed = failed or one.failed
        text = "\n".join([*lines, "", *totals]) + "\n"
        (out / "results.md").write_text(text)  # so far, in case a later server fails
    print(text, end="")
    return 2 if failed else 0


def in_process(args: argparse.Namespace) -> int:
    """The --in-process table: each code and database, CPU per request in the median batch."""
    out = OUT / "takeaways-cpu"
    out.mkdir(parents=True, exist_ok=True)
    codes = [_code(out / "src", args.revision)]
    if args.compare:
        codes.append(_code(out / "compare", args.compare))
    databases = [] if args.no_sqlite else ["SQLite"]
    databases += ["PostgreSQL"] if args.pg_workers else []
    batches: dict[tuple[str, str], dict[str, list[float]]] = {}
    for round_ in range(args.cpu_rounds):
        for label, path in codes:
            for database in databases:
                say(f"round {round_ + 1}: {label}, {database}")
                figures = _one_process(out, path, database, args)
                for kind, values in figures.items():
                    batches.setdefault((database, label), {}).setdefault(kind, []).extend(values)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, {os.cpu_count()} cores; {args.cpu_rounds} rounds, each code and database in turn, of"
        f" 3 batches of {args.cpu_requests} requests each (create, retry, /health) -->",
        "| database | code | create CPU/req | retry CPU/req | `/health` CPU/req | create ÷ `/health` |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (database, label), figures in batches.items():
        create, retry, health = (statistics.median(figures[kind]) for kind in ("create", "retry", "health"))
        cells = (database, label, f"{create:.2f} ms", f"{retry:.2f} ms", f"{health * 1000:.0f} µs")
        lines.append("| " + " | ".join(cells) + f" | {create / health:.1f} |")
    text = "\n".join(lines) + "\n"
    (out / "results.md").write_text(text)
    print(text, end="")
    return 0


def _code(folder: Path, revision: str | None) -> tuple[str, str]:
    """A label and the PYTHONPATH entry of a code: the working tree, or a commit's service/ archived."""
    before = os.environ.get("PYTHONPATH")
    describe = pin_revision(folder, revision)  # sets PYTHONPATH for the servers; here only its entry is kept
    path = os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] if revision else str(REPOSITORY)
    if before is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = before
    return describe(), path


def _one_process(out: Path, path: str, database: str, args: argparse.Namespace) -> dict[str, list[float]]:
    if database == "SQLite":
        url = sqlite_file(out / "cpu.db")
        for stale in out.glob("cpu.db*"):
            stale.unlink()
    else:
        checks.recreate_pg(args.pg_host, args.pg_user, args.pg_database)
        url = f"postgresql+asyncpg://{args.pg_user}@{args.pg_host}:5432/{args.pg_database}"
    # From `out`, with the code first on the path and the repository (for bench/) after it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys([path, str(REPOSITORY)]))}
    command = [sys.executable, "-m", "bench.takeaway_checks", url, str(args.cpu_requests), "3"]
    try:
        done = subprocess.run(command, cwd=out, env=env, capture_output=True, text=True, check=False)
    finally:
        if database != "SQLite":
            checks.drop_pg(args.pg_host, args.pg_user, args.pg_database)
    if done.returncode != 0:
        raise BenchError(f"the in-process measurement failed:\n{done.stderr[-3000:]}")
    figures: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures
