"""Load test of the calendar feed, GET /events/bench-N/calendar.ics, cache off and on.

Like `schedule` for the JSON schedule: for each N a fresh SQLite file (bench/generate.py) and two
servers one after the other, each one `plenary serve` worker.

  1. cache off (PLENARY_RENDER_CACHE_MB=0): every request renders. Measured:
     - checks: 200 with text/calendar and an ETag, 304 for If-None-Match, and a throwaway query
       parameter changes the ETag but not the body (bench/unique.lua relies on that),
     - the feed, one request at a time (median of --single-runs), and the server's CPU per
       request meanwhile: the cold render,
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

Results: bench/out/feeds/results.md, with wrk outputs, CPU accounting, bodies and server logs.

  python -m bench feeds                              # N = 100, 1000, 10000
  python -m bench feeds --sizes 100 --duration 3     # a quick one
"""

from __future__ import annotations

import argparse
import datetime
import os
import threading
import time
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


def one_size(n: int, args: argparse.Namespace, out: Path, port: int) -> tuple[list[str], str]:
    """The wrk rows and the single-request row for the event of ``n`` talks.

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
        cpu_before = process_cpu(server.pid)
        cold_all = timings(args.single_runs, server.url(path))
        cpu_per_cold = (process_cpu(server.pid) - cpu_before) / CLOCK_TICKS / args.single_runs
        cold = median(cold_all)
        say(f"  feed: {len(body)} bytes, {vevents} VEVENTs, ETag {etag}, {cold:.3f}s alone, {cpu_per_cold:.3f}s CPU")
        polls = health_during(server, path + "?bench-probe=1")
        health_slowest = polls[-1] if polls else 0.0
        say(f"  /health during a render: {len(polls)} polls, slowest {health_slowest:.3f}s")
        measure = Load(server, out / f"wrk-{n}", args)
        health_nocache = measure("health-nocache", "/health")
        full_nocache = measure(
            "calendar-200-nocache",
            path,
            connections=args.full_connections,
            seconds=full_duration(args, cold),
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
    single = (
        f"| {n} | {vevents} | {wrk.format_bytes(len(body))} | {ms(cold)} ({ms(cold_all[0])} to {ms(cold_all[-1])}) "
        f"| {ms(cpu_per_cold)} | {ms(health_slowest)} ({len(polls)} polls) | {ms(herd_wall)} ({ms(herd_cpu)}) "
        f"| {ms(warm)} |"
    )
    return rows, single


def run(args: argparse.Namespace) -> int:
    require_tools()
    out = OUT / "feeds"
    out.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, commit {revision()}, {os.cpu_count()} cores;",
        f"     wrk -t{args.threads} -d{args.duration}s --timeout {args.timeout} --latency, -c{args.connections}",
        f"     (feed, cache off: -c{args.full_connections}, at least {args.full_min_requests} requests,"
        f" at most {args.max_duration}s) -->",
        wrk.header(),
    ]
    singles = [
        f"| N | VEVENTs | body | cache off: one feed alone (median of {args.single_runs}, min to max) "
        "| server CPU per cold feed | /health during a cold render (slowest poll) "
        f"| cache on: {args.herd} at once after start (last answered; server CPU) "
        f"| cache on: hit alone (median of {args.single_runs}) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    port = free_port()
    for n in args.sizes:
        rows, single = one_size(n, args, out, port)
        lines.extend(rows)
        singles.append(single)
        text = "\n".join([*lines, "", *singles]) + "\n"
        (out / "results.md").write_text(text)  # so far, in case a later size fails
    print(text, end="")
    return 0
