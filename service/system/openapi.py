"""The API's own description: the OpenAPI document and the interactive docs page at /docs."""

from __future__ import annotations

from pathlib import Path

from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Contact, License
from litestar.router import Router
from litestar.routes import BaseRoute
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from service.core.openapi import SECURITY_SCHEMES

API_VERSION = "0.1.0"
SWAGGER_UI_VERSION = "5.35.0"
"""The Swagger UI release vendored in ``docs_assets/`` (see its README): 5.x reads OpenAPI 3.1."""
DOCS_ASSETS_DIR = Path(__file__).parent / "docs_assets"
# The version is part of the URL, so a browser that cached another release's files under the
# same names (4.15.5 could not render OpenAPI 3.1) fetches these instead.
DOCS_ASSETS = f"/docs-assets/{SWAGGER_UI_VERSION}"
DOCS = "/docs"


class DocsRouter(Router):
    """The router Litestar fills with the docs routes: each answers ``HEAD`` as well as ``GET``.

    Litestar declares /docs, /docs/openapi.json and their siblings GET only; every other read route
    here also answers HEAD (see ``service.core.routing``), so these do too instead of a 405.
    """

    def register(self, value: ControllerRouterHandler) -> list[BaseRoute]:
        if isinstance(value, HTTPRouteHandler) and "GET" in value.http_methods:
            value.http_methods.add("HEAD")
        return super().register(value)


def openapi_config() -> OpenAPIConfig:
    """Interactive docs at /docs, served with local Swagger UI assets so they work offline."""
    swagger = SwaggerRenderPlugin(
        path="/",
        js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f'<link rel="icon" type="image/png" href="{DOCS_ASSETS}/favicon-32x32.png">',
    )
    return OpenAPIConfig(
        title="Plenary",
        version=API_VERSION,
        description="A companion API for conferences and symposia: schedules in every time zone, "
        "cheap polling with ETags, and problem+json errors that name the field.",
        contact=Contact(name="Plenary developers"),
        license=License(name="MIT", identifier="MIT"),
        path=DOCS,
        openapi_router=DocsRouter(path=DOCS, route_handlers=[], include_in_schema=False),
        render_plugins=[swagger],
        components=Components(security_schemes=SECURITY_SCHEMES),
        use_handler_docstrings=False,
    )


def docs_assets_router() -> Router:
    """The docs page's scripts and styles, served from the package so /docs works offline."""
    return create_static_files_router(path=DOCS_ASSETS, directories=[DOCS_ASSETS_DIR], include_in_schema=False)
