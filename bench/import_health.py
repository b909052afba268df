"""How long /health takes while the worker imports a big schedule, against the idle worker.

  python -m bench import-health --file ../shared/schedules/fosdem-2026_schedule.xml

Starts `plenary serve` (one worker) on a fresh database, creates an organiser token, then asks
/health every 20 ms from another thread: first for --idle seconds with nothing else going on (the
baseline), then while POST /events/{slug}/import of the file runs (twice: the first import creates
every talk, the second, of the same file, compares and changes nothing). Prints a Markdown table of
/health latencies (p50, p99, max) in each phase and the imports' own times.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.harness import REPOSITORY, BenchError, Server, sqlite_file
from service.interop.imports import PARSERS, detect

SHARED = REPOSITORY.parent / "shared" / "schedules"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", type=Path, default=SHARED / "fosdem-2026_schedule.xml")
    parser.add_argument("--database-url", default=None, help="default: an SQLite file in a temporary folder")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of the idle baseline")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Prober(threading.Thread):
    """Asks /health every 20 ms and keeps each answer's latency in milliseconds."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.latencies: list[float] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stopping.is_set():
                started = time.perf_counter()
                client.get("/health").raise_for_status()
                self.latencies.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)


def measure(base: str, seconds: float | None = None, during: httpx.Request | None = None) -> tuple[list[float], float]:
    prober = Prober(base)
    prober.start()
    took = 0.0
    if during is not None:
        started = time.perf_counter()
        with httpx.Client(timeout=600) as client:
            response = client.send(during)
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise BenchError(f"import failed: {response.status_code} {response.text[:300]}")
    else:
        time.sleep(seconds or 0)
    prober.stopping.set()
    prober.join()
    return prober.latencies, took


def row(name: str, latencies: list[float], took: float) -> str:
    return (
        f"| {name} | {len(latencies)} | {statistics.median(latencies):.1f} | {percentile(latencies, 0.99):.1f} "
        f"| {max(latencies):.1f} | {f'{took:.2f} s' if took else ''} |"
    )


def organiser_token(server: Server) -> str:
    created = subprocess.run(
        ["plenary", "token", "create", "--admin"], env=server.environment(), capture_output=True, text=True, check=True
    )
    return created.stdout.strip()


def run(args: argparse.Namespace) -> int:
    if not args.file.exists():
        raise BenchError(f"{args.file} is missing (the shared schedules are read at that path)")
    url = args.database_url or sqlite_file(Path(tempfile.mkdtemp(prefix="plenary-import-health-")) / "bench.db")
    log = Path(tempfile.mkdtemp(prefix="plenary-import-health-log-")) / "server.log"
    with Server(url, log, settings={"PLENARY_LOAD_DEMO": "true"}) as server:
        headers = {"Authorization": f"Bearer {organiser_token(server)}"}
        data = args.file.read_bytes()
        # An empty event with the file's days and zone, for the import to fill.
        document = PARSERS[detect(data)](data, default_timezone="UTC")
        event = {
            "slug": "bench-import",
            "title": document.title[:200] or "Bench",
            "timezone": document.timezone or "UTC",
            "start_date": document.start_date.isoformat(),
            "end_date": document.end_date.isoformat(),
        }
        httpx.post(server.url("/events"), json=event, headers=headers).raise_for_status()
        request = httpx.Request("POST", server.url("/events/bench-import/import"), content=data, headers=headers)
        idle, _ = measure(server.base, seconds=args.idle)
        first, first_took = measure(server.base, during=request)
        again, again_took = measure(server.base, during=request)

    backend = url.split(":", 1)[0]
    print(
        f"`/health` latency in ms while importing {args.file.name} ({len(data) / 1e6:.1f} MB), {backend}, one worker\n"
    )
    print("| phase | probes | p50 | p99 | max | import took |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row("idle (baseline)", idle, 0))
    print(row("first import (creates)", first, first_took))
    print(row("re-import (no change)", again, again_took))
    return 0
