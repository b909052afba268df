"""The second ceiling of ``python -m bench cached``: the same bytes from memory, nothing else.

A one-route Litestar app that answers ``GET /same/NAME`` with a body read once from
``$PLENARY_BENCH_BODIES/NAME`` and the headers in ``NAME.headers`` (one ``name: value`` per line),
run by uvicorn exactly as ``plenary serve`` runs the service (uvloop, httptools). What a cached
representation costs in Plenary, against what the same bytes cost when a framework does nothing
but hand them to the server, is what the service itself adds per request.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar, Response, get

_FOLDER = Path(os.environ.get("PLENARY_BENCH_BODIES", "."))


def _load() -> dict[str, tuple[bytes, dict[str, str]]]:
    bodies: dict[str, tuple[bytes, dict[str, str]]] = {}
    for path in _FOLDER.glob("*.body"):
        lines = path.with_suffix(".headers").read_text().splitlines()
        bodies[path.stem] = (path.read_bytes(), dict(line.split(": ", 1) for line in lines if line))
    return bodies


_BODIES = _load()


@get("/same/{name:str}")
async def same(name: str) -> Response[bytes]:
    body, headers = _BODIES[name]
    media_type = headers["content-type"].split(";")[0]  # Litestar names a text type's charset itself
    return Response(body, headers={k: v for k, v in headers.items() if k != "content-type"}, media_type=media_type)


@get("/ready", media_type="text/plain")
async def ready() -> str:
    return "ok"


app = Litestar([same, ready], openapi_config=None)
