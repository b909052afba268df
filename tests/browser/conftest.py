"""The real service in Debian's headless Chromium, driven by Playwright, with the internet cut off.

Chromium is the system's (`apt-get install -y chromium`), never Playwright's own download.
Without it these tests skip, saying how to install it, so the README's `pytest` passes on a machine
with nothing but Python; CI sets ``PLENARY_REQUIRE_BROWSER=1`` (after installing Chromium), and
then a missing or broken Chromium fails the run instead.
Playwright's sync API runs its own event loop, so these tests and fixtures are plain functions.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Request, Response, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local http URL we built
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`plenary serve` on a fresh SQLite file with the demo loaded, on a free port of 127.0.0.1.

    Always SQLite: what the browser sees does not depend on the database, and the PostgreSQL
    test database belongs to the API tests (they empty it).
    """
    workdir = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {
        **os.environ,
        "PLENARY_HOST": LOCAL_HOST,
        "PLENARY_PORT": str(port),
        "PLENARY_LOG_LEVEL": "warning",
        "PLENARY_LOAD_DEMO": "true",
    }
    env.pop("PLENARY_DATABASE_URL", None)  # the default: an SQLite file in the working directory
    log = workdir / "serve.log"
    base = f"http://{LOCAL_HOST}:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"], cwd=workdir, env=env, stdout=output, stderr=output
        )
        try:
            deadline = time.monotonic() + 60
            while not _ready(f"{base}/ready"):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"plenary serve did not become ready:\n{log.read_text(errors='replace')}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing = f"Chromium is missing at {CHROMIUM}: install it with `apt-get install -y chromium`"
        if os.environ.get("PLENARY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing} (PLENARY_REQUIRE_BROWSER=1: the browser tests must run)")
        pytest.skip(f"{missing} to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _launch(playwright)
        yield browser
        browser.close()


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@dataclass
class Offline:
    """A page whose requests to any host but 127.0.0.1 are aborted, and what went wrong on it."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def offline(chromium: Browser) -> Iterator[Offline]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    seen = Offline(page=context.new_page())

    def only_this_machine(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            seen.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def failed(request: Request) -> None:
        seen.failed.append(f"{request.method} {request.url}: {request.failure}")

    def refused(response: Response) -> None:
        if response.status >= 400:
            seen.failed.append(f"{response.status} {response.url}")

    context.route("**/*", only_this_machine)
    seen.page.on("requestfailed", failed)
    seen.page.on("response", refused)
    seen.page.on("pageerror", lambda error: seen.errors.append(str(error)))
    try:
        yield seen
    finally:
        context.close()
