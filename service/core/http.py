"""Conditional GET (RFC 9110 section 13) and content coding: ETag, Last-Modified, 304, gzip.

Handlers compute cheap *validators* first (from the event's schedule version, never from the
rendered body), answer 304 when the client's copy is current, and only otherwise render. A body
is rendered once per version and, for clients that accept gzip, compressed once per version too.
The tags themselves, and If-Match, are in service/core/etags.py.
"""

from __future__ import annotations

import asyncio
import datetime
import gzip
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, TypeVar, cast

import msgspec
from litestar import Request, Response
from litestar.datastructures import Headers
from litestar.di import NamedDependency
from litestar.middleware.compression import CompressionMiddleware
from litestar.status_codes import HTTP_304_NOT_MODIFIED
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from service.core.etags import gzip_etag, is_gzip_etag, matching_tag
from service.core.metrics import RENDER_CACHE_HITS, RENDER_CACHE_MISSES
from service.settings import Settings

T = TypeVar("T")

GZIP_MIN_BYTES = 1024
"""Smaller bodies gain too little from gzip to pay for its header and the CPU."""
_THREAD_COMPRESS_BYTES = 64 * 1024
"""Compress bigger bodies off the event loop, so other requests are answered meanwhile."""


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` (RFC 9110 12.5.3) admits gzip: named or ``*``, with q > 0."""
    if not accept_encoding:
        return False
    verdicts: dict[str, bool] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        verdicts[coding] = weight > 0
    if "gzip" in verdicts:
        return verdicts["gzip"]
    if "x-gzip" in verdicts:
        return verdicts["x-gzip"]
    return verdicts.get("*", False)


async def compress(body: bytes) -> bytes:
    """gzip at a middle level (most of the saving for a fraction of level 9's CPU), reproducibly."""
    if len(body) >= _THREAD_COMPRESS_BYTES:
        return await asyncio.to_thread(gzip.compress, body, 6, mtime=0)
    return gzip.compress(body, 6, mtime=0)


def provide_base_url(request: Request[Any, Any, Any], settings: NamedDependency[Settings]) -> str:
    """Where clients reach us, for the links in a body: the configured public URL, else the request's origin."""
    return (settings.public_url or str(request.base_url)).rstrip("/")


def _http_date(value: datetime.datetime) -> str:
    return format_datetime(value.astimezone(datetime.UTC).replace(microsecond=0), usegmt=True)


class GzipMiddleware(CompressionMiddleware):
    """Litestar's gzip middleware, reading ``Accept-Encoding`` as RFC 9110 does.

    The stock one looks for the substring "gzip", so ``gzip;q=0`` (a refusal) would get gzip.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if accepts_gzip(Headers.from_scope(scope).get("accept-encoding")):
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class _RenderAbandonedError(Exception):
    """The request rendering a body was cancelled; whoever waited on it should render it."""


class RenderCache:
    """Rendered bodies by entity tag, least recently used first out, bounded in bytes.

    An ETag names exactly one body (it follows the schedule version, the path and the query), so
    a body rendered once per version serves every client that asks until the schedule changes:
    many calendars or phones refreshing at once cost one render. Each worker has its own.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._rendering: dict[str, asyncio.Future[bytes]] = {}

    async def render_once(self, key: str, produce: Callable[[], Awaitable[bytes]]) -> bytes:
        """The cached body, or one render shared by every request that asks while it runs.

        Without this, a hundred calendars refreshing at the same moment after a schedule change
        would each start the same render before the first one lands in the cache. If the request
        doing the render is cancelled (its client went away), the others do not fail with it:
        one of them renders instead.
        """
        while True:
            if (body := self.get(key)) is not None:
                RENDER_CACHE_HITS.inc()
                return body
            running = self._rendering.get(key)
            if running is None:
                RENDER_CACHE_MISSES.inc()
                return await self._produce(key, produce)
            try:
                body = await asyncio.shield(running)
            except _RenderAbandonedError:
                continue
            RENDER_CACHE_HITS.inc()  # rendered once, by the request that was first
            return body

    async def _produce(self, key: str, produce: Callable[[], Awaitable[bytes]]) -> bytes:
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._rendering[key] = future
        try:
            body = await produce()
        except asyncio.CancelledError:
            future.set_exception(_RenderAbandonedError())
            future.exception()  # retrieved here, so an unwaited one is not reported at exit
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()
            raise
        finally:
            del self._rendering[key]
        self.put(key, body)
        future.set_result(body)
        return body

    def get(self, key: str) -> bytes | None:
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes or key in self._bodies:
            return
        self._bodies[key] = body
        self.size += len(body)
        while self.size > self.max_bytes:
            _, evicted = self._bodies.popitem(last=False)
            self.size -= len(evicted)


@dataclass(frozen=True, slots=True)
class Validators:
    """What a response's freshness is judged by."""

    etag: str
    last_modified: datetime.datetime | None = None
    cache_control: str = "public, max-age=0, must-revalidate"
    source: Hashable | None = None
    """What ``etag`` was computed from besides the request's path and query (an event's row), when
    a worker may answer the same request again from memory while ``source`` stays current
    (:class:`ReplayMemo`); ``None`` when the answer depends on more (the clock, an attendee)."""

    @property
    def headers(self) -> dict[str, str]:
        # Every response that may be gzip-coded says so to caches, whichever coding it has.
        headers = {"ETag": self.etag, "Cache-Control": self.cache_control, "Vary": "Accept-Encoding"}
        if self.last_modified is not None:
            headers["Last-Modified"] = _http_date(self.last_modified)
        return headers

    def is_fresh(self, request: Request[Any, Any, Any]) -> bool:
        """True when the client's cached copy is current (RFC 9110 13.2.2 precedence)."""
        if request.method not in {"GET", "HEAD"}:
            return False
        return self.holds(request.headers.get("if-none-match"), request.headers.get("if-modified-since"))

    def holds(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether a client sending these conditional headers has the current representation."""
        if if_none_match is not None:
            # If-Modified-Since is ignored when If-None-Match is present.
            return matching_tag(if_none_match, self.etag) is not None
        if if_modified_since and self.last_modified is not None:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False  # an invalid date is ignored, as the RFC says
            if since.tzinfo is None:
                since = since.replace(tzinfo=datetime.UTC)
            return self.last_modified.replace(microsecond=0) <= since
        return False

    def not_modified(self, request: Request[Any, Any, Any]) -> Response[bytes] | None:
        """A 304 response when the client is current, else ``None`` (go on and render)."""
        if not self.is_fresh(request):
            return None
        headers = self.not_modified_headers(
            request.headers.get("if-none-match"), request.headers.get("accept-encoding")
        )
        # No body at all; bytes (not None) so no serializer is asked to encode "nothing" as XML.
        return Response(content=b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)

    def not_modified_headers(self, if_none_match: str | None, accept_encoding: str | None) -> dict[str, str]:
        headers = self.headers
        # A 304 carries the tag the client holds: the gzip one if that is the copy it has.
        held = matching_tag(if_none_match or "", self.etag)
        if held is not None and is_gzip_etag(held) and accepts_gzip(accept_encoding):
            headers["ETag"] = gzip_etag(self.etag)
        return headers

    async def serve(
        self,
        request: Request[Any, Any, Any],
        render: Callable[[], Awaitable[T]],
        media_type: str = "application/json",
    ) -> Response[T]:
        """304 when the client is current; else the body for this ETag, rendered only if not cached.

        ``render`` returns a msgspec Struct (encoded as JSON here) or bytes already in ``media_type``.
        """
        if (not_modified := self.not_modified(request)) is not None:
            return cast("Response[T]", not_modified)

        async def produce() -> bytes:
            rendered = await render()
            return rendered if isinstance(rendered, bytes) else msgspec.json.encode(rendered)

        cache: RenderCache | None = getattr(request.app.state, "render_cache", None)
        body = await (cache.render_once(self.etag, produce) if cache is not None else produce())
        headers = self.headers
        if len(body) >= GZIP_MIN_BYTES and accepts_gzip(request.headers.get("accept-encoding")):
            coded_etag = gzip_etag(self.etag)

            async def produce_gzip() -> bytes:
                return await compress(body)

            body = await (cache.render_once(coded_etag, produce_gzip) if cache is not None else produce_gzip())
            headers.update({"ETag": coded_etag, "Content-Encoding": "gzip"})
        # The coding is decided here, once per version: Litestar's compression middleware passes
        # responses that come from a cache through as they are.
        ScopeState.from_scope(request.scope).is_cached = True
        if self.source is not None and cache is not None and (replays := request.app.state.get("replays")):
            replays.remember(request.scope, Replay(self, media_type))
        return cast("Response[T]", Response(content=body, headers=headers, media_type=media_type))


@dataclass(frozen=True, slots=True)
class Replay:
    """A read answered once with a body now in the render cache: enough to answer it again."""

    validators: Validators
    media_type: str


class ReplayMemo:
    """Reads answered lately, by what identifies the request, so that the next identical one is
    answered from memory (a 304, or the cached body) before routing's dependencies run.

    For a current copy, most of a request's cost was Litestar resolving the handler's
    dependencies (a session, the event, the filters) only to find the same ETag as last time. An
    entry is used only while ``vouch(validators.source)`` says its source is still current (the
    worker's trusted event row, service/live/versions.py), so it answers exactly what the handler
    would; anything else (an unknown request, a stale source, a body evicted from the render
    cache) goes on to the handler, which records the answer again.
    """

    def __init__(self, vouch: Callable[[Hashable], bool], max_entries: int = 4096) -> None:
        self.vouch = vouch
        self.max_entries = max_entries
        self._entries: dict[tuple[object, ...], Replay] = {}

    @staticmethod
    def key(scope: Scope, host: bytes | None) -> tuple[object, ...]:
        # Everything a handler's ETag may depend on besides its source: links in a body name the
        # host and scheme they were asked on.
        return (scope["scheme"], host, scope.get("root_path", ""), scope["path"], scope["query_string"])

    def remember(self, scope: Scope, replay: Replay) -> None:
        headers = dict(scope["headers"])
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # cheaper than ordering every hit; a cleared entry costs one full request
        self._entries[self.key(scope, headers.get(b"host"))] = replay

    def answer(self, scope: Scope, headers: dict[bytes, bytes], render_cache: RenderCache) -> _Answer | None:
        """The status, headers and body to send, or ``None`` when the handler must answer."""
        replay = self._entries.get(self.key(scope, headers.get(b"host")))
        if replay is None or not self.vouch(replay.validators.source):
            return None
        validators = replay.validators
        if_none_match = _text(headers.get(b"if-none-match"))
        accept_encoding = _text(headers.get(b"accept-encoding"))
        if validators.holds(if_none_match, _text(headers.get(b"if-modified-since"))):
            return _Answer(HTTP_304_NOT_MODIFIED, validators.not_modified_headers(if_none_match, accept_encoding), b"")
        body = render_cache.get(validators.etag)
        if body is None:
            return None
        response_headers = validators.headers
        if len(body) >= GZIP_MIN_BYTES and accepts_gzip(accept_encoding):
            coded_etag = gzip_etag(validators.etag)
            body = render_cache.get(coded_etag)
            if body is None:
                return None
            response_headers.update({"ETag": coded_etag, "Content-Encoding": "gzip"})
        media_type = replay.media_type
        # As Litestar's Response names a text type's coding.
        text = media_type.startswith("text/")
        response_headers["Content-Type"] = f"{media_type}; charset=utf-8" if text else media_type
        return _Answer(200, response_headers, body)


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None


class ReplayMiddleware:
    """Answers a repeated read from :class:`ReplayMemo` before the handler's dependencies run.

    It sits inside the request log, the metrics and the rate limiter, so a replayed answer is
    logged, counted and limited like any other.
    """

    def __init__(self, app: ASGIApp, memo: ReplayMemo, render_cache: RenderCache) -> None:
        self.app = app
        self.memo = memo
        self.render_cache = render_cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if method == "GET" or method == "HEAD":
            answer = self.memo.answer(scope, dict(scope["headers"]), self.render_cache)
            if answer is not None:
                RENDER_CACHE_HITS.inc()
                await _send(send, answer, with_body=method == "GET")
                return
        await self.app(scope, receive, send)


async def _send(send: Send, answer: _Answer, with_body: bool) -> None:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers.items()]
    if answer.status != HTTP_304_NOT_MODIFIED:
        headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body if with_body else b"", "more_body": False})
