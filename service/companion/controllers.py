"""Routes that serve the attendee companion: the shell at ``/`` and every ``/e/{slug}/...`` deep link,
the web app manifest, the service worker, and the versioned static assets.

None of them is API: they are left out of the OpenAPI document.
"""

from __future__ import annotations

from litestar import Controller, MediaType, Response
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.router import Router
from litestar.static_files import create_static_files_router

from service.companion.shell import (
    STATIC_DIR,
    assets_base,
    manifest,
    render_front,
    render_service_worker,
    render_shell,
)
from service.core.params import EventSlug
from service.core.routing import get
from service.events.deps import provide_events_service
from service.events.services import EventService

REVALIDATE = {"Cache-Control": "no-cache"}
"""The shell, the worker and the manifest name the asset version: a browser must ask each time (304s are cheap)."""
ASSETS_MAX_AGE = 365 * 24 * 3600
SHOWN_EVENTS = 200
MANIFEST_MEDIA_TYPE = "application/manifest+json"
JAVASCRIPT_MEDIA_TYPE = "text/javascript"


async def shell(base: str, events_service: EventService, event_slug: str | None = None) -> Response[str]:
    """The one page of the app, every deep link included, so that a reload lands where it was."""
    events = await events_service.page(base, limit=SHOWN_EVENTS, offset=0)
    return Response(render_shell(render_front(events.items, f"{base}/docs"), event_slug), headers=REVALIDATE)


class CompanionController(Controller):
    include_in_schema = False
    dependencies = {"events_service": Provide(provide_events_service, sync_to_thread=False)}

    @get("/", media_type=MediaType.HTML)
    async def front(
        self, events_service: NamedDependency[EventService], base_url: NamedDependency[str]
    ) -> Response[str]:
        """The list of events, rendered here so that it works without JavaScript, inside the app's shell."""
        return await shell(base_url, events_service)

    @get(["/e/{slug:str}", "/e/{slug:str}/{rest:path}"], media_type=MediaType.HTML)
    async def event_page(
        self, events_service: NamedDependency[EventService], base_url: NamedDependency[str], slug: EventSlug
    ) -> Response[str]:
        """An event's home screen or any page of it (a talk, a filtered schedule, a pairing link): the
        shell, which routes it on the device, so that a reload lands where it was."""
        return await shell(base_url, events_service, slug)

    @get("/manifest.webmanifest", media_type=MANIFEST_MEDIA_TYPE)
    async def web_app_manifest(self) -> Response[dict[str, object]]:
        return Response(manifest(), headers=REVALIDATE)

    @get("/sw.js", media_type=JAVASCRIPT_MEDIA_TYPE)
    async def service_worker(self) -> Response[str]:
        # Served from the root so that its scope is the whole origin: every deep link works offline.
        return Response(render_service_worker(), headers=REVALIDATE)


def companion_assets_router() -> Router:
    """Scripts, styles and icons under a versioned path, so browsers may keep them for a year."""
    return create_static_files_router(
        path=assets_base(),
        directories=[STATIC_DIR],
        name="companion_assets",
        cache_control=CacheControlHeader(public=True, max_age=ASSETS_MAX_AGE, immutable=True),
        include_in_schema=False,
    )


def companion_router() -> Router:
    """Everything the companion serves, to register in the app as one router."""
    return Router(path="/", route_handlers=[CompanionController, companion_assets_router()], include_in_schema=False)
