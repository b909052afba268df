"""The README's run command: `plenary serve` on a fresh SQLite file, reached over a real socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local http URL we built
        return response.status, response.read()


@pytest.fixture
def served(tmp_path: Path) -> str:
    port = _free_port()
    env = {**os.environ, "PLENARY_PORT": str(port), "PLENARY_LOG_LEVEL": "warning"}
    env.pop("PLENARY_DATABASE_URL", None)  # the default: an SQLite file in the working directory
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/ready")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("plenary serve did not become ready within 60 s")
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
        assert (tmp_path / "plenary.db").exists()
        assert b"/docs" in output, output.decode(errors="replace")


def test_serve_starts_with_the_demo_event_and_docs(served: str) -> None:
    status, body = _get(f"{served}/events/cph-nlp-2025/schedule")
    assert status == 200
    assert b"Copenhagen NLP Symposium" in body
    assert _get(f"{served}/docs")[0] == 200
