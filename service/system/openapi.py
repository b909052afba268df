"""The API's own description: the OpenAPI document and the interactive docs page at /docs."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Contact, License, SecurityScheme
from litestar.router import Router
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

API_VERSION = "0.1.0"
DOCS_ASSETS = "/docs-assets"


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


def docs_assets_router() -> Router:
    """The docs page's scripts and styles, served from the package so /docs works offline."""
    return create_static_files_router(path=DOCS_ASSETS, directories=[swagger_ui_path], include_in_schema=False)
