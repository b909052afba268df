"""Live streams: change-to-client latency with many streams open, and memory per open stream.

On a fresh PostgreSQL database (``plenary_livebench`` on the local server by default) holding the
synthetic event bench-N:

  1. one worker: --streams clients open ``GET /events/bench-N/live``; the server's RSS is read before
     and after (memory per stream = the difference / streams). Then --changes retitles go through
     the API one after another; for each, every stream's event is timed from the moment the
     organiser's 200 arrived (an event that comes before the 200 counts as 0).
  2. two processes: the same streams on process B, the edits through process A; the change crosses
     PostgreSQL LISTEN/NOTIFY, and (with --redis-url) again over Redis.
  3. with --memory-streams M: M idle streams each on Plenary, on a trivial Litestar streaming app
     and on a bare ASGI app under uvicorn (bench/live_baseline.py), RSS per stream of each: what is
     ours, what is Litestar's, what is uvicorn's.

Streams are opened 50 at a time, each wave once its streams have their opening line (as clients
reconnecting after a restart would, spread by their retry delay).
The clients are raw sockets on one event loop in this process, reading ``id:`` lines; they cost
CPU on the same machine, so figures from a loaded 2-core machine are upper bounds.

  python -m bench live                                  # 1,000 streams, 20 changes
  python -m bench live --streams 200 --changes 10       # a quick one
  python -m bench live --redis-url redis://127.0.0.1:6379/0 --memory-streams 10000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no types
import httpx

from bench.harness import OUT, BenchError, Server, generate_event, say
from bench.live_baseline import baseline_server

DEFAULT_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/plenary_livebench"
WAVE = 50
"""Streams opened at once."""
WAIT = 10.0
"""Seconds a change may take to reach every stream before the run counts it as lost."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--streams", type=int, default=1000, help="open streams (default 1000)")
    parser.add_argument("--changes", type=int, default=20, help="changes timed per setup (default 20)")
    parser.add_argument("--talks", type=int, default=100, help="talks of the bench event (default 100)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="a PostgreSQL database, recreated")
    parser.add_argument("--redis-url", default="", help="also run two processes over Redis (PLENARY_REDIS_URL)")
    parser.add_argument("--memory-streams", type=int, default=0, help="idle streams for RSS per stream (default: skip)")


@dataclass
class Streams:
    """Raw SSE clients: the arrival time of each ``id:`` they read, by version."""

    arrivals: dict[int, list[float]] = field(default_factory=dict)
    everyone: dict[int, asyncio.Event] = field(default_factory=dict)
    """Set when every stream has read the version."""
    opened: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)

    async def open(self, base: str, path: str, count: int) -> None:
        for start in range(0, count, WAVE):
            waves = (self._connect(base, path) for _ in range(min(WAVE, count - start)))
            await asyncio.wait_for(asyncio.gather(*waves), 60)

    async def _connect(self, base: str, path: str) -> None:
        split = urlsplit(base)
        reader, writer = await asyncio.open_connection(split.hostname, split.port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {split.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.writers.append(writer)
        status = await reader.readline()
        if b" 200 " not in status:
            raise BenchError(f"a stream was refused: {status!r}")
        while not (await reader.readline()).startswith(b":"):  # the headers, then the opening comment
            pass
        self.opened += 1
        self.readers.append(asyncio.create_task(self._read(reader)))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            if line.startswith(b"id: "):
                version = int(line[4:])
                arrived = self.arrivals.setdefault(version, [])
                arrived.append(time.perf_counter())
                if len(arrived) == self.opened:
                    self.reached(version).set()

    def reached(self, version: int) -> asyncio.Event:
        return self.everyone.setdefault(version, asyncio.Event())

    async def wait_for_all(self, version: int) -> None:
        with contextlib.suppress(TimeoutError):  # the streams it did not reach count as lost
            await asyncio.wait_for(self.reached(version).wait(), WAIT)

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no RSS for process {pid}")


def percentile(ordered: Sequence[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Outcome:
    setup: str
    streams: int
    latencies: list[float]
    lost: int
    rss_before_kb: int
    rss_after_kb: int

    def row(self) -> str:
        ordered = sorted(self.latencies) or [float("nan")]
        per_stream = (self.rss_after_kb - self.rss_before_kb) / max(1, self.streams)
        return (
            f"| {self.setup} | {self.streams} | {len(self.latencies)} | {percentile(ordered, 0.5) * 1000:.1f} ms "
            f"| {percentile(ordered, 0.99) * 1000:.1f} ms | {self.lost} | {self.rss_before_kb / 1024:.0f} MB "
            f"| {self.rss_after_kb / 1024:.0f} MB | {per_stream:.1f} kB |"
        )


HEADER = (
    "| setup | streams | events timed | p50 (200 to event) | p99 | lost | RSS before | RSS with streams "
    "| per stream |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


async def measure(setup: str, editing: Server, streaming: Server, args: argparse.Namespace, token: str) -> Outcome:
    slug = f"bench-{args.talks}"
    async with httpx.AsyncClient(base_url=editing.base, timeout=30) as organiser:
        schedule = (await organiser.get(f"/events/{slug}/schedule")).json()
        talk_ids = [talk["talk_id"] for day in schedule["days"] for talk in day["talks"]]
        streams = Streams()
        rss_before = rss_kb(streaming.pid)
        await streams.open(streaming.base, f"/events/{slug}/live", args.streams)
        latencies: list[float] = []
        lost = 0
        try:
            for n in range(args.changes):
                talk_id = talk_ids[n % len(talk_ids)]
                response = await organiser.patch(
                    f"/events/{slug}/talks/{talk_id}",
                    json={"title": f"Retitled {setup} {n}"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                answered = time.perf_counter()
                if response.status_code != 200:
                    raise BenchError(f"the edit failed: {response.status_code} {response.text}")
                version = int(response.headers["etag"].split("-", 1)[0].strip('W/"v'))
                await streams.wait_for_all(version)
                arrived = streams.arrivals.get(version, [])
                lost += args.streams - len(arrived)
                latencies += [max(0.0, at - answered) for at in arrived]
                if n == 0:
                    rss_after = rss_kb(streaming.pid)  # every stream has read and sent one change
                await asyncio.sleep(0.1)
        finally:
            await streams.close()
    return Outcome(setup, args.streams, latencies, lost, rss_before, rss_after)


async def fresh_database(url: str) -> None:
    split = urlsplit(url.replace("+asyncpg", ""))
    name = split.path.lstrip("/")
    if not name.startswith("plenary_live"):
        raise BenchError("the bench recreates its database: give one named plenary_live*")
    admin = await asyncpg.connect(dsn=split._replace(path="/postgres").geturl())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def organiser_token(database_url: str, slug: str) -> str:
    env = {**os.environ, "PLENARY_DATABASE_URL": database_url}
    created = subprocess.run(
        ["plenary", "token", "create", "--event", slug], env=env, capture_output=True, text=True, check=True
    )
    return created.stdout.strip().split()[-1]


async def idle_rss(base: str, pid: int, path: str, count: int) -> tuple[int, int]:
    """The server's RSS (kB) before and with ``count`` idle streams open."""
    streams = Streams()
    await streams.open(base, path, 1)  # warm: the first stream loads what every stream needs
    before = rss_kb(pid)
    try:
        await streams.open(base, path, count)
        await asyncio.sleep(1)
        return before, rss_kb(pid)
    finally:
        await streams.close()


MEMORY_HEADER = "| server | idle streams | RSS before | RSS with streams | per stream |\n|---|---:|---:|---:|---:|"


def memory_row(server: str, count: int, before: int, after: int) -> str:
    return (
        f"| {server} | {count} | {before / 1024:.0f} MB | {after / 1024:.0f} MB | {(after - before) / count:.1f} kB |"
    )


def measure_memory(args: argparse.Namespace, settings: dict[str, str], out: Path) -> list[str]:
    count, path = args.memory_streams, f"/events/bench-{args.talks}/live"
    rows: list[str] = []
    for app, name in (("raw_app", "uvicorn, bare ASGI"), ("litestar_app", "Litestar, one Stream route")):
        with baseline_server(app, out / f"{app}.log") as (base, pid):
            say(f"memory: {name}, {count} streams")
            rows.append(memory_row(name, count, *asyncio.run(idle_rss(base, pid, path, count))))
    with Server(args.database_url, out / "memory.log", settings=settings) as plenary:
        say(f"memory: Plenary, {count} streams")
        rows.append(memory_row("Plenary", count, *asyncio.run(idle_rss(plenary.base, plenary.pid, path, count))))
    return rows


def run(args: argparse.Namespace) -> int:
    from service.db.migrate import upgrade

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the streams' sockets, here and in the servers
    if hard < max(args.streams, args.memory_streams) + 100:  # one socket per stream here, one in the server
        say(f"the open-file limit ({hard}) is below one socket per stream: expect refused streams")
    out = OUT / "live"
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(fresh_database(args.database_url))
    upgrade(args.database_url)
    generate_event(args.database_url, args.talks)
    token = organiser_token(args.database_url, f"bench-{args.talks}")
    most = max(args.streams, args.memory_streams)
    settings = {"PLENARY_LIVE_MAX_STREAMS": str(most + 10), "PLENARY_ATTENDEE_WRITES_PER_MINUTE": "1000000"}
    rows: list[str] = []
    with Server(args.database_url, out / "one.log", settings=settings) as one:
        say(f"one worker, {args.streams} streams")
        rows.append(asyncio.run(measure("one worker", one, one, args, token)).row())
    buses = [("LISTEN/NOTIFY", settings)]
    if args.redis_url:
        buses.append(("Redis", {**settings, "PLENARY_REDIS_URL": args.redis_url}))
    for bus, environment in buses:
        with (
            Server(args.database_url, out / "a.log", settings=environment) as editing,
            Server(args.database_url, out / "b.log", settings=environment) as streaming,
        ):
            say(f"two processes ({bus}), {args.streams} streams")
            rows.append(asyncio.run(measure(f"two processes ({bus})", editing, streaming, args, token)).row())
    report = f"{HEADER}\n" + "\n".join(rows) + "\n"
    if args.memory_streams:
        report += f"\n{MEMORY_HEADER}\n" + "\n".join(measure_memory(args, settings, out)) + "\n"
    (out / "results.md").write_text(report)
    print(report)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
