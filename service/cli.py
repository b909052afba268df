"""The ``plenary`` command: serve, load the demo, write the OpenAPI spec, migrate."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from service.settings import Settings, get_settings

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
    # Migrate once here, before the workers start, so they do not race each other to do it.
    upgrade(settings.database_url)
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
    from service.db.config import sqlalchemy_config
    from service.db.migrate import upgrade
    from service.demo.loader import load_demo

    settings = get_settings()
    upgrade(settings.database_url)

    async def run() -> list[str]:
        config = sqlalchemy_config(settings)
        async with config.get_session() as session:
            added = await load_demo(session)
            await session.commit()
        await config.get_engine().dispose()
        return added

    added = asyncio.run(run())
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
    return json.dumps(app.openapi_schema.to_schema(), indent=2, sort_keys=True, ensure_ascii=False)


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
