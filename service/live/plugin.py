"""Wire the change bus into the app: Litestar's channels plugin, the hub, the live routes.

Other parts of the service subscribe to the same bus through the ``channels`` dependency (or
``LivePlugin.channels``) on ``service.live.messages.CHANNELS``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Iterable
from contextlib import asynccontextmanager

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.plugins import InitPlugin

from service.core.http import RenderCache, ReplayMemo, ReplayMiddleware
from service.live import bus
from service.live.backends import bus_backend
from service.live.controllers import LiveController
from service.live.hub import LiveHub
from service.live.messages import CHANNELS, Message, channel_of, encode
from service.live.versions import EventVersions, bus_health
from service.settings import Settings


class LivePlugin(InitPlugin):
    def __init__(self, settings: Settings, db: SQLAlchemyAsyncConfig) -> None:
        self.settings = settings
        self.db = db
        backend = bus_backend(settings)
        self.channels = ChannelsPlugin(backend, channels=CHANNELS)
        self.hub = LiveHub(settings, db.get_engine())
        self.event_versions = EventVersions(settings, db.get_engine(), bus_health(backend))
        bus.listen()

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        self.channels.on_app_init(app_config)  # the ``channels`` dependency, and its start and stop
        app_config.lifespan.append(self._running)
        app_config.route_handlers.append(LiveController)
        app_config.dependencies["live_hub"] = Provide(lambda: self.hub, use_cache=True, sync_to_thread=False)
        app_config.dependencies["event_versions"] = Provide(
            lambda: self.event_versions, use_cache=True, sync_to_thread=False
        )
        render_cache = app_config.state.get("render_cache")
        if isinstance(render_cache, RenderCache):
            # Repeated reads answered from memory while this worker's event rows vouch for them:
            # innermost of the app's middleware, so they are still logged, counted and limited.
            replays = ReplayMemo(self.event_versions.vouches_for)
            app_config.state["replays"] = replays
            app_config.middleware.append(DefineMiddleware(ReplayMiddleware, memo=replays, render_cache=render_cache))
        return app_config

    def publish(self, messages: Iterable[Message]) -> None:
        for message in messages:
            self.event_versions.dispatch(message)  # this worker's next request sees the commit
            try:
                self.channels.publish(encode(message), channel_of(message))
            except RuntimeError:  # the app is stopping: listeners catch up from the database
                return

    @asynccontextmanager
    async def _running(self, _: Litestar) -> AsyncGenerator[None]:
        engine = self.db.get_engine().sync_engine
        subscriber = await self.channels.subscribe(list(CHANNELS))
        reader = asyncio.create_task(self._read(subscriber.iter_events()))
        sweeper = asyncio.create_task(self.hub.keep_sweeping())
        confirmer = asyncio.create_task(self.event_versions.keep_confirming())
        bus.attach_publisher(engine, self.publish)
        try:
            yield
        finally:
            bus.detach_publisher(engine)
            for task in (reader, sweeper, confirmer):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.channels.unsubscribe(subscriber)

    async def _read(self, events: AsyncGenerator[bytes]) -> None:
        async for payload in events:
            self.hub.receive(payload)
            self.event_versions.receive(payload)
