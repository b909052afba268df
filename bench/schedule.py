"""Load test of GET /events/bench-N/schedule at N talks, cache off and on, against the /health ceiling.

The service caches rendered bodies per ETag in each worker (PLENARY_RENDER_CACHE_MB, default 64; 0
disables it), so a repeated full-schedule GET is normally a cache hit. For each N this command
fills a fresh SQLite file with the event bench-N (bench/generate.py) and starts two servers one
after the other, each one `plenary serve` worker:

  1. cache off (PLENARY_RENDER_CACHE_MB=0): every request renders. Measured:
     - GET /health: the ceiling (the framework alone: no database, a tiny body),
     - the full schedule, one request at a time (median of --single-runs): the cold render cost,
       with the server's CPU per request (less moved by other jobs than the wall time), and
       GET /health the same way, one at a time: the cold render as a multiple of the framework's
       own answer; the growth of the cold render from one N to the next ends the table,
     - wrk on the full schedule (200), every request with its own throwaway query parameter
       (bench/unique.lua), hence its own ETag: the service shares one render among concurrent
       requests for one ETag even with the cache off. --full-connections connections (default 2:
       enough to keep one worker busy), long enough for about --full-min-requests requests at the
       speed of one request measured just before, and last on its server, since the server still
       renders the requests in flight when wrk stops.
  2. cache on (the service's default size, or --cache-mb): measured
     - GET /health again: this server's ceiling, and a check on the machine's drift,
     - the first full-schedule request (a miss), then --single-runs more (hits, median),
     - --herd requests at once for a body not rendered yet: until the slowest is answered,
     - wrk with If-None-Match: <its ETag> (304), then on the full schedule (200, warm: hits).

Before each server it waits (at most --quiet-wait seconds) for a nearly idle machine. Every wrk
figure is also a ratio to the /health ceiling of the same server, with the CPU that other processes
used meanwhile. Results: bench/out/schedule/results.md, with wrk outputs (wrk-N-*.txt), CPU
accounting (wrk-N-*.cpu), the bodies and the server logs.

  python -m bench schedule                               # N = 100, 1000, 10000, the working tree
  python -m bench schedule --revision HEAD               # the committed service, not the working tree
  python -m bench schedule --sizes 100 --duration 3      # a quick one
"""

from __future__ import annotations

import argparse
import datetime
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

from bench import wrk
from bench.harness import (
    BENCH,
    OUT,
    Answer,
    BenchError,
    Load,
    Server,
    WrkRun,
    add_wrk_options,
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_render_options(parser, herd=8)
    parser.add_argument("--cache-mb", type=int, help="the cache-on server's PLENARY_RENDER_CACHE_MB (default: unset)")


def add_render_options(parser: argparse.ArgumentParser, *, herd: int) -> None:
    """The options of the render benchmarks (schedule and feeds)."""
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="talks per event")
    add_wrk_options(parser)
    parser.add_argument("--full-connections", type=int, default=2, help="wrk connections, cache off (default 2)")
    parser.add_argument("--full-min-requests", type=int, default=20, help="requests, cache off, at least (20)")
    parser.add_argument("--max-duration", type=int, default=120, help="seconds of the cache-off wrk run at most")
    parser.add_argument("--single-runs", type=int, default=5, help="single requests timed one by one (default 5)")
    parser.add_argument("--herd", type=int, default=herd, help=f"requests at once for a new body (default {herd})")


def full_duration(args: argparse.Namespace, one_request: float) -> int:
    """Long enough for about --full-min-requests requests, within --duration and --max-duration."""
    requests: int = args.full_min_requests
    lowest: int = args.duration
    highest: int = args.max_duration
    return min(max(int(one_request * requests + 0.999), lowest), highest)


def check_conditional(server: Server, path: str, out: Path, stem: str) -> tuple[Answer, str]:
    """The first answer and its ETag; checks the 304 and that a throwaway parameter changes only the ETag."""
    url = server.url(path)
    first = fetch(url)
    if first.status != 200:
        raise BenchError(f"GET {url} answered {first.status}: {first.body[:500]!r}")
    out.joinpath(f"{stem}.headers").write_text("".join(f"{k}: {v}\n" for k, v in first.headers.items()))
    out.joinpath(stem).write_bytes(first.body)
    etag = first.header("etag")
    if not etag:
        raise BenchError(f"no ETag on {url}")
    again = fetch(url, {"If-None-Match": etag})
    if again.status != 304:
        raise BenchError(f"If-None-Match: {etag} got {again.status}, not 304")
    # The throwaway parameter of bench/unique.lua must change the ETag and nothing else.
    nonce = fetch(url + "?bench-nonce=check")
    if nonce.status != 200 or nonce.body != first.body:
        raise BenchError(f"{url}?bench-nonce=check answered {nonce.status} or another body")
    if nonce.header("etag") == etag:
        raise BenchError("the throwaway parameter does not change the ETag")
    return first, etag


def herd(url: str, count: int) -> list[float]:
    """``count`` requests at once, each on its own connection: their times, sorted; all must be 200."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        answers = list(pool.map(lambda _: fetch(url), range(count)))
    if any(answer.status != 200 for answer in answers):
        raise BenchError(f"not all {count} requests at once got 200: {[a.status for a in answers]}")
    return sorted(answer.seconds for answer in answers)


def cold_renders(server: Server, path: str, runs: int) -> tuple[list[float], float]:
    """``runs`` requests one at a time: their wall times (sorted), and the server's CPU seconds per request."""
    before = process_cpu(server.pid)
    times = timings(runs, server.url(path))
    return times, (process_cpu(server.pid) - before) / CLOCK_TICKS / runs


def one_size(n: int, args: argparse.Namespace, out: Path, port: int) -> tuple[list[str], str, float, float]:
    """The wrk rows, the single-request row, and the cold render's wall time and CPU for ``n`` talks.

    Both servers listen on ``port``: bodies hold absolute URLs, and the cache-on server's must equal
    the cache-off server's.
    """
    say(f"== N={n}")
    url = sqlite_file(out / f"bench-{n}.db")
    generate_event(url, n)
    path = f"/events/bench-{n}/schedule"

    wait_quiet(args.quiet_wait)
    say("  server with PLENARY_RENDER_CACHE_MB=0")
    with Server(url, out / f"server-{n}-nocache.log", settings={"PLENARY_RENDER_CACHE_MB": "0"}, port=port) as server:
        first_answer, etag = check_conditional(server, path, out, f"schedule-{n}.json")
        body = first_answer.body
        cold_all, cold_cpu = cold_renders(server, path, args.single_runs)
        cold = median(cold_all)
        health_alone = median(timings(args.single_runs, server.url("/health")))
        say(f"  schedule: {len(body)} bytes, ETag {etag}, {cold:.3f}s alone without the cache ({cold_cpu:.3f}s CPU)")
        measure = Load(server, out / f"wrk-{n}", args)
        health_nocache = measure("health-nocache", "/health")
        full_nocache = measure(
            "schedule-200-nocache",
            path,
            connections=args.full_connections,
            seconds=full_duration(args, cold),
            options=["-s", str(BENCH / "unique.lua")],
        )

    wait_quiet(args.quiet_wait)
    cache = {} if args.cache_mb is None else {"PLENARY_RENDER_CACHE_MB": str(args.cache_mb)}
    say(f"  server with PLENARY_RENDER_CACHE_MB={args.cache_mb or '<default>'}")
    with Server(url, out / f"server-{n}-cache.log", settings=cache, port=port) as server:
        # A 304 first, so that the miss below pays for the render, not for the first connection or query.
        if (status := fetch(server.url(path), {"If-None-Match": etag}).status) != 304:
            raise BenchError(f"If-None-Match: {etag} got {status}, not 304")
        first = fetch(server.url(path))
        if first.body != body:
            out.joinpath(f"schedule-{n}.json.cached").write_bytes(first.body)
            raise BenchError(f"the cache-on server sent another body for {path} (.cached)")
        warm = median(timings(args.single_runs, server.url(path)))
        herd_slowest = herd(server.url(path + "?bench-herd=1"), args.herd)[-1]
        say(
            f"  cache on: first request {first.seconds:.3f}s, then {warm:.3f}s;"
            f" {args.herd} at once: {herd_slowest:.3f}s for the slowest"
        )
        measure = Load(server, out / f"wrk-{n}", args)
        health_cache = measure("health-cache", "/health")
        not_modified = measure("schedule-304", path, options=["-H", f"If-None-Match: {etag}"])
        full_cache = measure("schedule-200-cache", path)

    rows = cache_rows(
        n, "schedule, full", "schedule", len(body), health_nocache, full_nocache, health_cache, full_cache, not_modified
    )
    single = (
        f"| {n} | {wrk.format_bytes(len(body))} | {ms(cold)} ({ms(cold_all[0])} to {ms(cold_all[-1])}) "
        f"| {ms(cold_cpu)} | {health_alone * 1000:.1f} ms | {cold / health_alone:,.0f} "
        f"| {ms(first.seconds)} | {ms(warm)} | {ms(herd_slowest)} |"
    )
    return rows, single, cold, cold_cpu


def growth(sizes: list[int], colds: list[tuple[float, float]]) -> list[str]:
    """How the cold render grows from one size to the next (linear: as much as the talks)."""
    lines = []
    for (small, (wall, cpu)), (large, (wall_large, cpu_large)) in pairwise(zip(sizes, colds, strict=True)):
        cpu_ratio = f"x{cpu_large / cpu:.1f}" if cpu else "n/a (under a clock tick)"
        lines.append(
            f"Cold render, {large} talks against {small}: x{wall_large / wall:.1f} wall, "
            f"{cpu_ratio} server CPU (x{large / small:g} the talks)."
        )
    return lines


def cache_rows(
    talks: int,
    full: str,
    short: str,
    body_bytes: int,
    health_nocache: WrkRun,
    full_nocache: WrkRun,
    health_cache: WrkRun,
    full_cache: WrkRun,
    not_modified: WrkRun,
) -> list[str]:
    """The five wrk rows of a cached representation, each against its own server's /health ceiling."""

    def row(run: WrkRun, endpoint: str, ceiling: WrkRun, size: int | None = None) -> str:
        return wrk.row(run.result, talks=talks, endpoint=endpoint, ceiling=ceiling.result, body_bytes=size, cpu=run.cpu)

    return [
        row(health_nocache, "GET /health (ceiling), cache-off server", health_nocache),
        row(full_nocache, f"{full} (200), cache off: renders every time", health_nocache, body_bytes),
        row(health_cache, "GET /health (ceiling), cache-on server", health_cache),
        row(full_cache, f"{full} (200), cache on: hits", health_cache, body_bytes),
        row(not_modified, f"{short}, If-None-Match (304)", health_cache, 0),
    ]


def run(args: argparse.Namespace) -> int:
    require_tools()
    out = OUT / "schedule"
    out.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    started = revision()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, commit {started},",
        f"     {os.cpu_count()} cores; wrk -t{args.threads} -d{args.duration}s --timeout {args.timeout} --latency,"
        f" -c{args.connections}",
        f"     (full schedule, cache off: -c{args.full_connections}, at least {args.full_min_requests} requests,"
        f" at most {args.max_duration}s)",
        f"     cache-on server: PLENARY_RENDER_CACHE_MB={args.cache_mb or 'unset, the service default'} -->",
        wrk.header(),
    ]
    singles = [
        f"| N | body | cache off: one request alone (median of {args.single_runs}, min to max) "
        "| cache off: server CPU per request | cache off: GET /health alone (median) | cold ÷ /health "
        f"| cache on: first request (miss) | cache on: next requests (hits, median of {args.single_runs}) "
        f"| cache on: {args.herd} requests at once for a new body (slowest) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    port = free_port()
    results = out / "results.md"
    colds: list[tuple[float, float]] = []
    for n in args.sizes:
        rows, single, cold, cold_cpu = one_size(n, args, out, port)
        lines.extend(rows)
        singles.append(single)
        colds.append((cold, cold_cpu))
        results.write_text("\n".join([*lines, "", *singles]) + "\n")  # so far, in case a later size fails
    text = "\n".join([*lines, "", *singles, "", *growth(args.sizes, colds)]) + "\n"
    if (ended := revision()) != started:
        text += f"\nNote: the tree changed during the run: {started} at the start, {ended} at the end.\n"
    results.write_text(text)
    print(text, end="")
    return 0
