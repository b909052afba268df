"""The application factory: plugins, controllers, exception handling, OpenAPI."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.problem_details import ProblemDetailsPlugin
from sqlalchemy.exc import IntegrityError

from service.attendees.controllers import AttendeeController
from service.calendar.controllers import CalendarController
from service.companion.controllers import companion_router
from service.core.bounds import BoundedRequest
from service.core.errors import problem_details_config
from service.core.http import GZIP_MIN_BYTES, GzipMiddleware, RenderCache, provide_base_url
from service.core.limits import attendee_rate_limit, rate_limit_stores
from service.core.logging import RequestContextMiddleware, finish_request, logging_config
from service.core.metrics import MetricsController, prometheus_config
from service.core.openapi import ClosedStructSchemaPlugin, InlineEnumSchemaPlugin
from service.core.routing import complete_allow_header
from service.db.config import sqlalchemy_config
from service.db.migrate import upgrade_async
from service.db.transaction import provide_db_session
from service.demo.loader import load_demo_if_empty
from service.events.controllers import EventController
from service.interop.controllers import InteropController
from service.live.plugin import LivePlugin
from service.live.webhooks.controllers import WebhookController
from service.live.webhooks.delivery import webhook_deliveries
from service.schedule.controllers import schedule_router
from service.settings import Settings, get_settings
from service.speakers.controllers import SpeakerController
from service.system.controllers import SystemController
from service.system.openapi import docs_assets_router, openapi_config
from service.takeaways.controllers import TakeawayController

logger = logging.getLogger("plenary")


def cors_config(settings: Settings) -> CORSConfig:
    """Web apps on other origins may read schedules, poll with ETags and write with a bearer token."""
    return CORSConfig(
        allow_origins=settings.cors_origin_list,
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-None-Match",
            "If-Modified-Since",
            "If-Match",
            "Idempotency-Key",
            "Last-Event-ID",
        ],
        expose_headers=["ETag", "Last-Modified", "Location", "Retry-After", "Content-Disposition", "X-Request-ID"],
        # Bearer tokens, never cookies: no credentialed requests, so "*" stays safe.
        allow_credentials=False,
        max_age=3600,
    )


def compression_config() -> CompressionConfig:
    """gzip for bodies over 1 kB when the client accepts it (rendered schedules bring their own)."""
    return CompressionConfig(
        backend="gzip", minimum_size=GZIP_MIN_BYTES, gzip_compress_level=6, middleware_class=GzipMiddleware
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
            companion_router(),
            EventController,
            schedule_router(),
            SpeakerController,
            CalendarController,
            InteropController,
            AttendeeController,
            TakeawayController,
            WebhookController,
            docs_assets_router(),
            MetricsController,
        ],
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            # The request's transaction: committed before the response is sent (service/db/transaction.py).
            "db_session": Provide(provide_db_session),
            "base_url": Provide(provide_base_url, sync_to_thread=False),
        },
        plugins=[
            SQLAlchemyPlugin(config=db),
            ProblemDetailsPlugin(problem_details_config()),
            ClosedStructSchemaPlugin(),
            InlineEnumSchemaPlugin(),
            LivePlugin(settings, db),  # the change bus and the live streams (service/live/)
        ],
        lifespan=[prepare_database, webhook_deliveries(settings, db)],  # then deliver the webhook outbox
        openapi_config=openapi_config(),
        cors_config=cors_config(settings),
        compression_config=compression_config(),
        logging_config=logging_config(settings),
        # Outermost first: the request's id and clock, then metrics, so both see the limiter's 429s.
        middleware=[
            RequestContextMiddleware(),
            prometheus_config().middleware,
            attendee_rate_limit(settings).middleware,
        ],
        stores=rate_limit_stores(settings),
        request_max_body_size=settings.max_body_kb * 1024,
        request_class=BoundedRequest,  # JSON bodies nested too deeply are refused before decoding
        state=State({"render_cache": RenderCache(settings.render_cache_mb * 1024 * 1024)}),
        before_send=[complete_allow_header, finish_request],
        debug=settings.debug,
    )
