"""Logs an operator can search: one JSON object per line on stderr, one line per request.

A request's line names its route *template* (``/calendar/{feed_file}``), never the concrete path,
and never its query, headers or body: a calendar URL and a bearer token are secrets. Every
response carries ``X-Request-ID`` (the client's own when it sends a sane one, else a new one), and
every line logged while a request is handled carries the same ``request_id``.

Litestar runs middleware only for requests that reach a route, so the line and the header are
written by a ``before_send`` hook, which sees every response (an unknown path's 404, a CORS
preflight); the middleware only starts the clock and binds the request id for the lines logged
meanwhile. A request that never reached a route has no route and no duration in its line.
"""

from __future__ import annotations

import copy
import datetime
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.logging import LoggingConfig
from litestar.logging.config import default_handlers
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.core.limits import bearer_token_id
from service.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")
"""What a proxy or client may choose as an id: short, printable, nothing that could forge a line."""
_STATE_KEY = "plenary.request"

request_logger = logging.getLogger("plenary.request")
auth_logger = logging.getLogger("plenary.auth")


@dataclass(slots=True)
class RequestContext:
    request_id: str
    route: str | None = None
    started: float | None = None
    status: int | None = None
    logged: bool = False


_current: ContextVar[RequestContext | None] = ContextVar("plenary_request", default=None)


def request_context(scope: Scope) -> RequestContext:
    """The request's id and clock, created on first use and kept in the scope's state."""
    state: dict[str, Any] = scope.setdefault("state", {})
    context = state.get(_STATE_KEY)
    if context is None:
        offered = Headers.from_scope(scope).get("x-request-id", "").strip()
        request_id = offered if _SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        context = state[_STATE_KEY] = RequestContext(request_id)
    return context


def current_request_id() -> str | None:
    """The id of the request being handled in this task, if any (for problem bodies, say)."""
    context = _current.get()
    return context.request_id if context else None


class RequestContextMiddleware(ASGIMiddleware):
    """Starts the request's clock and binds its id to every line logged while it is handled."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        context = request_context(scope)
        context.started = time.perf_counter()
        context.route = scope.get("path_template")
        token = _current.set(context)
        try:
            await next_app(scope, receive, send)
        finally:
            _current.reset(token)
            if context.status is not None and not context.logged:
                # The response started but never finished (the client left, or the handler failed
                # mid-stream): the request still gets its line.
                _log_request(scope, context)


async def finish_request(message: Message, scope: Scope) -> None:
    """``before_send`` hook: the ``X-Request-ID`` header on every response, and the request's line."""
    if scope["type"] != ScopeType.HTTP:
        return
    context = request_context(scope)
    if message["type"] == "http.response.start":
        context.status = message["status"]
        MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = context.request_id
    elif message["type"] == "http.response.body" and not message.get("more_body", False) and not context.logged:
        _log_request(scope, context)


def _log_request(scope: Scope, context: RequestContext) -> None:
    context.logged = True
    route = scope.get("path_template")
    duration = None if context.started is None else round((time.perf_counter() - context.started) * 1000, 2)
    request_logger.info(
        "request",
        extra={
            "method": scope.get("method"),
            "route": route,
            "status": context.status,
            "duration_ms": duration,
            "request_id": context.request_id,
        },
    )
    if context.status == 401:
        auth_logger.warning(
            "refused login",
            extra={
                # The id part of the token only (the part `plenary token revoke` takes), never the secret.
                "token_id": bearer_token_id(Headers.from_scope(scope).get("authorization")),
                "route": route,
                "request_id": context.request_id,
            },
        )


# -- formatting ---------------------------------------------------------------------------------

_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of its message with terminal colour codes
}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    """What the caller passed with ``extra=`` (and the request context the filter added)."""
    return {key: value for key, value in vars(record).items() if key not in _RECORD_FIELDS}


class RequestContextFilter(logging.Filter):
    """Adds the request's id and route to lines logged while a request is handled.

    It sits on the handler, so it runs in the task that logged, before a queue hands the record to
    another thread where the request is no longer known.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if context is not None:
            if not hasattr(record, "request_id"):
                record.request_id = context.request_id
            if not hasattr(record, "route") and context.route is not None:
                record.route = context.route
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, then the line's own fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extras(record).items():
            entry.setdefault(key, value)  # a field named like one of the four above does not replace it
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return msgspec.json.encode(entry, enc_hook=str).decode()


class TextFormatter(logging.Formatter):
    """For a person at a terminal: ``time level logger: message key=value ...``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{key}={value}" for key, value in _extras(record).items())
        return f"{line} {fields}" if fields else line


def _formatter(settings: Settings) -> dict[str, Any]:
    return {"()": JsonFormatter if settings.log_format == "json" else TextFormatter}


def logging_config(settings: Settings) -> LoggingConfig:
    """Litestar's logging (records queued, written to stderr by a thread), in our format."""
    handlers = copy.deepcopy(default_handlers)
    for handler in handlers.values():
        handler["filters"] = ["request_context"]
    return LoggingConfig(
        root={"level": settings.log_level.upper(), "handlers": ["queue_listener"]},
        formatters={"standard": _formatter(settings)},
        filters={"request_context": {"()": RequestContextFilter}},
        handlers=handlers,
        log_exceptions="debug",
    )


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's own lines (start, stop, errors) in the same format; its access log is off, since it
    writes the concrete path (a calendar URL is a secret) and the app logs every request itself."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plenary": _formatter(settings)},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plenary", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": settings.log_level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
