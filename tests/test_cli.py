"""The `plenary` command's housekeeping verbs, run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def plenary(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLENARY_DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'cli.db'}"}
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "service.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_load_demo_adds_the_events_once(tmp_path: Path) -> None:
    first = plenary("load-demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "cph-nlp-2025" in first.stdout

    second = plenary("load-demo", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already there" in second.stdout


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = plenary("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.db").stat().st_size > 0


def test_openapi_writes_the_spec_where_asked(tmp_path: Path) -> None:
    result = plenary("openapi", "--output", str(tmp_path / "spec.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"/events/{slug}/schedule"' in (tmp_path / "spec.json").read_text()
