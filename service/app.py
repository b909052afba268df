"""The application factory: plugins, controllers, exception handling, OpenAPI."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Contact, License, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.static_files import create_static_files_router
from sqlalchemy.exc import IntegrityError
from swagger_ui_bundle import swagger_ui_path

from service.attendees.controllers import AttendeeController
from service.calendar.controllers import CalendarController
from service.core.errors import problem_details_config
from service.core.http import RenderCache
from service.core.limits import attendee_rate_limit
from service.db.config import sqlalchemy_config
from service.db.migrate import upgrade_async
from service.demo.loader import load_demo_if_empty
from service.events.controllers import EventController
from service.interop.controllers import InteropController
from service.schedule.controllers import ScheduleController
from service.schedule.editing_controllers import ChangeLogController
from service.settings import Settings, get_settings
from service.speakers.controllers import SpeakerController
from service.system.controllers import SystemController
from service.takeaways.controllers import TakeawayController

API_VERSION = "0.1.0"
DOCS_ASSETS = "/docs-assets"

logger = logging.getLogger("plenary")


def openapi_config() -> OpenAPIConfig:
    """Interactive docs at /docs, served with local Swagger UI assets so they work offline."""
    swagger = SwaggerRenderPlugin(
        path="/",
        js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f'<link rel="icon" href="{DOCS_ASSETS}/favicon-32x32.png">',
    )
    return OpenAPIConfig(
        title="Plenary",
        version=API_VERSION,
        description="A companion API for conferences and symposia: schedules in every time zone, "
        "cheap polling with ETags, and problem+json errors that name the field.",
        contact=Contact(name="Plenary developers"),
        license=License(name="MIT", identifier="MIT"),
        path="/docs",
        render_plugins=[swagger],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An organiser token from `plenary token create`.",
                )
            }
        ),
        use_handler_docstrings=False,
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    db = sqlalchemy_config(settings)

    @asynccontextmanager
    async def prepare_database(_: Litestar) -> AsyncGenerator[None, None]:
        if settings.migrate_on_start:
            await upgrade_async(settings.database_url)
        if settings.load_demo:
            try:
                async with db.get_session() as session:
                    loaded = await load_demo_if_empty(session)
                    await session.commit()
            except IntegrityError:
                # Another worker loaded it at the same moment: the demo is there, which is the point.
                loaded = False
            if loaded:
                logger.info("loaded the demo events into an empty database")
        try:
            yield
        finally:
            # Close pooled connections on shutdown: an aiosqlite connection left to the garbage
            # collector keeps its worker thread and file handle until then.
            await db.get_engine().dispose()

    return Litestar(
        route_handlers=[
            SystemController,
            EventController,
            ScheduleController,
            SpeakerController,
            CalendarController,
            ChangeLogController,
            InteropController,
            AttendeeController,
            TakeawayController,
            create_static_files_router(path=DOCS_ASSETS, directories=[swagger_ui_path], include_in_schema=False),
        ],
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        plugins=[SQLAlchemyPlugin(config=db), ProblemDetailsPlugin(problem_details_config())],
        lifespan=[prepare_database],
        openapi_config=openapi_config(),
        logging_config=LoggingConfig(
            root={"level": settings.log_level.upper(), "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        middleware=[attendee_rate_limit(settings.attendee_writes_per_minute).middleware],
        request_max_body_size=settings.max_body_kb * 1024,
        state=State({"render_cache": RenderCache(settings.render_cache_mb * 1024 * 1024)}),
        debug=settings.debug,
    )
