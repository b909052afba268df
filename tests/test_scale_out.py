"""Several `plenary serve` processes on one database (and one Redis) behave as one service: the rate
limits are shared, and behind the committed reverse proxy (deploy/nginx.conf) a live stream opened
on one replica hears an edit made through another, and each client is counted by its own address."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.conftest import Conference, Tokens, conference, tokens  # noqa: F401 - fixtures used below
from tests.api.live.conftest import WAIT, open_stream, plenary_serve
from tests.faults.conftest import free_port

NGINX_CONF = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"
REDIS_URL = "redis://127.0.0.1:6379/0"
WRITES_PER_MINUTE = 4


def shared_settings(**extra: str) -> dict[str, str]:
    """One Redis for the bus and the rate limits, under a prefix of this test's own."""
    return {
        "PLENARY_REDIS_URL": REDIS_URL,
        "PLENARY_REDIS_PREFIX": f"scale-test-{uuid.uuid4().hex[:8]}",
        "PLENARY_ATTENDEE_WRITES_PER_MINUTE": str(WRITES_PER_MINUTE),
        **extra,
    }


@contextmanager
def replicas(database_url: str, count: int, **env: str) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(plenary_serve(database_url, **env)) for _ in range(count)]


def register(base: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = httpx.post(f"{base}/events/nlp/attendees", json={"display_name": "A"}, headers=headers, timeout=WAIT)
    return response.status_code


async def test_replicas_share_one_rate_limit(database_url: str, conference: Conference) -> None:  # noqa: F811
    with replicas(database_url, 2, **shared_settings()) as (first, second):
        statuses = [register(first if index % 2 else second) for index in range(WRITES_PER_MINUTE + 2)]
    # Counted once for both: alone, each would have accepted every one of its three.
    assert statuses[:WRITES_PER_MINUTE] == [201] * WRITES_PER_MINUTE
    assert statuses[WRITES_PER_MINUTE:] == [429, 429]


@contextmanager
def nginx_before(bases: list[str]) -> Iterator[str]:
    """nginx with the committed proxy configuration, its upstream pointed at ``bases`` on this host."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.skip("nginx is not installed here (compose.yaml runs it from the official image)")
    port = free_port()
    servers = "".join(f"    server {urlsplit(base).netloc};\n" for base in bases)
    site = NGINX_CONF.read_text(encoding="utf-8")
    site = re.sub(r"^resolver .*\n", "", site, flags=re.MULTILINE)  # Docker's DNS: not here
    site = re.sub(r"^    server app:8000 resolve;\n", servers, site, flags=re.MULTILINE)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "site.conf").write_text(site, encoding="utf-8")
        (root / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {root}/nginx.pid;\nerror_log {root}/error.log;\n"
            "events { worker_connections 256; }\n"
            f"http {{ access_log off; client_body_temp_path {root}/body; proxy_temp_path {root}/proxy;\n"
            f"  fastcgi_temp_path {root}/fcgi; uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;\n"
            f"  include {root}/site.conf; }}\n",
            encoding="utf-8",
        )
        process = subprocess.Popen([binary, "-c", str(root / "nginx.conf"), "-p", str(root)])  # noqa: S603 - our paths
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


async def test_behind_the_proxy_the_replicas_are_one_service(
    database_url: str,
    conference: Conference,  # noqa: F811
    tokens: Tokens,  # noqa: F811
) -> None:
    settings = shared_settings(PLENARY_TRUSTED_PROXIES="127.0.0.1", PLENARY_LIVE_HEARTBEAT_SECONDS="120")
    with replicas(database_url, 2, **settings) as bases, nginx_before(bases) as proxy:
        async with (
            httpx.AsyncClient(base_url=proxy, timeout=WAIT) as reader,
            httpx.AsyncClient(base_url=proxy, timeout=WAIT) as organiser,
            open_stream(reader, "/events/nlp/live") as stream,
        ):
            # Round robin: over a few edits, some go to the replica the stream is not on.
            for hour in (14, 15, 16):
                moved = await organiser.patch(
                    f"/events/nlp/slots/{conference.keynote_slot_id}",
                    json={"start": f"2025-06-21T{hour}:00:00"},
                    headers=tokens.organiser,
                )
                assert moved.status_code == 200, moved.text
                event = await stream.next()
                [change] = event.data["changes"]
                assert change["talk_id"] == str(conference.keynote.id)

        # Each client counted by the address the proxy saw, not the proxy's own.
        crowd = [register(proxy, forwarded_for="203.0.113.7") for _ in range(WRITES_PER_MINUTE + 1)]
        other = register(proxy, forwarded_for="198.51.100.9")
    assert crowd == [201] * WRITES_PER_MINUTE + [429]
    assert other == 201
