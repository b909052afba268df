"""What every benchmark shares: servers, wrk runs with their CPU accounting, single requests, events.

- ``Server``: one ``plenary serve`` (``--workers N``) on a free port and a given database, waited
  for until ``/ready`` answers, stopped with SIGTERM; a context manager.
- ``run_wrk``: one wrk run (optionally with a Lua script from bench/), its report parsed, and the
  CPU the server, wrk, the database and everything else used meanwhile (bench/machine.py).
- ``generate_event``: the synthetic event ``bench-N`` (bench/generate.py) written into a database.
- ``pin_revision``: measure one commit's ``service/`` (``git archive``) instead of the working tree.
- ``fetch`` and ``timings``: single requests, each on its own connection, timed end to end.
- ``worker_pids``: the processes of a server that answer requests (all its workers, once started).
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import resource
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from bench.machine import CLOCK_TICKS, descendants, machine_cpu, process_cpu
from bench.machine import say as say  # re-exported: every benchmark reports through it
from bench.wrk import CpuUse, WrkParseError, WrkResult, parse_wrk

BENCH = Path(__file__).resolve().parent
REPOSITORY = BENCH.parent
OUT = BENCH / "out"


class BenchError(RuntimeError):
    """A benchmark cannot go on: a server died, an answer was wrong, a tool is missing."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_tools(*tools: str) -> None:
    for tool in ("plenary", "wrk", *tools):
        if shutil.which(tool) is None:
            hint = "activate the virtualenv" if tool == "plenary" else f"apt-get install {tool}"
            raise BenchError(f"{tool} is not on PATH ({hint})")


def add_wrk_options(parser: argparse.ArgumentParser, *, threads: int = 2) -> None:
    """The options every wrk-driven benchmark takes, with the defaults the results were made with."""
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default 10)")
    parser.add_argument("--threads", type=int, default=threads, help=f"wrk threads (default {threads})")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--timeout", default="60s", help="wrk --timeout (default 60s)")
    add_quiet_options(parser)


def add_quiet_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=300,
        help="seconds to wait for an idle machine first (default 300; 0: no wait)",
    )
    parser.add_argument(
        "--revision", help="measure this commit's service/ (git archive into bench/out/.../src), not the working tree"
    )


# --- the code measured ---------------------------------------------------------------------------


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPOSITORY), *args], capture_output=True, text=True).stdout.strip()


def pin_revision(out: Path, wanted: str | None) -> Callable[[], str]:
    """Without ``wanted``, the working tree; else that commit's service/ and fixtures/ first on PYTHONPATH.

    Every process started afterwards (servers, the generator, ``plenary import``) inherits it, so the
    run measures one commit even while someone edits the tree. Returns what describes the code now.
    """
    if not wanted:

        def working_tree() -> str:
            revision = _git("rev-parse", "--short", "HEAD") or "?"
            if _git("status", "--porcelain", "--", "service"):
                revision += " with uncommitted changes in service/"
            return revision

        return working_tree
    commit = _git("rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}")
    if not commit:
        raise BenchError(f"--revision: no commit {wanted}")
    source = out / "src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", commit, "service", "fixtures"], capture_output=True
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(source, filter="data")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))
    # From `out`, since `python -c` puts the current directory (maybe the repository) first.
    imported = subprocess.run(
        [sys.executable, "-c", "import service; print(service.__file__)"], cwd=out, capture_output=True, text=True
    ).stdout.strip()
    if not imported.startswith(str(source)):
        raise BenchError(f"service is imported from {imported}, not {source}")
    pinned = f"{_git('rev-parse', '--short', commit)} (git archive, not the working tree)"
    return lambda: pinned


def generate_event(database_url: str, talks: int) -> None:
    """The event bench-<talks>, written by bench/generate.py in its own process (so --revision holds)."""
    command = [sys.executable, str(BENCH / "generate.py"), "--database-url", database_url, "--talks", str(talks)]
    subprocess.run(command, check=True)


def sqlite_file(path: Path) -> str:
    """A fresh SQLite file (its WAL and shared memory removed too), as an async URL."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


# --- servers -----------------------------------------------------------------------------------------


@dataclass
class Server:
    """One ``plenary serve`` on a free port; ``settings`` are extra environment variables."""

    database_url: str
    log: Path
    workers: int = 1
    settings: Mapping[str, str] = field(default_factory=dict)
    ready_timeout: float = 120.0
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise BenchError("the server is not running")
        return self.process.pid

    def url(self, path: str) -> str:
        return self.base + path

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key != "PLENARY_RENDER_CACHE_MB"}
        env.update(PLENARY_DATABASE_URL=self.database_url, PLENARY_LOAD_DEMO="false", PLENARY_LOG_LEVEL="warning")
        env.update(self.settings)
        return env

    def start(self) -> Server:
        command = ["plenary", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=self.environment(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.alive() and fetch(self.url("/ready"), timeout=5).status == 200:
                return self
            if not self.alive():
                raise BenchError(f"the server died; its log:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.2)
        self.stop()  # never leave a server behind: `with` does not stop one whose start failed
        raise BenchError(f"the server was not ready after {self.ready_timeout:.0f} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


# --- single requests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float
    body: bytes
    headers: Mapping[str, str]

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def fetch(url: str, headers: Mapping[str, str] | None = None, timeout: float = 600) -> Answer:
    """One GET on a new connection, timed from connecting to the last byte (as curl's time_total)."""
    parts = urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=dict(headers or {}))
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException):
        return Answer(0, time.perf_counter() - started, b"", {})
    finally:
        connection.close()
    return Answer(
        response.status, time.perf_counter() - started, body, {k.lower(): v for k, v in response.getheaders()}
    )


def timings(count: int, url: str) -> list[float]:
    """``count`` requests one after another: their times in seconds, sorted."""
    return sorted(fetch(url).seconds for _ in range(count))


def median(ordered: Sequence[float]) -> float:
    """The middle value of a sorted list (the lower of the two middle ones for an even count)."""
    return ordered[(len(ordered) + 1) // 2 - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# --- wrk ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkRun:
    result: WrkResult
    cpu: CpuUse
    output: Path


def run_wrk(
    prefix: Path,
    target: str,
    *,
    connections: int,
    seconds: int,
    threads: int,
    timeout: str,
    server_cpu: Callable[[], int],
    options: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    database_cpu: Callable[[], int] | None = None,
    counters: Mapping[str, Callable[[], int]] | None = None,
) -> WrkRun:
    """wrk on ``target``; its report in PREFIX.txt, the CPU used meanwhile in PREFIX.cpu.

    ``server_cpu`` and ``database_cpu`` read jiffies so far; ``counters`` are read before and after
    and their differences kept too (for the .cpu file). "other" is everything busy on the machine
    that was not the server, the database or wrk: another job running in parallel shows up there.
    """
    flags = f"-t{threads} -c{connections} -d{seconds}s"
    say(f"  wrk {prefix.name}: {flags} {' '.join(options)}".rstrip())
    counted = counters or {}
    counts_before = {name: read() for name, read in counted.items()}
    server_before = server_cpu()
    database_before = database_cpu() if database_cpu else 0
    machine_before = machine_cpu()
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = ["wrk", *flags.split(), "--timeout", timeout, "--latency", *options, target]
    output, errors_file = beside(prefix, ".txt"), beside(prefix, ".err")
    with output.open("w") as report, errors_file.open("w") as errors:
        subprocess.run(command, stdout=report, stderr=errors, env={**os.environ, **(env or {})}, check=False)
    elapsed = time.perf_counter() - started
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_after = machine_cpu()
    server = (server_cpu() - server_before) / CLOCK_TICKS
    database = (database_cpu() - database_before) / CLOCK_TICKS if database_cpu else None
    counts = tuple((name, read() - counts_before[name]) for name, read in counted.items())
    wrk = (wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime - wrk_before.ru_stime)
    busy = (machine_after[0] - machine_before[0]) / CLOCK_TICKS
    # A negative database figure means the postmaster's accounting was caught mid-change (a backend
    # exiting): none is better than a wrong one.
    database = database if database is None or database >= 0 else None
    other = max(0.0, busy - server - (database or 0.0) - wrk)
    steal = (machine_after[1] - machine_before[1]) / CLOCK_TICKS
    cpu = CpuUse(elapsed, busy, server, wrk, other, steal, database, counts)
    beside(prefix, ".cpu").write_text(cpu.text())
    text = output.read_text()
    try:
        result = parse_wrk(text)
    except WrkParseError as error:
        raise BenchError(f"wrk {target}: {error}\n{text}{errors_file.read_text()}") from None
    summary = next((line for line in text.splitlines() if line.startswith("Requests/sec")), "no Requests/sec")
    say(f"    {summary}, CPU: {cpu.text().replace(chr(10), ' ').strip()}")
    return WrkRun(result, cpu, output)


def beside(prefix: Path, ending: str) -> Path:
    """PREFIX + ending (a file next to the others of one run)."""
    return prefix.with_name(prefix.name + ending)


@dataclass
class Load:
    """wrk against one server with a command's --threads, --connections, --duration and --timeout.

    Each run's files are PREFIX-NAME.txt, .err and .cpu; ``server_cpu`` defaults to the server
    process's own CPU (one worker).
    """

    server: Server
    prefix: Path
    args: argparse.Namespace

    def __call__(
        self,
        name: str,
        path: str,
        *,
        connections: int | None = None,
        seconds: int | None = None,
        options: Sequence[str] = (),
    ) -> WrkRun:
        return run_wrk(
            beside(self.prefix, f"-{name}"),
            self.server.url(path),
            connections=connections or self.args.connections,
            seconds=seconds or self.args.duration,
            threads=self.args.threads,
            timeout=self.args.timeout,
            server_cpu=lambda: process_cpu(self.server.pid),
            options=options,
        )


# --- worker processes ---------------------------------------------------------------------------------


def worker_pids(server: Server, workers: int, timeout: float = 60) -> list[int]:
    """The processes that answer requests: the server itself with one worker, else its spawned children.

    With several, ``/ready`` answers as soon as the first is up: this waits until all are there.
    """
    if workers == 1:
        return [server.pid]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [pid for pid in descendants(server.pid)[1:] if b"spawn_main" in _cmdline(pid)]
        if len(children) >= workers:
            return sorted(children)
        time.sleep(0.2)
    raise BenchError(f"{workers} workers were asked for; after {timeout:.0f} s: {descendants(server.pid)[1:]}")


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
