"""The `plenary` command, run as a user would: in a folder, as a process, reading stdout and stderr."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import uuid
from importlib.metadata import version
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.migrate import alembic_config, upgrade
from tests.schedule_files import WINTER_OFFSETS_ONLY_XML

SCHEDULES = Path(__file__).resolve().parents[1].parent / "shared" / "schedules"
UNSET = "unset"
"""``database=UNSET``: no PLENARY_DATABASE_URL at all, so the default (``plenary.db`` here)."""

OFFSETS_ONLY = WINTER_OFFSETS_ONLY_XML


def plenary(*args: str, cwd: Path, database: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``plenary ARGS`` in ``cwd``; the database is ``cwd/cli.db`` unless ``database`` says
    otherwise (a URL, or ``UNSET`` for none at all)."""
    env = {**os.environ, "PLENARY_DATABASE_URL": database or f"sqlite+aiosqlite:///{cwd / 'cli.db'}"}
    if database == UNSET:
        del env["PLENARY_DATABASE_URL"]
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "service.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def shown(path: Path) -> str:
    """How the CLI names an SQLite file: the driver URL with the absolute path."""
    return f"sqlite+aiosqlite:///{path.resolve()}"


def ready(cwd: Path) -> Path:
    result = plenary("db", "upgrade", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "cli.db"


def event_row(database: Path, slug: str) -> dict[str, str]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute("SELECT * FROM event WHERE slug = ?", (slug,)).fetchone()
    return dict(row)


class TestUsage:
    def test_version_comes_from_the_package(self, tmp_path: Path) -> None:
        result = plenary("--version", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"plenary {version('plenary')}"

    @pytest.mark.parametrize(
        "command", [(), ("serve",), ("token",), ("token", "create"), ("import",), ("db", "upgrade"), ("load-demo",)]
    )
    def test_h_is_help_everywhere(self, tmp_path: Path, command: tuple[str, ...]) -> None:
        short, long = plenary(*command, "-h", cwd=tmp_path), plenary(*command, "--help", cwd=tmp_path)
        assert short.returncode == 0, short.stderr
        assert short.stdout.startswith("Usage: ")
        assert short.stdout == long.stdout
        assert not (tmp_path / "cli.db").exists()

    def test_event_and_admin_together_are_a_usage_error(self, tmp_path: Path) -> None:
        ready(tmp_path)
        result = plenary("token", "create", "--event", "cph-nlp-2025", "--admin", cwd=tmp_path)
        assert result.returncode == 2
        assert "--event" in result.stderr
        assert "--admin" in result.stderr
        assert result.stdout == ""

    def test_a_token_needs_an_event_or_admin(self, tmp_path: Path) -> None:
        result = plenary("token", "create", cwd=tmp_path)
        assert result.returncode == 2
        assert "--event" in result.stderr

    @pytest.mark.parametrize(
        "args",
        [
            ("serve", "--workers", "0"),
            ("serve", "--port", "0"),
            ("import", "schedule.xml", "--event", "x", "--timezone", "Moon/Base"),
            ("token", "revoke", "not-a-token"),
        ],
        ids=["no-workers", "port-0", "unknown-zone", "bad-token-id"],
    )
    def test_bad_values_are_usage_errors_before_any_database_is_opened(
        self, tmp_path: Path, args: tuple[str, ...]
    ) -> None:
        (tmp_path / "schedule.xml").write_bytes(OFFSETS_ONLY)
        result = plenary(*args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert not (tmp_path / "cli.db").exists()


DATA_COMMANDS = [
    ("token", "list"),
    ("token", "create", "--admin"),
    ("token", "create", "--event", "cph-nlp-2025"),
    ("token", "revoke", str(uuid.UUID(int=1))),
    ("load-demo",),
    ("import", "schedule.xml", "--event", "winter-nlp"),
]
DATA_IDS = ["token-list", "token-admin", "token-event", "token-revoke", "load-demo", "import"]


class TestNoDatabaseIsCreatedByAccident:
    @pytest.mark.parametrize("command", DATA_COMMANDS, ids=DATA_IDS)
    def test_in_an_empty_folder_a_data_command_refuses_and_names_the_database(
        self, tmp_path: Path, command: tuple[str, ...]
    ) -> None:
        (tmp_path / "schedule.xml").write_bytes(OFFSETS_ONLY)
        result = plenary(*command, cwd=tmp_path, database=UNSET)
        assert result.returncode == 1
        assert f"no Plenary database at {shown(tmp_path / 'plenary.db')}" in result.stderr
        assert "plenary db upgrade" in result.stderr
        assert "PLENARY_DATABASE_URL" in result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["schedule.xml"]

    def test_an_empty_file_is_not_a_plenary_database_and_stays_empty(self, tmp_path: Path) -> None:
        (tmp_path / "cli.db").touch()
        result = plenary("token", "list", cwd=tmp_path)
        assert result.returncode == 1
        assert "no Plenary database" in result.stderr
        assert (tmp_path / "cli.db").stat().st_size == 0

    def test_an_older_schema_is_refused_until_db_upgrade(self, tmp_path: Path) -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        script = ScriptDirectory.from_config(alembic_config(url))
        head = script.get_current_head()
        assert head is not None
        previous = script.get_revision(head).down_revision
        assert isinstance(previous, str)
        upgrade(url, previous)

        refused = plenary("token", "list", cwd=tmp_path)
        assert refused.returncode == 1
        assert "older schema" in refused.stderr
        assert "run `plenary db upgrade`" in refused.stderr

        upgraded = plenary("db", "upgrade", cwd=tmp_path)
        assert upgraded.returncode == 0, upgraded.stderr
        assert f"upgraded from migration {previous}" in upgraded.stdout
        assert plenary("token", "list", cwd=tmp_path).returncode == 0

    def test_a_revision_this_plenary_does_not_know_is_refused(self, tmp_path: Path) -> None:
        database = ready(tmp_path)
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE alembic_version SET version_num = 'f00d'")
        result = plenary("token", "list", cwd=tmp_path)
        assert result.returncode == 1
        assert "at migration f00d, which this Plenary" in result.stderr

    def test_serve_and_db_upgrade_are_the_commands_that_create_it(self, tmp_path: Path) -> None:
        result = plenary("db", "upgrade", cwd=tmp_path, database=UNSET)
        assert result.returncode == 0, result.stderr
        assert "created the schema" in result.stdout
        assert (tmp_path / "plenary.db").stat().st_size > 0
        again = plenary("db", "upgrade", cwd=tmp_path, database=UNSET)
        assert "already" in again.stdout


class TestEveryCommandNamesItsDatabase:
    @pytest.mark.parametrize("command", DATA_COMMANDS, ids=DATA_IDS)
    def test_on_stderr_leaving_stdout_to_the_data(self, tmp_path: Path, command: tuple[str, ...]) -> None:
        database = ready(tmp_path)
        (tmp_path / "schedule.xml").write_bytes(OFFSETS_ONLY)
        assert plenary("load-demo", cwd=tmp_path).returncode == 0
        result = plenary(*command, cwd=tmp_path)
        assert result.returncode in {0, 1}, result.stderr  # revoking an unknown id fails, after opening
        assert f"database: {shown(database)}" in result.stderr
        assert "database:" not in result.stdout

    def test_a_token_is_the_only_line_on_stdout(self, tmp_path: Path) -> None:
        ready(tmp_path)
        result = plenary("token", "create", "--admin", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (secret,) = result.stdout.splitlines()
        assert uuid.UUID(secret.partition(".")[0])

    def test_db_upgrade_names_it(self, tmp_path: Path) -> None:
        result = plenary("db", "upgrade", cwd=tmp_path)
        assert f"database: {shown(tmp_path / 'cli.db')}" in result.stderr

    def test_serve_names_it_in_its_banner(self, tmp_path: Path) -> None:
        # A port already taken: serve migrates, says where it would run, then fails to bind.
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = str(taken.getsockname()[1])
            env = {**os.environ, "PLENARY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
            result = subprocess.run(  # noqa: S603 - our own console script
                [sys.executable, "-m", "service.cli", "serve", "--port", port],
                cwd=tmp_path,
                env={**env, "PLENARY_LOAD_DEMO": "false", "PLENARY_LOG_LEVEL": "warning"},
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
        assert f"(database: {shown(tmp_path / 'cli.db')})" in result.stdout, result.stderr

    def test_a_password_is_masked(self, tmp_path: Path) -> None:
        result = plenary("token", "list", cwd=tmp_path, database="postgresql+asyncpg://plenary:s3cret@127.0.0.1:1/x")
        assert result.returncode == 1
        assert "cannot use the database at postgresql+asyncpg://plenary:***@127.0.0.1:1/x" in result.stderr
        assert "s3cret" not in result.stderr + result.stdout

    def test_on_the_test_database_too(self, tmp_path: Path, database_url: str, db_session: AsyncSession) -> None:
        """The run's database (PostgreSQL when PLENARY_TEST_DATABASE_URL says so), migrated by the run."""
        created = plenary("token", "create", "--admin", "--name", "cli-test", cwd=tmp_path, database=database_url)
        assert created.returncode == 0, created.stderr
        listed = plenary("token", "list", cwd=tmp_path, database=database_url)
        assert listed.returncode == 0, listed.stderr
        assert "cli-test" in listed.stdout
        assert "database: " in listed.stderr
        assert not (tmp_path / "cli.db").exists()


class TestLoadDemo:
    def test_adds_the_events_once(self, tmp_path: Path) -> None:
        ready(tmp_path)
        first = plenary("load-demo", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        assert "cph-nlp-2025" in first.stdout

        second = plenary("load-demo", cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        assert "already there" in second.stdout


class TestImport:
    def test_a_new_event_takes_the_files_fields_and_warns_about_an_assumed_zone(self, tmp_path: Path) -> None:
        database = ready(tmp_path)
        (tmp_path / "schedule.xml").write_bytes(OFFSETS_ONLY)
        result = plenary("import", "schedule.xml", "--event", "winter-nlp", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "1 created" in result.stdout
        warning = next(line for line in result.stderr.splitlines() if line.startswith("  warning: timezone:"))
        assert "Etc/GMT-1 (UTC+01:00 all year" in warning
        assert "--timezone ZONE" in warning
        assert 'PATCH /events/winter-nlp with {"timezone": "ZONE"}' in warning
        row = event_row(database, "winter-nlp")
        assert (row["title"], row["timezone"], row["venue"], row["city"], row["website"]) == (
            "Winter NLP",
            "Etc/GMT-1",
            "Aula",
            "Aarhus",
            "https://winter-nlp.example.org/",
        )

        # The advice works: a re-import that names the place replaces the assumed zone.
        fixed = plenary(
            "import", "schedule.xml", "--event", "winter-nlp", "--timezone", "Europe/Copenhagen", cwd=tmp_path
        )
        assert fixed.returncode == 0, fixed.stderr
        assert "1 unchanged" in fixed.stdout
        assert "assumed" in fixed.stderr  # "the event's zone is now Europe/Copenhagen; it was Etc/GMT-1 ..."
        assert "all year" not in fixed.stderr
        assert event_row(database, "winter-nlp")["timezone"] == "Europe/Copenhagen"

    def test_a_new_event_with_timezone_has_no_zone_warning(self, tmp_path: Path) -> None:
        database = ready(tmp_path)
        (tmp_path / "schedule.xml").write_bytes(OFFSETS_ONLY)
        result = plenary(
            "import", "schedule.xml", "--event", "winter-nlp", "--timezone", "Europe/Copenhagen", cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert "warning: timezone" not in result.stderr
        assert event_row(database, "winter-nlp")["timezone"] == "Europe/Copenhagen"

    @pytest.mark.skipif(
        not (SCHEDULES / "lswt2019_schedule.xml").is_file(), reason=f"the real schedules are not at {SCHEDULES}"
    )
    def test_a_real_file_without_a_zone_gets_the_warning(self, tmp_path: Path) -> None:
        """LSWT 2019 (Leipzig) names no zone and writes every time in UTC ("Z")."""
        database = ready(tmp_path)
        result = plenary("import", str(SCHEDULES / "lswt2019_schedule.xml"), "--event", "lswt", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "31 created" in result.stdout
        assert "warning: timezone: the event's zone is Etc/UTC (UTC+00:00 all year" in result.stderr
        assert event_row(database, "lswt")["timezone"] == "Etc/UTC"


def test_openapi_writes_the_spec_where_asked_and_opens_no_database(tmp_path: Path) -> None:
    result = plenary("openapi", "--output", str(tmp_path / "spec.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"/events/{slug}/schedule"' in (tmp_path / "spec.json").read_text()
    assert not (tmp_path / "cli.db").exists()
