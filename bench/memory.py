"""Memory of each worker at N talks with every cache warm, against the same server right after start.

The budget (issue 12, goal 6): each worker <= 150 MB resident at 10,000 talks with every cache warm.
One `plenary serve --workers W` runs on a database holding the synthetic event bench-N
(bench/generate.py; by default a fresh SQLite file under bench/out/memory/). Then:

  1. one keep-alive connection per worker: connections are opened until every worker holds one
     (which worker accepted a connection is read from /proc: the socket's inode in /proc/net/tcp,
     found among the worker's file descriptors), each sending GET /health;
  2. "after start": each worker's VmRSS and RssAnon, from /proc/PID/status;
  3. warming, over each worker's own connection, every representation a client asks for: the
     schedule JSON unfiltered and with a few filters (day, room, track, kind, two searches), the
     frab XML and C3VOC JSON exports, the calendar feed (whole and one track), the event, its rooms,
     tracks and speakers, what is on now, one talk; each in identity and gzip;
  4. a second pass of the same requests, counting the render cache's misses in /metrics of each
     worker (0 means the cache held everything; more means PLENARY_RENDER_CACHE_MB evicted bodies);
  5. "warm": each worker's VmRSS, VmHWM (its peak), RssAnon and Pss (/proc/PID/smaps_rollup:
     the shared libraries' pages divided among the processes that map them).

Before that, unless --no-sizes, a server with the render cache off answers the same requests once:
the bytes the cache needs to hold every body (identity and gzip), shown next to its bound. With
--tracemalloc the warm-up runs once more with the app served by uvicorn in a thread of this process
under tracemalloc, asked by curl (so the client's copies of the bodies are not counted): the lines
that hold the most at the end, and each request's peak above its start, largest first.
--env passes environment variables to the server (allocator settings, say). Exit status 2 when a
worker is over --budget-mb.

  python -m bench memory                                   # 10,000 talks, 2 workers, SQLite
  python -m bench memory --workers 1 --cache-mb 32         # another render cache bound
  python -m bench memory --env MALLOC_MMAP_THRESHOLD_=1048576 --no-sizes
  python -m bench memory --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/plenary_test_h
  python -m bench memory --workers 1 --tracemalloc         # where the memory goes (about 6 minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import http.client
import json
import os
import re
import resource
import socket
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.generate import FIRST_DAY
from bench.harness import (
    OUT,
    BenchError,
    Server,
    free_port,
    generate_event,
    pin_revision,
    require_tools,
    sqlite_file,
    worker_pids,
)
from bench.machine import say

MB = 1024 * 1024
BUDGET_MB = 150
STATUS_FIELDS = ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Pss")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--talks", type=int, default=10_000, help="talks of the event bench-N (default 10000)")
    parser.add_argument("--workers", type=int, default=2, help="plenary serve --workers (default 2)")
    parser.add_argument(
        "--database-url",
        help="a database to use (bench-N is generated into it unless it holds it); default: a fresh SQLite file",
    )
    parser.add_argument("--cache-mb", type=int, help="PLENARY_RENDER_CACHE_MB (default: unset, the service default)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server (repeatable), e.g. MALLOC_ARENA_MAX=2",
    )
    parser.add_argument("--budget-mb", type=int, default=BUDGET_MB, help=f"VmRSS per worker (default {BUDGET_MB})")
    parser.add_argument("--no-sizes", action="store_true", help="skip the server that measures the bodies' sizes")
    parser.add_argument("--tracemalloc", action="store_true", help="also warm the app in this process, traced")
    parser.add_argument("--top", type=int, default=15, help="lines of the tracemalloc listing (default 15)")
    parser.add_argument(
        "--revision", help="measure this commit's service/ (git archive into bench/out/memory/src), not the tree"
    )


# --- which worker holds a connection --------------------------------------------------------------------


def status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon and RssFile of a process, and its Pss (shared pages divided among the
    processes that map them: the libraries the workers share), in bytes."""
    found = {}
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    lines += Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    for line in lines:
        name, _, value = line.partition(":")
        if name in STATUS_FIELDS:
            found[name] = int(value.split()[0]) * 1024
    return found


def _socket_inode(server_port: int, client_port: int) -> int:
    """The inode of the server's end of the connection from ``client_port`` (0: not accepted yet)."""
    wanted_local, wanted_remote = f"{server_port:04X}", f"{client_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], int(fields[9])
            if local.endswith(":" + wanted_local) and remote.endswith(":" + wanted_remote):
                return inode
    return 0


def _owner(inode: int, pids: list[int]) -> int | None:
    needle = f"socket:[{inode}]"
    for pid in pids:
        fds = Path(f"/proc/{pid}/fd")
        for fd in fds.iterdir():
            try:
                if os.readlink(fd) == needle:
                    return pid
            except OSError:
                continue
    return None


def _connect(port: int, pids: list[int], wanted: set[int]) -> tuple[int, http.client.HTTPConnection]:
    """A keep-alive connection that one of the ``wanted`` workers accepted, and that worker."""
    spare: list[http.client.HTTPConnection] = []
    try:
        for _ in range(50 * len(pids)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            get(connection, "/health")  # answered, so accepted: the worker's descriptor exists now
            if not isinstance(sock := connection.sock, socket.socket):
                raise BenchError("no socket after a request")
            owner = _owner(_socket_inode(port, sock.getsockname()[1]), pids)
            if owner in wanted:
                return owner, connection
            spare.append(connection)  # held open meanwhile, so the next connection may go elsewhere
    finally:
        for connection in spare:
            connection.close()
    raise BenchError(f"none of the workers {sorted(wanted)} accepted any of {50 * len(pids)} connections")


class ToWorker:
    """Requests to one worker over a keep-alive connection, reconnected to the same worker when the
    server closes it (uvicorn closes one idle for 5 s, as one is while another worker is warmed)."""

    def __init__(self, port: int, pids: list[int], pid: int, connection: http.client.HTTPConnection) -> None:
        self.port, self.pids, self.pid, self.connection = port, pids, pid, connection

    def get(self, path: str, headers: dict[str, str] | None = None) -> bytes:
        try:
            return get(self.connection, path, headers)
        except (http.client.RemoteDisconnected, ConnectionError):
            self.connection.close()
            _, self.connection = _connect(self.port, self.pids, {self.pid})
            return get(self.connection, path, headers)

    def close(self) -> None:
        self.connection.close()


def connection_per_worker(server: Server, pids: list[int]) -> list[ToWorker]:
    """One keep-alive connection to each worker: connect until every worker has accepted one."""
    held: list[ToWorker] = []
    while len(held) < len(pids):
        pid, connection = _connect(server.port, pids, set(pids) - {worker.pid for worker in held})
        held.append(ToWorker(server.port, pids, pid, connection))
    return sorted(held, key=lambda worker: worker.pid)


# --- what a client asks for ----------------------------------------------------------------------------


def get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None) -> bytes:
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise BenchError(f"GET {path} answered {response.status}: {body[:300]!r}")
    return body


def paths_for(talks: int, room: str, talk_id: str) -> list[str]:
    """Every representation a warm worker holds: the full schedule and its exports, filters, searches."""
    event = f"/events/bench-{talks}"
    day = FIRST_DAY.isoformat()
    return [
        f"{event}/schedule",
        f"{event}/schedule.json",
        f"{event}/schedule.xml",
        f"{event}/calendar.ics",
        f"{event}/calendar.ics?track=nlp",
        f"{event}/schedule?day={day}",
        f"{event}/schedule?room={room}",
        f"{event}/schedule?track=vision",
        f"{event}/schedule?kind=keynote",
        f"{event}/schedule?q=sparse%20attention",
        f"{event}/schedule?q=olga%20petrov",
        event,
        f"{event}/rooms",
        f"{event}/tracks",
        f"{event}/speakers",
        f"{event}/now?at={day}T11:00:00",
        f"{event}/talks/{talk_id}",
        f"{event}/talks/{talk_id}.ics",
        "/events",
    ]


def first_room_and_talk(rooms: bytes, schedule_of_room: Callable[[str], bytes]) -> tuple[str, str]:
    room = str(json.loads(rooms)["items"][0]["slug"])
    talk_id = str(json.loads(schedule_of_room(room))["days"][0]["talks"][0]["talk_id"])
    return room, talk_id


def warm_paths(ask: Callable[[str], bytes], talks: int) -> list[str]:
    event = f"/events/bench-{talks}"
    room, talk_id = first_room_and_talk(ask(f"{event}/rooms"), lambda room: ask(f"{event}/schedule?room={room}"))
    return paths_for(talks, room, talk_id)


CODINGS: tuple[dict[str, str], ...] = ({}, {"Accept-Encoding": "gzip"})


def warm(ask: Callable[[str, dict[str, str]], bytes], paths: list[str]) -> int:
    """Every path in identity and gzip; the bytes received."""
    return sum(len(ask(path, coding)) for path in paths for coding in CODINGS)


_MISSES = re.compile(rb"^plenary_render_cache_misses_total ([0-9.e+]+)$", re.MULTILINE)


def cache_misses(worker: ToWorker) -> int:
    found = _MISSES.search(worker.get("/metrics"))
    return int(float(found.group(1))) if found else -1


# --- the run -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Worker:
    pid: int
    started: dict[str, int]
    warm: dict[str, int]
    warm_seconds: float
    second_pass_misses: int


def measure_server(args: argparse.Namespace, url: str, out: Path) -> list[Worker]:
    settings = dict(item.split("=", 1) for item in args.env)
    if args.cache_mb is not None:
        settings["PLENARY_RENDER_CACHE_MB"] = str(args.cache_mb)
    with Server(url, out / "server.log", workers=args.workers, settings=settings) as server:
        pids = worker_pids(server, args.workers)
        workers = connection_per_worker(server, pids)
        try:
            started = {worker.pid: status(worker.pid) for worker in workers}
            paths = warm_paths(workers[0].get, args.talks)
            seconds, misses = {}, {}
            for worker in workers:
                say(f"  warming worker {worker.pid}: {len(paths)} paths, identity and gzip")
                began = time.perf_counter()
                warm(worker.get, paths)
                seconds[worker.pid] = time.perf_counter() - began
            for worker in workers:
                before = cache_misses(worker)
                warm(worker.get, paths)
                misses[worker.pid] = cache_misses(worker) - before
            return [Worker(pid, started[pid], status(pid), seconds[pid], misses[pid]) for pid in pids]
        finally:
            for worker in workers:
                worker.close()


def cached_bytes(url: str, talks: int, out: Path) -> int:
    """What the render cache would hold for the warm-up: every body rendered, identity and gzip.

    Read from one more server with the cache off, so that nothing is evicted meanwhile: each path
    asked for in identity (the body the handler renders) and in gzip (the coded copy kept beside it).
    """
    with Server(url, out / "server-sizes.log", settings={"PLENARY_RENDER_CACHE_MB": "0"}) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)

        def ask(path: str, headers: dict[str, str] | None = None) -> bytes:
            return get(connection, path, headers)

        try:
            return warm(ask, warm_paths(ask, talks))
        finally:
            connection.close()


def traced_warmup(args: argparse.Namespace, url: str) -> list[str]:
    """The warm-up once more, the app served by uvicorn in a thread of this process under tracemalloc
    and asked by curl (another process, so that the client's copies of the bodies are not counted):
    the lines holding most at the end, and the peak of each request."""
    import threading

    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    cache = {} if args.cache_mb is None else {"render_cache_mb": args.cache_mb}
    app = create_app(Settings(database_url=url, migrate_on_start=False, load_demo=False, log_level="warning", **cache))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="warning"))
    thread = threading.Thread(target=server.run, name="traced-server", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise BenchError("the traced server did not start")
        time.sleep(0.05)

    def curl(path: str, headers: dict[str, str], output: str) -> bytes:
        command = ["curl", "-sSf", "-o", output, f"http://127.0.0.1:{port}{path}"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        return subprocess.run(command, capture_output=True, check=True).stdout

    def read(path: str) -> bytes:
        return curl(path, {}, "-")

    try:
        room, talk_id = first_room_and_talk(
            read(f"/events/bench-{args.talks}/rooms"),
            lambda room: read(f"/events/bench-{args.talks}/schedule?room={room}"),
        )
        gc.collect()
        tracemalloc.start(25)
        during: dict[str, int] = {}
        highest = 0
        for path in paths_for(args.talks, room, talk_id):
            for coding in CODINGS:
                before = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                curl(path, coding, "/dev/null")
                peak = tracemalloc.get_traced_memory()[1]
                during[f"{path} ({coding.get('Accept-Encoding', 'identity')})"] = peak - before
                highest = max(highest, peak)
        gc.collect()
        current = tracemalloc.get_traced_memory()[0]
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        cache_size = int(app.state.render_cache.size)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    lines = [
        f"In-process warm-up under tracemalloc ({args.talks} talks): {current / MB:.1f} MB traced at the end,"
        f" peak {highest / MB:.1f} MB; the render cache holds {cache_size / MB:.1f} MB of bodies;"
        f" this process's peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.",
        "",
        "| held at the end | blocks | allocated at (innermost line of service/, else the innermost) |",
        "|---:|---:|---|",
    ]
    for stat in snapshot.statistics("traceback")[: args.top]:
        ours = [frame for frame in stat.traceback if "/service/" in frame.filename]
        place = ours[-1] if ours else stat.traceback[-1]
        lines.append(f"| {stat.size / MB:.2f} MB | {stat.count:,} | {_short(place.filename)}:{place.lineno} |")
    lines += [
        "",
        "| request (each renders; the largest first) | traced memory at its peak, above its start |",
        "|---|---:|",
    ]
    for request, above in sorted(during.items(), key=lambda item: -item[1])[: args.top]:
        lines.append(f"| {request} | {above / MB:.1f} MB |")
    return lines


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/work/main/", "/lib/python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def has_event(url: str, slug: str) -> bool:
    """Whether the database at ``url`` holds the event ``slug`` (False also without a schema)."""
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    from service.events.models import Event

    async def look() -> bool:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                found = await connection.scalar(select(Event.id).where(Event.slug == slug))
                return found is not None
        except DBAPIError:
            return False  # no schema yet
        finally:
            await engine.dispose()

    return asyncio.run(look())


def mb(value: int) -> str:
    return f"{value / MB:.1f} MB"


def run(args: argparse.Namespace) -> int:
    require_tools()
    out = OUT / "memory"
    out.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    url = args.database_url or sqlite_file(out / f"bench-{args.talks}.db")
    if not args.database_url or not has_event(url, f"bench-{args.talks}"):
        say(f"== generating bench-{args.talks}")
        generate_event(url, args.talks)
    needed = None
    if not args.no_sizes:
        say("== the bodies' sizes (a server with the render cache off)")
        needed = cached_bytes(url, args.talks, out)
    say(f"== {args.workers} worker(s), PLENARY_RENDER_CACHE_MB={args.cache_mb or 'unset'}")
    workers = measure_server(args, url, out)
    bound = (64 if args.cache_mb is None else args.cache_mb) * MB
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, commit {revision()}, {os.cpu_count()} cores; {args.talks} talks, {args.workers} worker(s),"
        f" PLENARY_RENDER_CACHE_MB={args.cache_mb if args.cache_mb is not None else 'unset (64)'},"
        f" database {url.split(':', 1)[0]}{''.join(' ' + item for item in args.env)} -->",
        "| worker | after start: VmRSS (RssAnon) | warm: VmRSS | growth | peak (VmHWM) | warm: RssAnon | warm: Pss"
        f" | warm-up time | second pass: cache misses | VmRSS <= {args.budget_mb} MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    over = False
    for number, worker in enumerate(workers, 1):
        rss = worker.warm["VmRSS"]
        fits = rss <= args.budget_mb * MB
        over = over or not fits
        lines.append(
            f"| {number} | {mb(worker.started['VmRSS'])} ({mb(worker.started['RssAnon'])}) | {mb(rss)}"
            f" | {mb(rss - worker.started['VmRSS'])} | {mb(worker.warm['VmHWM'])} | {mb(worker.warm['RssAnon'])}"
            f" | {mb(worker.warm['Pss'])} | {worker.warm_seconds:.1f} s"
            f" | {worker.second_pass_misses} | {'yes' if fits else '**no**'} |"
        )
    if needed is not None:
        fit = "all fit" if needed <= bound else "they do not all fit: LRU evicts"
        lines += [
            "",
            f"Every body of the warm-up, identity and gzip: {wrk.format_bytes(needed)} against the render cache's"
            f" bound of {wrk.format_bytes(bound)} ({fit}).",
        ]
    if args.tracemalloc:
        say("== the warm-up in this process, under tracemalloc")
        lines += ["", *traced_warmup(args, url)]
    text = "\n".join(lines) + "\n"
    (out / "results.md").write_text(text)
    print(text, end="")
    return 2 if over else 0
