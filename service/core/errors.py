"""Domain errors and the one table that maps them to RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, NamedTuple

from advanced_alchemy import exceptions as repository_errors
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException
from sqlalchemy import exc as sa_exc

logger = logging.getLogger("plenary")


class PlenaryError(Exception):
    """A domain error: what went wrong, and which field or parameter it concerns."""

    code = "error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFoundError(PlenaryError):
    """Nothing of the kind ``expected`` has that name or id; ``see`` is where it may be instead."""

    code = "not_found"

    def __init__(
        self, detail: str, *, field: str | None = None, expected: str | None = None, see: str | None = None
    ) -> None:
        super().__init__(detail, field=field)
        self.expected = expected
        self.see = see


class InvalidParameterError(PlenaryError):
    """A query or path parameter that parses but names nothing valid (an unknown room, say)."""

    code = "invalid_parameter"


class InvalidFieldError(PlenaryError):
    """A field of a request body that breaks a rule of the domain."""

    code = "invalid_field"


class ConflictError(PlenaryError):
    """Refused because of another resource; ``other`` names it (the talk in the way, say)."""

    code = "conflict"

    def __init__(self, detail: str, *, field: str | None = None, other: dict[str, str] | None = None) -> None:
        super().__init__(detail, field=field)
        self.other = other


class UnauthenticatedError(PlenaryError):
    code = "unauthenticated"


class ForbiddenError(PlenaryError):
    code = "forbidden"


class PreconditionRequiredError(PlenaryError):
    """A write that must say which version it edits did not (RFC 6585, 428)."""

    code = "precondition_required"


class StaleVersionError(PlenaryError):
    """If-Match named a version that is no longer current: somebody else changed it first."""

    code = "stale_version"


class UnavailableError(PlenaryError):
    """The service could not finish the request for a passing reason of its own; retrying may work."""

    code = "unavailable"
    retry_after = 5


PROBLEM_STATUS: dict[type[PlenaryError], HTTPStatus] = {
    NotFoundError: HTTPStatus.NOT_FOUND,
    InvalidParameterError: HTTPStatus.BAD_REQUEST,
    InvalidFieldError: HTTPStatus.UNPROCESSABLE_ENTITY,
    ConflictError: HTTPStatus.CONFLICT,
    UnauthenticatedError: HTTPStatus.UNAUTHORIZED,
    ForbiddenError: HTTPStatus.FORBIDDEN,
    StaleVersionError: HTTPStatus.PRECONDITION_FAILED,
    PreconditionRequiredError: HTTPStatus.PRECONDITION_REQUIRED,
    UnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
}


def _problem(
    status: HTTPStatus, detail: str, code: str, errors: list[dict[str, str]] | None = None, **extra: Any
) -> ProblemDetailsException:
    body: dict[str, Any] = {"code": code, **extra}
    if errors:
        body["errors"] = errors
    return ProblemDetailsException(status_code=status.value, title=status.phrase, detail=detail, extra=body)


def domain_problem(exc: PlenaryError) -> ProblemDetailsException:
    status = next((s for kind, s in PROBLEM_STATUS.items() if isinstance(exc, kind)), HTTPStatus.BAD_REQUEST)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    extra: dict[str, Any] = {"other": exc.other} if isinstance(exc, ConflictError) and exc.other else {}
    if isinstance(exc, NotFoundError):
        extra.update({name: value for name in ("expected", "see") if (value := getattr(exc, name))})
    problem = _problem(status, exc.detail, exc.code, errors, **extra)
    if isinstance(exc, UnauthenticatedError):
        problem.headers = {"WWW-Authenticate": 'Bearer realm="plenary"'}
    if isinstance(exc, UnavailableError):
        problem.headers = {"Retry-After": str(exc.retry_after)}
    return problem


_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")


def validation_problem(exc: ValidationException) -> ProblemDetailsException:
    """Litestar's own parameter and body validation, reworded to name each field."""
    errors: list[dict[str, str]] = []
    raw = exc.extra if isinstance(exc.extra, list) else []
    for item in raw:
        if isinstance(item, Mapping):
            field = str(item.get("key") or "body")
            unknown = _UNKNOWN_FIELD.search(str(item.get("message", "")))
            if unknown:  # msgspec names the unknown field in its message, not in the key
                field = unknown.group(1) if field in {"data", "body"} else f"{field}.{unknown.group(1)}"
            raw_source = item.get("source") or "body"
            source = str(getattr(raw_source, "value", raw_source))  # Litestar gives a ParamType enum
            errors.append({"field": field, "source": source, "message": str(item.get("message", ""))})
    if errors:
        first = errors[0]
        detail = f"Invalid {first['source']} parameter '{first['field']}': {first['message']}"
        if first["source"] == "body":
            detail = f"Invalid field '{first['field']}' in the request body: {first['message']}"
    else:
        detail = str(exc.detail or "The request is not valid.")
    # A body that parses but breaks a rule (too long, wrong type of value) is 422, as RFC 9110 says;
    # a bad query or path parameter stays 400.
    status = HTTPStatus(exc.status_code)
    if errors and all(error["source"] == "body" for error in errors):
        status = HTTPStatus.UNPROCESSABLE_ENTITY
    return _problem(status, detail, "validation_error", errors or None)


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    status = HTTPStatus(exc.status_code)
    headers = dict(exc.headers or {})
    if status is HTTPStatus.TOO_MANY_REQUESTS:
        # Litestar's limiter says when the window resets; clients and proxies read Retry-After.
        reset = next((v for k, v in headers.items() if k.lower() == "ratelimit-reset"), "60")
        headers["Retry-After"] = str(max(1, int(float(reset))))
    detail = exc.detail if exc.detail and exc.detail != status.phrase else status.description
    code = status.phrase.lower().replace(" ", "_").replace("-", "_")
    return ProblemDetailsException(
        status_code=status.value,
        title=status.phrase,
        detail=detail,
        headers=headers,
        extra={"code": code},
    )


class _DatabaseFault(NamedTuple):
    code: str
    detail: str
    retry_after: int
    """Seconds, for the ``Retry-After`` header."""


_UNREACHABLE = _DatabaseFault(
    "database_unavailable", "The database cannot be reached right now. Retry in a few seconds.", 5
)
_SILENT = _DatabaseFault("database_timeout", "The database did not answer in time. Retry in a few seconds.", 5)
_CONTENDED = _DatabaseFault(
    "database_busy", "The database was busy with a concurrent change, and nothing was saved. Retry.", 1
)
_OVERLOADED = _DatabaseFault("database_busy", "Every database connection is in use. Retry in a few seconds.", 5)

_PG_SILENT = ("57014",)  # query_canceled: our statement_timeout
_PG_CONTENDED = ("40", "55P03")  # serialization failure, deadlock; lock_not_available
_PG_UNREACHABLE = ("08", "53", "57P")  # connection exception, insufficient resources, shutdown or startup
_SQLITE_CONTENDED = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED: another writer kept the lock past the busy timeout
_SQLITE_UNREACHABLE = {10, 14}  # SQLITE_IOERR, SQLITE_CANTOPEN: the file cannot be read or opened


def _database_fault(error: BaseException) -> _DatabaseFault | None:
    """What a client can do about a database error: retry it (a fault), or nothing (None)."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free in time
        return _OVERLOADED
    if isinstance(error, sa_exc.DisconnectionError):
        return _UNREACHABLE
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    orig = error.orig
    sqlstate = str(getattr(orig, "sqlstate", None) or "")
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    sqlite_primary = sqlite_code & 0xFF if isinstance(sqlite_code, int) else None
    if isinstance(orig, TimeoutError) or sqlstate.startswith(_PG_SILENT):
        return _SILENT
    if sqlstate.startswith(_PG_CONTENDED) or sqlite_primary in _SQLITE_CONTENDED:
        return _CONTENDED
    if (
        error.connection_invalidated
        or isinstance(orig, OSError)
        or sqlstate.startswith(_PG_UNREACHABLE)
        or sqlite_primary in _SQLITE_UNREACHABLE
    ):
        return _UNREACHABLE
    return None


def database_problem(exc: Exception) -> ProblemDetailsException:
    """A database error: 503 with ``Retry-After`` when the database is unreachable, silent or busy;
    409 when the change breaks a constraint (a deferred one fails at COMMIT); else a logged 500."""
    error: BaseException = exc
    while isinstance(error, repository_errors.RepositoryError) and isinstance(error.__cause__, Exception):
        error = error.__cause__  # advanced-alchemy's repositories wrap SQLAlchemy's errors
    orig = getattr(error, "orig", None)
    reason = f"{type(error).__name__}: {orig!r}" if orig is not None else repr(error)
    if isinstance(error, repository_errors.NotFoundError):
        return _problem(HTTPStatus.NOT_FOUND, "Nothing was found by that name or id.", "not_found")
    if isinstance(error, sa_exc.IntegrityError | repository_errors.IntegrityError | repository_errors.ForeignKeyError):
        logger.warning("refused by a database constraint: %s", reason)
        return _problem(
            HTTPStatus.CONFLICT,
            "The change conflicts with what is stored (perhaps with a change made at the same moment); "
            "nothing was saved.",
            "conflict",
        )
    fault = _database_fault(error)
    if fault is None:
        return internal_problem(exc)
    logger.warning("database fault (%s): %s", fault.code, reason)
    problem = _problem(HTTPStatus.SERVICE_UNAVAILABLE, fault.detail, fault.code)
    problem.headers = {"Retry-After": str(fault.retry_after)}
    return problem


def internal_problem(exc: Exception) -> ProblemDetailsException:
    logger.exception("unhandled error", exc_info=exc)
    return _problem(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; it has been logged.",
        "internal_error",
    )


def problem_details_config() -> ProblemDetailsConfig:
    """Every error the app can raise, mapped to problem+json in one place."""
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        PlenaryError: domain_problem,
        ValidationException: validation_problem,
        HTTPException: http_problem,
        sa_exc.SQLAlchemyError: database_problem,
        repository_errors.RepositoryError: database_problem,
        Exception: internal_problem,
    }
    return ProblemDetailsConfig(exception_to_problem_detail_map=mapping)
