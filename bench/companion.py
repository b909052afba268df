"""The companion on a slowed-down phone: time until the N-talk schedule shows, and the shell's size.

    python -m bench companion            # or: python bench/companion.py --talks 1000 --runs 5

Debian's Chromium (through Playwright) at a phone's viewport (390x844), its main thread slowed
4x with the DevTools protocol (``Emulation.setCPUThrottlingRate``), which is how Lighthouse stands
in for a mid-range phone; the network is local and not slowed, so what is timed is the page's own
work: loading its modules, parsing the schedule JSON of every talk, drawing the first day.

The synthetic event ``bench-N`` (bench/generate.py) is served by ``plenary serve`` on SQLite.
For each of ``--runs`` fresh browser profiles:

- cold: the first visit, no service worker and no cache: the shell, its modules, the schedule;
- warm: the second visit of the same profile: shell and modules from the service worker, the
  schedule revalidated with its ETag (a 304) and served from the worker's copy;
- filter: choosing a track redraws the list from all N talks (from the change to the list drawn).

Times are taken inside the page (``performance.now()``, from the start of the navigation) by a
MutationObserver installed before the page's scripts run, so no round trip to the driver is
counted. The shell's size is ``/`` plus every file the worker stores on install, as the server
sends them to a browser that accepts gzip, summed: the issue's budget is 100 kB.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import OUT, BenchError, Server, generate_event, sqlite_file

CHROMIUM = Path("/usr/bin/chromium")
SHELL_BUDGET = 100 * 1024
WATCH = """
window.__bench = {};
new MutationObserver(() => {
  const b = window.__bench;
  if (!b.shown && document.querySelector('.day .entry')) b.shown = performance.now();
  if (b.changed && !b.filtered && document.querySelector('.count')) b.filtered = performance.now();
}).observe(document, { childList: true, subtree: true });
document.addEventListener('change', () => { window.__bench.changed = performance.now(); }, true);
"""


@dataclass
class Visit:
    cold_ms: float
    warm_ms: float
    filter_ms: float


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--talks", type=int, default=1000, help="talks in the synthetic event (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="fresh browser profiles, each visiting twice (default 5)")
    parser.add_argument("--cpu-slowdown", type=float, default=4.0, help="Chromium CPU throttling rate (default 4)")


def shell_bytes(base: str) -> tuple[int, int]:
    """The shell and every file its worker stores, gzip'ed as served: (total bytes, number of files)."""

    def body(path: str) -> bytes:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})  # noqa: S310 - local
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local server we started
            return bytes(response.read())

    worker = body("/sw.js")
    text = (gzip.decompress(worker) if worker[:2] == b"\x1f\x8b" else worker).decode()
    precached = text.split("const PRECACHE = ", 1)[1].split(";", 1)[0]
    paths = ["/", "/manifest.webmanifest", *(p.strip().strip('"') for p in precached.strip("[]").split(","))]
    return len(worker) + sum(len(body(path)) for path in paths), len(paths) + 1


def visit(browser: Browser, schedule_url: str, slowdown: float) -> Visit:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.add_init_script(WATCH)
    try:
        page = context.new_page()
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})

        def shown() -> float:
            page.wait_for_function("window.__bench.shown", timeout=120_000)
            return float(page.evaluate("window.__bench.shown"))

        page.goto(schedule_url, wait_until="commit")
        cold = shown()
        page.wait_for_function("document.body.dataset.offline === 'ready'", timeout=120_000)
        page.goto(schedule_url, wait_until="commit")
        warm = shown()
        page.locator("select[name=track]").select_option(index=1)
        page.wait_for_function("window.__bench.filtered", timeout=120_000)
        filtered = float(page.evaluate("window.__bench.filtered - window.__bench.changed"))
        return Visit(cold, warm, filtered)
    finally:
        context.close()


def run(args: argparse.Namespace) -> int:
    if not CHROMIUM.exists():
        raise BenchError(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    database_url = sqlite_file(OUT / f"companion-{args.talks}.db")
    generate_event(database_url, args.talks)
    with Server(database_url, log=OUT / "companion-serve.log") as server:
        size, files = shell_bytes(server.base)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True)
            try:
                url = server.url(f"/e/bench-{args.talks}/schedule")
                visits = [visit(browser, url, args.cpu_slowdown) for _ in range(args.runs)]
            finally:
                browser.close()

    def row(name: str, values: list[float]) -> str:
        return f"| {name} | {statistics.median(values):.0f} | {min(values):.0f} | {max(values):.0f} |"

    print(f"Companion, {args.talks} talks, CPU slowed {args.cpu_slowdown:g}x, {args.runs} fresh profiles\n")
    print("| schedule shown (ms from navigation) | median | min | max |\n| --- | ---: | ---: | ---: |")
    print(row("first visit (no worker, no cache)", [v.cold_ms for v in visits]))
    print(row("second visit (worker, schedule 304)", [v.warm_ms for v in visits]))
    print(row(f"filter by track over {args.talks} talks", [v.filter_ms for v in visits]))
    verdict = "within" if size < SHELL_BUDGET else "OVER"
    print(f"\nShell, gzip'ed as served: {size / 1024:.1f} kB in {files} files ({verdict} the 100 kB budget)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except BenchError as error:
        print(f"bench companion: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
