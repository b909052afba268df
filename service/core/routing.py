"""Route decorators shared by every controller.

Litestar answers ``HEAD`` only where a handler declares it, so a plain ``@get`` route answers a
``HEAD`` with 405. Clients and proxies use ``HEAD`` to check a resource (a calendar's size, an
ETag) without its body, so every read route here is declared through :func:`get`, which accepts
both methods; Litestar sends the headers of the GET response and no body for the HEAD.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from litestar import HttpMethod, route
from litestar.datastructures import MutableScopeHeaders
from litestar.handlers import HTTPRouteHandler
from litestar.types import Message, Scope

_PARAMETER_TYPE = re.compile(r":[^}]*}")


def get(path: str | Sequence[str] | None = None, **kwargs: Any) -> HTTPRouteHandler:
    """``@get`` that also answers ``HEAD`` with the same headers and no body."""
    return route(path, http_method=[HttpMethod.GET, HttpMethod.HEAD], **kwargs)


async def complete_allow_header(message: Message, scope: Scope) -> None:
    """Make ``Allow`` in the answer to ``OPTIONS`` list every method of the path (RFC 9110 10.2.1).

    Litestar builds that answer when a path's first handlers are registered and does not update it
    when more handlers join the same path later, so ``OPTIONS /events`` would leave out ``GET``.
    The app's own method map is complete, so the header is rewritten from it on the way out.
    """
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    template = scope.get("path_template")
    methods = next(
        (
            methods
            for path, methods in scope["app"].route_handler_method_map.items()
            if _PARAMETER_TYPE.sub("}", path) == template  # the scope's template names no types
        ),
        None,
    )
    headers = MutableScopeHeaders(message)
    if methods and "allow" in headers:
        headers["Allow"] = ", ".join(sorted(methods))
