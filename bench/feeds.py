"""Load test of the calendar feed, GET /events/bench-N/calendar.ics, cache off and on.

Like `schedule` for the JSON schedule: for each N a fresh SQLite file (bench/generate.py) and two
servers one after the other, each one `plenary serve` worker.

  1. cache off (PLENARY_RENDER_CACHE_MB=0): every request renders. Measured:
     - checks: 200 with text/calendar and an ETag, 304 for If-None-Match, and a throwaway query
       parameter changes the ETag but not the body (bench/unique.lua relies on that),
     - the feed, one request at a time (median of --single-runs), and the server's CPU per
       request meanwhile: the cold render; the same for a client that accepts gzip (the body is
       compressed on every request too); GET /health one at a time on the same server, the floor
       of one request; and the growth of the cold CPU from one size to the next (linear: x10),
     - GET /health polled every 20 ms while one cold feed renders: does the render (icalendar, in
       a worker thread) keep the event loop answering?
     - GET /health with wrk: the ceiling,
     - wrk on the feed, every request with its own ETag (bench/unique.lua), --full-connections
       connections, long enough for about --full-min-requests requests.
  2. cache on (the service's default size):
     - right after the start, --herd requests at once for a feed none rendered yet: the wall time
       until the last is answered and the server CPU meanwhile (single-flight: about one render),
     - one more request (a hit; its body must equal the cache-off server's), then --single-runs
       hits one at a time (median),
     - wrk: GET /health (this server's ceiling), If-None-Match (304), the feed (200, warm hits).

Results: bench/out/feeds/results.md (--out NAME: bench/out/NAME/), with wrk outputs, CPU accounting,
bodies and server logs.

  python -m bench feeds                              # N = 100, 1000, 10000
  python -m bench feeds --sizes 100 --duration 3     # a quick one
  python -m bench feeds --cold-only --single-runs 9  # only the cold renders, one at a time (no wrk)
"""

from __future__ import annotations

import argparse
import datetime
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.harness import (
    BENCH,
    OUT,
    BenchError,
    Load,
    Server,
    fetch,
    free_port,
    generate_event,
    median,
    ms,
    pin_revision,
    require_tools,
    sqlite_file,
    timings,
)
from bench.machine import CLOCK_TICKS, process_cpu, say, wait_quiet
from bench.schedule import add_render_options, cache_rows, check_conditional, full_duration, herd


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_render_options(parser, herd=32)
    parser.add_argument("--out", default="feeds", help="the results' folder under bench/out (default feeds)")
    parser.add_argument(
        "--cold-only", action="store_true", help="only the cache-off requests one at a time: no wrk, no cache-on server"
    )


@dataclass(frozen=True)
class Cold:
    """One size's cold renders (cache off), each request alone, and the same server's floor."""

    n: int
    vevents: int
    body_bytes: int
    alone: list[float]
    """Seconds per identity request, sorted."""
    cpu: float
    """Server CPU seconds per identity request."""
    gzip_alone: list[float]
    gzip_cpu: float
    health: list[float]
    """GET /health one at a time on the same server: what a request costs that renders nothing."""
    health_slowest: float
    polls: int


def timed_alone(server: Server, path: str, runs: int, headers: dict[str, str]) -> tuple[list[float], float]:
    """``runs`` requests one after another: their seconds, sorted, and the server's CPU per request."""
    cpu_before = process_cpu(server.pid)
    seconds = []
    for _ in range(runs):
        answer = fetch(server.url(path), headers)
        if answer.status != 200:
            raise BenchError(f"GET {path} with {headers} answered {answer.status}")
        seconds.append(answer.seconds)
    return sorted(seconds), (process_cpu(server.pid) - cpu_before) / CLOCK_TICKS / runs


def health_during(server: Server, path: str) -> list[float]:
    """/health's answer times, asked every 20 ms while one cold request for ``path`` renders."""
    render = threading.Thread(target=fetch, args=(server.url(path),))
    render.start()
    polls: list[float] = []
    while render.is_alive():
        polls.append(fetch(server.url("/health")).seconds)
        time.sleep(0.02)
    render.join()
    return sorted(polls)


def one_size(n: int, args: argparse.Namespace, out: Path, port: int) -> tuple[list[str], Cold, str]:
    """The wrk rows (none with --cold-only), the cold figures and the cache-on cells for ``n`` talks.

    Both servers listen on ``port``: bodies hold absolute URLs, and the cache-on server's must equal
    the cache-off server's.
    """
    say(f"== N={n}")
    url = sqlite_file(out / f"bench-{n}.db")
    generate_event(url, n)
    path = f"/events/bench-{n}/calendar.ics"

    wait_quiet(args.quiet_wait)
    say("  server with PLENARY_RENDER_CACHE_MB=0")
    with Server(url, out / f"server-{n}-nocache.log", settings={"PLENARY_RENDER_CACHE_MB": "0"}, port=port) as server:
        first, etag = check_conditional(server, path, out, f"calendar-{n}.ics")
        body = first.body
        if not first.header("content-type").startswith("text/calendar"):
            raise BenchError(f"{path} is not text/calendar")
        vevents = sum(1 for line in body.splitlines() if line.startswith(b"BEGIN:VEVENT"))
        identity = {"Accept-Encoding": "identity"}
        health, _ = timed_alone(server, "/health", args.single_runs, identity)
        alone, cpu = timed_alone(server, path, args.single_runs, identity)
        gzip_alone, gzip_cpu = timed_alone(server, path, args.single_runs, {"Accept-Encoding": "gzip"})
        say(f"  feed: {len(body)} bytes, {vevents} VEVENTs, ETag {etag}, {median(alone):.3f}s alone, {cpu:.3f}s CPU")
        say(f"  with gzip: {median(gzip_alone):.3f}s alone, {gzip_cpu:.3f}s CPU; /health alone {median(health):.4f}s")
        polls = health_during(server, path + "?bench-probe=1")
        health_slowest = polls[-1] if polls else 0.0
        say(f"  /health during a render: {len(polls)} polls, slowest {health_slowest:.3f}s")
        cold = Cold(n, vevents, len(body), alone, cpu, gzip_alone, gzip_cpu, health, health_slowest, len(polls))
        if args.cold_only:
            return [], cold, "| - | - |"
        measure = Load(server, out / f"wrk-{n}", args)
        health_nocache = measure("health-nocache", "/health")
        full_nocache = measure(
            "calendar-200-nocache",
            path,
            connections=args.full_connections,
            seconds=full_duration(args, median(alone)),
            options=["-s", str(BENCH / "unique.lua")],
        )

    wait_quiet(args.quiet_wait)
    say("  server with the default PLENARY_RENDER_CACHE_MB")
    with Server(url, out / f"server-{n}-cache.log", port=port) as server:
        cpu_before = process_cpu(server.pid)
        started = time.perf_counter()
        herd(server.url(path), args.herd)
        herd_wall = time.perf_counter() - started
        herd_cpu = (process_cpu(server.pid) - cpu_before) / CLOCK_TICKS
        say(f"  {args.herd} at once: all answered after {herd_wall:.3f}s, server CPU {herd_cpu:.3f}s")
        hit = fetch(server.url(path))
        if hit.status != 200 or hit.body != body:
            out.joinpath(f"calendar-{n}.ics.cached").write_bytes(hit.body)
            raise BenchError(f"the cache-on server sent {hit.status} or another body for {path} (.cached)")
        warm = median(timings(args.single_runs, server.url(path)))
        measure = Load(server, out / f"wrk-{n}", args)
        health_cache = measure("health-cache", "/health")
        not_modified = measure("calendar-304", path, options=["-H", f"If-None-Match: {etag}"])
        full_cache = measure("calendar-200-cache", path)

    rows = cache_rows(
        n,
        "calendar.ics",
        "calendar.ics",
        len(body),
        health_nocache,
        full_nocache,
        health_cache,
        full_cache,
        not_modified,
    )
    return rows, cold, f"| {ms(herd_wall)} ({ms(herd_cpu)}) | {ms(warm)} |"


def cold_row(cold: Cold, smaller: Cold | None, cache_cells: str) -> str:
    """One size's row: cold renders alone, their CPU, growth from the size before, the floor."""
    growth = "-"
    if smaller is not None:
        growth = f"x{cold.cpu / smaller.cpu:.1f} (x{cold.n / smaller.n:.0f} talks)"
    return (
        f"| {cold.n} | {cold.vevents} | {wrk.format_bytes(cold.body_bytes)} "
        f"| {ms(median(cold.alone))} ({ms(cold.alone[0])} to {ms(cold.alone[-1])}) | {ms(cold.cpu)} | {growth} "
        f"| {ms(median(cold.gzip_alone))} ({ms(cold.gzip_cpu)}) | {median(cold.health) * 1000:.1f} ms "
        f"| {ms(cold.health_slowest)} ({cold.polls} polls) {cache_cells}"
    )


def run(args: argparse.Namespace) -> int:
    require_tools()
    out = OUT / args.out
    out.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, commit {revision()}, {os.cpu_count()} cores;",
        f"     wrk -t{args.threads} -d{args.duration}s --timeout {args.timeout} --latency, -c{args.connections}",
        f"     (feed, cache off: -c{args.full_connections}, at least {args.full_min_requests} requests,"
        f" at most {args.max_duration}s) -->",
    ]
    if not args.cold_only:
        lines.append(wrk.header())
    singles = [
        f"| N | VEVENTs | body | cache off: one feed alone, identity (median of {args.single_runs}, min to max) "
        "| server CPU per cold feed | growth of that CPU from the size before "
        "| cold feed alone with gzip (server CPU) | GET /health alone, same server (median) "
        "| /health during a cold render (slowest poll) "
        f"| cache on: {args.herd} at once after start (last answered; server CPU) "
        f"| cache on: hit alone (median of {args.single_runs}) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    port = free_port()
    smaller: Cold | None = None
    for n in args.sizes:
        rows, cold, cache_cells = one_size(n, args, out, port)
        lines.extend(rows)
        singles.append(cold_row(cold, smaller, cache_cells))
        smaller = cold
        text = "\n".join([*lines, "", *singles]) + "\n"
        (out / "results.md").write_text(text)  # so far, in case a later size fails
    print(text, end="")
    return 0
