"""The ``plenary`` command: serve, load the demo, write the OpenAPI spec, migrate."""

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
OPENAPI_FILE = Path("openapi") / "openapi.json"


@click.group(help="Plenary: a companion API for conferences and symposia.")
def main() -> None:
    pass


@main.command(help="Run the HTTP service (migrates the database and loads the demo on an empty one).")
@click.option("--host", default=None, help="Interface to bind (PLENARY_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (PLENARY_PORT).")
@click.option("--workers", type=int, default=None, help="Worker processes (PLENARY_WORKERS).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    from service.db.migrate import upgrade

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    # Migrate and load the demo once here, before the workers start, so they do not race each
    # other to do it (two workers loading the demo into an empty PostgreSQL collided on a key).
    upgrade(settings.database_url)
    if settings.load_demo:
        from service.demo.loader import load_demo_if_empty

        _with_session(load_demo_if_empty)
    os.environ["PLENARY_MIGRATE_ON_START"] = "false"
    os.environ["PLENARY_LOAD_DEMO"] = "false"
    base = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"  # noqa: S104 - display only
    click.echo(f"Plenary on {base} (database: {settings.database_url})")
    click.echo(f"  API docs:       {base}/docs")
    if settings.load_demo:
        click.echo(f"  Demo schedule:  {base}/events/cph-nlp-2025/schedule")
    uvicorn.run(
        "service.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        proxy_headers=True,
    )


@main.command("load-demo", help="Add the demo events to the database (those not there yet).")
def load_demo_command() -> None:
    from service.demo.loader import load_demo

    added = _with_session(load_demo)
    click.echo(f"added: {', '.join(added)}" if added else "the demo events are already there")


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


@main.group(help="Organiser API tokens (shown once, stored hashed).")
def token() -> None:
    pass


def _with_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` against the configured database, migrated first, and commit."""
    from service.db.config import sqlalchemy_config
    from service.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)

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


@token.command("create", help="Create a token for one event's organisers, or an admin token.")
@click.option("--event", "event_slug", default=None, help="The event this token may change.")
@click.option("--admin", is_flag=True, help="May create events and change every event.")
@click.option("--name", default="", help="A label to recognise the token by in `plenary token list`.")
def token_create(event_slug: str | None, admin: bool, name: str) -> None:
    from service.core.errors import PlenaryError
    from service.organisers.services import TokenService

    if not admin and event_slug is None:
        raise click.UsageError("give --event SLUG, or --admin")
    try:
        _, secret = _with_session(lambda s: TokenService(s).create(event_slug=event_slug, admin=admin, name=name))
    except PlenaryError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(secret)
    click.echo("Keep it now: it is shown this once and stored only as a hash.", err=True)


@token.command("list", help="List tokens (never their secrets).")
def token_list() -> None:
    from service.organisers.services import TokenService

    for item, slug in _with_session(lambda s: TokenService(s).list()):
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
        _with_session(lambda s: TokenService(s).revoke(key))
    except ValueError as exc:
        raise click.BadParameter("not a token id") from exc
    except PlenaryError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"revoked {key}")


@main.command("import", help="Import a frab schedule.xml or C3VOC schedule.json into an event.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--event", "event_slug", required=True, help="The event to import into (created if new).")
@click.option("--timezone", default=None, help="IANA zone for files that do not say (e.g. Europe/Brussels).")
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

    try:
        report = _with_session(lambda s: import_file(s, file.read_bytes(), event_slug, timezone, vanished))
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


@main.group(help="Database schema.")
def db() -> None:
    pass


@db.command(help="Upgrade the schema to the newest migration.")
def upgrade() -> None:
    from service.db.migrate import upgrade as run_upgrade

    run_upgrade(get_settings().database_url)
    click.echo("database is at the newest migration")


if __name__ == "__main__":
    main()
