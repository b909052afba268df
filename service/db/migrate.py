"""Alembic, driven from code: the app, the CLI and the tests all migrate the same way."""

from __future__ import annotations

import asyncio
import enum
from pathlib import Path
from urllib.parse import quote, unquote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs may contain percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Blocking: call it outside a running event loop."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """The same upgrade from inside an event loop (Alembic's env.py runs its own loop)."""
    await asyncio.to_thread(upgrade, database_url, revision)


class SchemaState(enum.Enum):
    """How a database's schema stands against these migrations."""

    MISSING = "missing"
    """No database file, or a database without Plenary's migration record."""
    BEHIND = "behind"
    """Migrated by Plenary, but not to the newest migration."""
    CURRENT = "current"
    UNKNOWN = "unknown"
    """At a revision these migrations do not have: another application's, or a newer Plenary's."""


def head_revisions(database_url: str) -> tuple[str, ...]:
    """The newest migration(s) this code knows."""
    return tuple(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def schema_state(database_url: str) -> tuple[SchemaState, tuple[str, ...]]:
    """The state of the schema and the revisions the database records. Blocking, like ``upgrade``.

    It only looks: an SQLite file that does not exist is not created (its path is checked first,
    then it is opened read-only), and nothing is written anywhere. Connection errors propagate.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is None or not path.is_file():
            return SchemaState.MISSING, ()
        engine = create_engine(
            url.set(drivername="sqlite", database=f"file:{quote(str(path))}", query={"mode": "ro", "uri": "true"}),
            poolclass=NullPool,
        )
        try:
            with engine.connect() as connection:
                current = _current_heads(connection)
        finally:
            engine.dispose()
    else:
        current = asyncio.run(_current_heads_async(database_url))
    if not current:
        return SchemaState.MISSING, ()
    script = ScriptDirectory.from_config(alembic_config(database_url))
    if set(current) == set(script.get_heads()):
        return SchemaState.CURRENT, current
    known = {revision.revision for revision in script.walk_revisions()}
    return (SchemaState.BEHIND if set(current) <= known else SchemaState.UNKNOWN), current


def sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL names, absolute (relative paths are the working directory's), or
    None for an in-memory database."""
    database = url.database or ""
    if database.startswith("file:"):
        if url.query.get("mode") == "memory":
            return None
        database = unquote(database.removeprefix("file:").partition("?")[0])
    if database in {"", ":memory:"}:
        return None
    return Path(database).resolve()


def _current_heads(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


async def _current_heads_async(database_url: str) -> tuple[str, ...]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current_heads)
    finally:
        await engine.dispose()
