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


@dataclass(frozen=True)
class Served:
    """A running `plenary serve`: where it answers, and how to run the CLI against its database."""

    base: str
    workdir: Path
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        """Run a `plenary` command on the served database (an organiser token, say) and return its stdout."""
        done = subprocess.run(  # noqa: S603 - this interpreter, our own module, arguments from the tests
            [sys.executable, "-m", "service.cli", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout.strip()


def _browser_database_url() -> str | None:
    """The PostgreSQL database the served app uses when the tests run on PostgreSQL; None for SQLite.

    Never the API tests' own database (they empty it while the server would be reading it): by default
    that database's name with ``_browser`` appended, or ``PLENARY_BROWSER_DATABASE_URL``.
    """
    tests_url = os.environ.get("PLENARY_TEST_DATABASE_URL", "")
    if not tests_url.startswith("postgresql"):
        return None
    explicit = os.environ.get("PLENARY_BROWSER_DATABASE_URL")
    if explicit:
        return explicit
    parts = urlsplit(tests_url)
    return parts._replace(path=f"{parts.path}_browser").geturl()


_EMPTY_POSTGRES_DATABASE = """
import asyncio, sys
import asyncpg

async def main(url: str) -> None:
    server, _, name = url.replace("postgresql+asyncpg://", "postgresql://").rpartition("/")
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    own = await asyncpg.connect(f"{server}/{name}")
    try:
        await own.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await own.close()

asyncio.run(main(sys.argv[1]))
"""


def _empty_postgres_database(url: str) -> None:
    """Create the database if needed and empty it, so the served app migrates it and loads the demo.

    In a subprocess: Playwright's sync API may already run an event loop in this one.
    """
    subprocess.run(  # noqa: S603 - this interpreter and a fixed script; the URL comes from the environment
        [sys.executable, "-c", _EMPTY_POSTGRES_DATABASE, url], check=True, timeout=60
    )


@pytest.fixture(scope="session")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`plenary serve` with the demo loaded, on a free port of 127.0.0.1, for the whole session.

    On a fresh SQLite file, or, when the tests run on PostgreSQL, on a separate emptied database
    (see :func:`_browser_database_url`).
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
    database_url = _browser_database_url()
    if database_url:
        _empty_postgres_database(database_url)
        env["PLENARY_DATABASE_URL"] = database_url
    else:
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
            yield Served(base, workdir, env)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def served(served_app: Served) -> str:
    """The served app's base URL."""
    return served_app.base


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
