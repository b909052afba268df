"""The ``plenary`` command: serve, migrate, load the demo, import, manage tokens, write the OpenAPI spec.

Which database: ``PLENARY_DATABASE_URL``, by default ``plenary.db`` in the working directory.
Every command that opens it names it (password masked, an SQLite path made absolute) on stderr,
so stdout carries only what the command produces, a token's secret say. ``serve`` and
``db upgrade`` create and migrate the schema. Every other command refuses a database without
Plenary's schema, or with an older one, and creates nothing: a command run in the wrong folder
should say so, not leave an empty ``plenary.db`` behind and report that an event is missing.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
import msgspec

from service.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
S = TypeVar("S")
OPENAPI_FILE = Path("openapi") / "openapi.json"
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
"""Inherited by every subcommand, so ``-h`` works wherever ``--help`` does."""


@click.group(help="Plenary: a companion API for conferences and symposia.", context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="plenary", prog_name="plenary", message="%(prog)s %(version)s")
def main() -> None:
    pass


# -- the database every command but `openapi` opens ---------------------------------------------


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def shown_url(database_url: str) -> str:
    """The database URL as a person should see it: password masked, an SQLite path absolute."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from service.db.migrate import sqlite_file

    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise click.ClickException(f"PLENARY_DATABASE_URL is not a database URL: {database_url!r}") from exc
    if url.get_backend_name() == "sqlite" and not (url.database or "").startswith("file:"):
        path = sqlite_file(url)
        if path is not None:
            url = url.set(database=str(path))
    return url.render_as_string(hide_password=True)


def _announce(shown: str) -> None:
    click.echo(f"database: {shown}", err=True)


def _open_current(settings: Settings) -> None:
    """Go on only with a database at the newest migration, and say which one it is.

    A data command never migrates: an older schema may belong to an older server still running
    on it, so upgrading is the operator's step (``plenary db upgrade``, or ``serve``, which does it).
    """
    from service.db.migrate import SchemaState, head_revisions, schema_state

    shown = shown_url(settings.database_url)
    state, revisions = _on_database(shown, schema_state, settings.database_url)
    if state is SchemaState.CURRENT:
        _announce(shown)
        return
    at, newest = ", ".join(revisions), ", ".join(head_revisions(settings.database_url))
    if state is SchemaState.MISSING:
        raise click.ClickException(
            f"no Plenary database at {shown}: run `plenary serve` or `plenary db upgrade` there, "
            "or set PLENARY_DATABASE_URL"
        )
    if state is SchemaState.BEHIND:
        raise click.ClickException(
            f"the Plenary database at {shown} has an older schema (migration {at}, newest {newest}): "
            "run `plenary db upgrade` first (`plenary serve` also upgrades it)"
        )
    raise click.ClickException(
        f"the database at {shown} is at migration {at}, which this Plenary ({_version()}, newest "
        f"{newest}) does not have: it belongs to a newer Plenary or to another application"
    )


def _on_database(shown: str, call: Callable[[str], S], database_url: str) -> S:
    """``call(database_url)``, with a database that cannot be reached or used as one line naming it."""
    from alembic.util import CommandError
    from asyncpg import InterfaceError, PostgresError  # type: ignore[import-untyped]  # asyncpg ships no types
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    try:
        return call(database_url)
    # asyncpg raises its own errors while connecting (no such database, wrong password) unwrapped.
    except (OSError, SQLAlchemyError, CommandError, PostgresError, InterfaceError) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise click.ClickException(f"cannot use the database at {shown}: {reason}") from exc


def _version() -> str:
    from importlib.metadata import version

    return version("plenary")


def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` against the configured database and commit. It migrates nothing."""
    import service.db.registry  # noqa: F401 - maps every model, so relationships between domains resolve
    from service.db.config import sqlalchemy_config

    async def run() -> T:
        config = sqlalchemy_config(settings)
        try:
            async with config.get_session() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await config.get_engine().dispose()

    return asyncio.run(run())


# -- serve, db upgrade: the two commands that create and migrate ---------------------------------


@main.command(help="Run the HTTP service (creates and migrates the database; loads the demo on an empty one).")
@click.option("--host", default=None, help="Interface to bind (PLENARY_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port to listen on (PLENARY_PORT).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (PLENARY_WORKERS).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    from service.db.migrate import upgrade

    settings = _settings()
    host = host or settings.host
    port = port if port is not None else settings.port
    workers = workers if workers is not None else settings.workers
    shown = shown_url(settings.database_url)
    # Migrate and load the demo once here, before the workers start, so they do not race each
    # other to do it (two workers loading the demo into an empty PostgreSQL collided on a key).
    _on_database(shown, upgrade, settings.database_url)
    if settings.load_demo:
        from service.demo.loader import load_demo_if_empty

        _with_session(settings, load_demo_if_empty)
    os.environ["PLENARY_MIGRATE_ON_START"] = "false"
    os.environ["PLENARY_LOAD_DEMO"] = "false"
    base = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"  # noqa: S104 - display only
    click.echo(f"Plenary on {base} (database: {shown})")
    click.echo(f"  API docs:       {base}/docs")
    if settings.load_demo:
        click.echo(f"  Demo schedule:  {base}/events/cph-nlp-2025/schedule")
    from service.core.limits import parse_networks
    from service.core.logging import uvicorn_log_config

    try:
        trusted_proxies = [str(network) for network in parse_networks(settings.trusted_proxies)]
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    uvicorn.run(
        "service.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        # The app logs each request itself, by route template: uvicorn's access log would write the
        # concrete path, and a personal calendar's path is its secret.
        access_log=False,
        log_config=uvicorn_log_config(settings),
        # X-Forwarded-For/-Proto count only from PLENARY_TRUSTED_PROXIES (uvicorn's default trusts
        # any local peer); the app's rate limiter reads the same list.
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
        # Live streams never end by themselves: without a bound, SIGTERM would wait for every
        # subscriber to hang up. Cut off, they reconnect elsewhere and resume by Last-Event-ID.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


@main.group(help="Database schema.")
def db() -> None:
    pass


@db.command(help="Create the schema, or upgrade it to the newest migration.")
def upgrade() -> None:
    from service.db.migrate import SchemaState, schema_state
    from service.db.migrate import upgrade as run_upgrade

    settings = _settings()
    shown = shown_url(settings.database_url)
    before, revisions = _on_database(shown, schema_state, settings.database_url)
    _announce(shown)
    _on_database(shown, run_upgrade, settings.database_url)
    _, now = schema_state(settings.database_url)
    if before is SchemaState.MISSING:
        click.echo(f"created the schema; the database is at the newest migration ({', '.join(now)})")
    elif before is SchemaState.BEHIND:
        click.echo(f"upgraded from migration {', '.join(revisions)} to the newest ({', '.join(now)})")
    else:
        click.echo(f"the database is at the newest migration already ({', '.join(now)})")


# -- commands that read or change data: they need a current schema -------------------------------


@main.command("load-demo", help="Add the demo events to the database (those not there yet).")
def load_demo_command() -> None:
    from service.demo.loader import load_demo

    settings = _settings()
    _open_current(settings)
    added = _with_session(settings, load_demo)
    click.echo(f"added: {', '.join(added)}" if added else "the demo events are already there")


@main.group(help="Organiser API tokens (shown once, stored hashed).")
def token() -> None:
    pass


@token.command("create", help="Create a token for one event's organisers (--event), or an admin token (--admin).")
@click.option("--event", "event_slug", default=None, help="The event this token may change.")
@click.option("--admin", is_flag=True, help="May create events and change every event.")
@click.option("--name", default="", help="A label to recognise the token by in `plenary token list`.")
def token_create(event_slug: str | None, admin: bool, name: str) -> None:
    from service.core.errors import PlenaryError
    from service.organisers.services import TokenService

    if admin and event_slug is not None:
        raise click.UsageError("--event and --admin exclude each other: an admin token changes every event; give one")
    if not admin and event_slug is None:
        raise click.UsageError("give --event SLUG, or --admin")
    settings = _settings()
    _open_current(settings)
    try:
        _, secret = _with_session(
            settings, lambda s: TokenService(s).create(event_slug=event_slug, admin=admin, name=name)
        )
    except PlenaryError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(secret)
    click.echo("Keep it now: it is shown this once and stored only as a hash.", err=True)


@token.command("list", help="List tokens (never their secrets).")
def token_list() -> None:
    from service.organisers.services import TokenService

    settings = _settings()
    _open_current(settings)
    for item, slug in _with_session(settings, lambda s: TokenService(s).list()):
        scope = "admin" if item.is_admin else f"event {slug}"
        state = f"revoked {item.revoked_at:%Y-%m-%d}" if item.revoked_at else "active"
        click.echo(f"{item.id}  {scope:30}  {state:18}  created {item.created_at:%Y-%m-%d}  {item.name}")


@token.command("revoke", help="Revoke a token by its id (the part before the dot).")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    import uuid

    from service.core.errors import PlenaryError
    from service.organisers.services import TokenService

    try:
        key = uuid.UUID(token_id.partition(".")[0])
    except ValueError as exc:
        raise click.BadParameter("not a token id", param_hint="TOKEN_ID") from exc
    settings = _settings()
    _open_current(settings)
    try:
        _with_session(settings, lambda s: TokenService(s).revoke(key))
    except PlenaryError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"revoked {key}")


def _zone_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from service.core.time import UnknownTimeZoneError, zone

    if value is not None:
        try:
            zone(value)
        except UnknownTimeZoneError as exc:
            raise click.BadParameter(f"{value!r} is not an IANA time zone (e.g. Europe/Brussels)") from exc
    return value


@main.command("import", help="Import a frab schedule.xml or C3VOC schedule.json into an event.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--event", "event_slug", required=True, help="The event to import into (created if new).")
@click.option(
    "--timezone",
    default=None,
    callback=_zone_option,
    help="IANA zone of the file's times when the file does not say (e.g. Europe/Brussels).",
)
@click.option(
    "--vanished",
    type=click.Choice(["cancel", "delete"]),
    default="cancel",
    show_default=True,
    help="What happens to talks the file no longer has.",
)
def import_command(file: Path, event_slug: str, timezone: str | None, vanished: str) -> None:
    from service.core.errors import PlenaryError
    from service.interop.cli import import_file

    settings = _settings()
    _open_current(settings)
    try:
        report = _with_session(settings, lambda s: import_file(s, file.read_bytes(), event_slug, timezone, vanished))
    except PlenaryError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(
        f"{report.format}: {report.talks_in_file} talks in the file; {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.cancelled} cancelled, "
        f"{report.deleted} deleted; schedule version {report.version}"
    )
    for warning in report.warnings:
        click.echo(f"  warning: {warning.where}: {warning.message}", err=True)
    # Re-importing a very large C3VOC file into PostgreSQL crashed CPython's final garbage
    # collection at exit (signal 11, after the commit: the data is safe). Until the culprit among
    # the C extensions is found, a finished import leaves without that last collection.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# -- no database ----------------------------------------------------------------------------------


@main.command(help="Write the OpenAPI spec the app generates (default: openapi/openapi.json).")
@click.option("--output", type=click.Path(path_type=Path), default=OPENAPI_FILE, show_default=True)
def openapi(output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(openapi_json() + "\n", encoding="utf-8")
    click.echo(f"wrote {output}")


def openapi_json() -> str:
    """The spec as committed: sorted keys, so a diff shows what changed and nothing else."""
    from service.app import create_app

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", migrate_on_start=False, load_demo=False))
    # msgspec encodes what the stdlib cannot (a default of datetime.time, say), keys sorted.
    encoded = msgspec.json.encode(app.openapi_schema.to_schema(), order="sorted")
    return msgspec.json.format(encoded, indent=2).decode()


if __name__ == "__main__":
    main(prog_name="plenary")
