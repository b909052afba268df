"""Route decorators shared by every controller.

Litestar answers ``HEAD`` only where a handler declares it, so a plain ``@get`` route answers a
``HEAD`` with 405. Clients and proxies use ``HEAD`` to check a resource (a calendar's size, an
ETag) without its body, so every read route here is declared through :func:`get`, which accepts
both methods; Litestar sends the headers of the GET response and no body for the HEAD.
"""

from __future__ import annotations

from typing import Any

from litestar import HttpMethod, route
from litestar.handlers import HTTPRouteHandler


def get(path: str | None = None, **kwargs: Any) -> HTTPRouteHandler:
    """``@get`` that also answers ``HEAD`` with the same headers and no body."""
    return route(path, http_method=[HttpMethod.GET, HttpMethod.HEAD], **kwargs)
