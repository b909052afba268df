"""How long ``/health`` takes while the worker imports a big schedule, against the idle worker.

    python bench/import_health.py [--database-url URL] [--file ../shared/schedules/fosdem-2026_schedule.xml]

Starts ``plenary serve`` (one worker) on a fresh database, creates an organiser token, then asks
``/health`` every 20 ms from another thread: first for ``--idle`` seconds with nothing else going
on (the baseline), then while ``POST /events/{slug}/import`` of the file runs (twice: the first
import creates every talk, the second, of the same file, compares and changes nothing). Prints a
Markdown table of ``/health`` latencies (p50, p99, max) in each phase and the imports' own times.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from service.interop.formats import detect

SHARED = Path(__file__).resolve().parents[2] / "shared" / "schedules"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
            sys.exit(f"import failed: {response.status_code} {response.text[:300]}")
    else:
        time.sleep(seconds or 0)
    prober.stopping.set()
    prober.join()
    return prober.latencies, took


def row(name: str, latencies: list[float], took: float) -> str:
    return (
        f"| {name} | {len(latencies)} | {statistics.median(latencies):.1f} | {percentile(latencies, 0.99):.1f} "
        f"| {max(latencies):.1f} | {took:.2f} s |"
        if took
        else f"| {name} | {len(latencies)} | {statistics.median(latencies):.1f} | {percentile(latencies, 0.99):.1f} "
        f"| {max(latencies):.1f} | |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--file", type=Path, default=SHARED / "fosdem-2026_schedule.xml")
    parser.add_argument("--database-url", default=None, help="default: an SQLite file in a temporary folder")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of the idle baseline")
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"{args.file} is missing (the shared schedules are read at that path)")

    folder = Path(tempfile.mkdtemp(prefix="plenary-import-health-"))
    url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    env = {**os.environ, "PLENARY_DATABASE_URL": url, "PLENARY_LOAD_DEMO": "true", "PLENARY_LOG_LEVEL": "warning"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        token = subprocess.run(
            [sys.executable, "-m", "service.cli", "token", "create", "--admin"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        data = args.file.read_bytes()
        # An empty event with the file's days and zone, for the import to fill.
        document = detect(data).parse(data, default_timezone="UTC")
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{base}/events",
            json={
                "slug": "bench-import",
                "title": document.title[:200] or "Bench",
                "timezone": document.timezone or "UTC",
                "start_date": document.start_date.isoformat(),
                "end_date": document.end_date.isoformat(),
            },
            headers=headers,
        )
        created.raise_for_status()
        request = httpx.Request("POST", f"{base}/events/bench-import/import", content=data, headers=headers)
        idle, _ = measure(base, seconds=args.idle)
        first, first_took = measure(base, during=request)
        again, again_took = measure(base, during=request)
    finally:
        server.terminate()
        server.wait(timeout=30)

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


if __name__ == "__main__":
    raise SystemExit(main())
