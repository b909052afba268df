"""Cached representations and 304s against two ceilings: /health, and the same bytes from memory.

Issue 12's first goal: a cached schedule, feed or export at >= 50 % of the /health ceiling of the
same server for clients that accept gzip (>= 25 % for identity), and a 304 at >= 85 %. This
command fills a fresh SQLite file with the event bench-N (bench/generate.py), starts
`plenary serve` (--workers, the render cache at its default) and, for each representation
(the schedule JSON, the event's iCal feed, the frab XML and C3VOC JSON exports):

  - fetches it once in each coding (so it is rendered and cached) and keeps the bytes and headers,
  - runs wrk on it with Accept-Encoding: gzip (200), without (200, identity), and with
    If-None-Match: <its ETag> (304),

and wrk on GET /health of the same server, first and last (the machine drifts). Then it starts
bench/same_bytes.py (a one-route Litestar app under the same uvicorn, same worker count) serving
exactly those bytes with those headers, and runs wrk on each: the second ceiling, what the same
body costs when nothing but the framework and the server stand between it and the socket.

Every row is a ratio to /health of its own server (and, for a 200, to the same bytes). Results:
bench/out/cached/results.md, with wrk outputs and CPU accounting.

  python -m bench cached                         # 1,000 talks, 2 workers, 8 connections (the issue's setting)
  python -m bench cached --revision 6eef1ad      # the service before the replay memo
  python -m bench cached --duration 3 --quiet-wait 0
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.harness import (
    OUT,
    REPOSITORY,
    BenchError,
    Server,
    WrkRun,
    add_wrk_options,
    fetch,
    free_port,
    generate_event,
    pin_revision,
    require_tools,
    run_wrk,
    say,
    sqlite_file,
)
from bench.machine import tree_cpu, wait_quiet

REPRESENTATIONS = {
    "schedule-json": "/schedule",
    "ical-feed": "/calendar.ics",
    "frab-xml": "/schedule.xml",
    "c3voc-json": "/schedule.json",
}
"""Paths under /events/bench-N, by the name the rows and files use."""
GZIP = "Accept-Encoding: gzip"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--talks", type=int, default=1000, help="talks of the event (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    add_wrk_options(parser)
    parser.set_defaults(connections=8)


@dataclass(frozen=True)
class Kept:
    """One representation in one coding, as the service sent it."""

    name: str
    path: str
    coding: str
    body: bytes
    headers: dict[str, str]


def keep(server: Server, name: str, path: str, gzip: bool, folder: Path) -> Kept:
    answer = fetch(server.url(path), {"Accept-Encoding": "gzip"} if gzip else {})
    if answer.status != 200:
        raise BenchError(f"{path}: {answer.status}")
    coding = "gzip" if gzip else "identity"
    headers = {
        header: answer.header(header)
        for header in ("content-type", "etag", "cache-control", "vary", "last-modified", "content-encoding")
        if answer.header(header)
    }
    stem = folder / f"{name}-{coding}"
    stem.with_suffix(".body").write_bytes(answer.body)
    stem.with_suffix(".headers").write_text("".join(f"{key}: {value}\n" for key, value in headers.items()))
    return Kept(name, path, coding, answer.body, headers)


def same_bytes_server(folder: Path, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.same_bytes:app", "--port", str(port)]
    command += ["--workers", str(workers), "--loop", "uvloop", "--http", "httptools"]
    command += ["--log-level", "warning", "--no-access-log", "--lifespan", "off"]
    env = {**os.environ, "PLENARY_BENCH_BODIES": str(folder)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPOSITORY, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while fetch(base + "/ready", timeout=5).status != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise BenchError(f"the same-bytes server did not start; its log:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return process, base


def run(args: argparse.Namespace) -> int:
    require_tools()
    out = OUT / "cached"
    bodies = out / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    started = revision()
    database = sqlite_file(out / f"bench-{args.talks}.db")
    generate_event(database, args.talks)
    prefix = f"/events/bench-{args.talks}"

    def load(name: str, target: str, pid: int, headers: tuple[str, ...] = ()) -> WrkRun:
        options = [option for header in headers for option in ("-H", header)]
        return run_wrk(
            out / f"wrk-{name}",
            target,
            connections=args.connections,
            seconds=args.duration,
            threads=args.threads,
            timeout=args.timeout,
            server_cpu=lambda: tree_cpu(pid),
            options=options,
        )

    rows: list[str] = []

    def row(run: WrkRun, endpoint: str, ceiling: WrkRun, size: int | None) -> None:
        rows.append(
            wrk.row(
                run.result, talks=args.talks, endpoint=endpoint, ceiling=ceiling.result, body_bytes=size, cpu=run.cpu
            )
        )

    summary: list[str] = []
    wait_quiet(args.quiet_wait)
    with Server(database, out / "server.log", workers=args.workers) as server:
        kept = [
            keep(server, name, prefix + path, gzip, bodies)
            for name, path in REPRESENTATIONS.items()
            for gzip in (True, False)
        ]
        health = load("health", server.url("/health"), server.pid)
        row(health, "GET /health (ceiling 1)", health, None)
        served: dict[str, WrkRun] = {}
        for item in kept:
            name = f"{item.name}-{item.coding}"
            served[name] = load(name, server.url(item.path), server.pid, (GZIP,) if item.coding == "gzip" else ())
            row(served[name], f"{item.path.removeprefix(prefix)} 200 {item.coding}, cached", health, len(item.body))
            if item.coding == "identity":
                etag = item.headers["etag"]
                name = f"{item.name}-304"
                served[name] = load(name, server.url(item.path), server.pid, (GZIP, f"If-None-Match: {etag}"))
                row(served[name], f"{item.path.removeprefix(prefix)} 304", health, 0)
        health_after = load("health-after", server.url("/health"), server.pid)
        row(health_after, "GET /health again (drift)", health, None)

    process, base = same_bytes_server(bodies, args.workers, out / "same-bytes.log")
    try:
        same_ready = load("same-ready", base + "/ready", process.pid)
        row(same_ready, "same-bytes server: GET /ready (its ceiling)", same_ready, None)
        same: dict[str, WrkRun] = {}
        for item in kept:
            name = f"{item.name}-{item.coding}"
            same[name] = load(f"same-{name}", f"{base}/same/{name}", process.pid)
            row(same[name], f"same bytes, {item.name} {item.coding}", same_ready, len(item.body))
    finally:
        process.terminate()
        process.wait(timeout=60)

    ceiling = (health.result.requests_per_sec + health_after.result.requests_per_sec) / 2
    summary.append(
        "| representation | coding | req/s | of /health | of the same bytes "
        "| /health's server CPU per request over this one's | goal (req/s of /health) |"
    )
    summary.append("|---|---|---:|---:|---:|---:|---|")

    def cpu_share(run: WrkRun) -> str:
        # What the rate would be against /health if the server's CPU were all that bounds it: the
        # same figure on a machine whose other jobs take cores away from wrk and the server alike.
        per_request = run.cpu.server / max(run.result.requests, 1)
        health_per_request = health.cpu.server / max(health.result.requests, 1)
        return f"{health_per_request / per_request:.0%}" if per_request > 0 else "n/a"

    def verdict(share: float, goal: float) -> str:
        return f">= {goal:.0%}: {'met' if share >= goal else 'not met'}"

    for item in kept:
        name = f"{item.name}-{item.coding}"
        rate = served[name].result.requests_per_sec
        of_same = rate / same[name].result.requests_per_sec
        goal = 0.5 if item.coding == "gzip" else 0.25
        summary.append(
            f"| {item.name} | {item.coding} | {rate:,.0f} | {rate / ceiling:.0%} | {of_same:.0%} "
            f"| {cpu_share(served[name])} | {verdict(rate / ceiling, goal)} |"
        )
        if item.coding == "identity":
            not_modified = served[f"{item.name}-304"]
            rate = not_modified.result.requests_per_sec
            summary.append(
                f"| {item.name} | 304 | {rate:,.0f} | {rate / ceiling:.0%} | | {cpu_share(not_modified)} "
                f"| {verdict(rate / ceiling, 0.85)} |"
            )

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = "\n".join(
        [
            f"<!-- {now}, commit {started}, {os.cpu_count()} cores, {args.workers} workers, SQLite;",
            f"     wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency;"
            " /health ceiling = mean of the first and last /health runs -->",
            *summary,
            "",
            wrk.header(),
            *rows,
        ]
    )
    if (ended := revision()) != started:
        text += f"\n\nNote: the tree changed during the run: {started} at the start, {ended} at the end."
    (out / "results.md").write_text(text + "\n")
    say(text)
    return 0
