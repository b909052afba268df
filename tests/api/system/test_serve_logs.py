"""``plenary serve`` as deployed: stderr carries JSON lines only, one per request, with route
templates; uvicorn's access log (which wrote a personal calendar's secret URL) is off."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310 - local URL
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a local http URL we built
        return response.status, response.read()


class Served:
    def __init__(self, base: str, process: subprocess.Popen[bytes]) -> None:
        self.base = base
        self.process = process

    def stop(self) -> tuple[str, str]:
        self.process.terminate()
        out, err = self.process.communicate(timeout=20)
        return out.decode(), err.decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    env = {
        **os.environ,
        "PLENARY_PORT": str(port),
        "PLENARY_LOG_LEVEL": "info",
        "PLENARY_LOG_FORMAT": "json",
        "PLENARY_LOAD_DEMO": "true",
    }
    env.pop("PLENARY_DATABASE_URL", None)  # an SQLite file of its own in tmp_path, with the demo
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    server = Served(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _call(f"{server.base}/ready")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("plenary serve did not become ready within 60 s")
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=20)


def test_stderr_has_one_json_line_per_request_and_no_secret(served: Served) -> None:
    _, body = _call(
        f"{served.base}/events/cph-nlp-2025/attendees",
        method="POST",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    registered = json.loads(body)
    token, calendar = registered["token"], registered["calendar"]["ics"]
    feed_secret = calendar.rsplit("/", 1)[1].removesuffix(".ics")
    assert _call(calendar)[0] == 200
    assert _call(f"{served.base}/me", headers={"Authorization": f"Bearer {token}"})[0] == 200

    stdout, stderr = served.stop()
    lines = [line for line in stderr.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is JSON, uvicorn's own included
    requests = [entry for entry in entries if entry["logger"] == "plenary.request"]
    routes = [(entry["method"], entry["route"], entry["status"]) for entry in requests]
    assert ("GET", "/calendar/{feed_file}", 200) in routes
    assert ("POST", "/events/{slug}/attendees", 201) in routes
    assert ("GET", "/me", 200) in routes
    assert any(entry["logger"].startswith("uvicorn") for entry in entries)
    for secret in (token, token.split(".")[1], feed_secret):
        assert secret not in stderr
    assert '"GET /calendar/' not in stderr  # no access log line with the concrete path
    assert "/docs" in stdout  # the banner still tells a person where to go
