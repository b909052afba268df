"""Query and path parameters shared by many routes, documented once and bounded by service/core/bounds.py."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from service.core.bounds import EARLIEST_YEAR, INT_MAX, LATEST_YEAR, LINE_PATTERN, control_character
from service.core.errors import InvalidParameterError
from service.core.schemas import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "EventSlug",
    "Limit",
    "Offset",
    "SinceVersion",
    "parse_datetime",
    "parse_id",
    "plain_text",
]

Limit = Annotated[
    int,
    QueryParameter(
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Page size: at most {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} if not given.",
    ),
]
Offset = Annotated[
    int,
    QueryParameter(ge=0, le=INT_MAX, description="How many items to skip; the next page is offset + limit."),
]
SinceVersion = Annotated[int, QueryParameter(ge=0, le=INT_MAX, description="Only changes after this schedule version.")]
EventSlug = Annotated[
    str,
    PathParameter(
        description="The event's slug, as `GET /events` lists it.",
        # Documented, not enforced here: provide_event refuses control characters with a 400 naming
        # the slug (plain_text), and any other unknown slug is a 404.
        schema_extra={"pattern": LINE_PATTERN, "maxLength": 64, "examples": ["cph-nlp-2025"]},
    ),
]


def parse_id(value: str, name: str) -> uuid.UUID:
    """A UUID from a path segment; a malformed one is a 400 naming the parameter, not a 404."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidParameterError(f"{name} must be a UUID, not {value!r}.", field=name) from None


def parse_datetime(value: str, name: str) -> datetime.datetime:
    """ISO 8601 date-time, seconds and offset optional (``2025-06-20T10:40`` is fine)."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidParameterError(
            f"{name} must be an ISO 8601 date-time such as 2025-06-20T10:40:00+02:00, not {value!r}.",
            field=name,
        ) from None
    # Far-off years overflow when shifted between zones; no schedule lives there.
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise InvalidParameterError(f"{name} must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}.", field=name)
    return parsed


def plain_text(value: str, name: str) -> str:
    """Refuse control characters (a NUL byte cannot even be sent to PostgreSQL) with a 400 naming ``name``."""
    if control_character(value) is not None:
        raise InvalidParameterError(f"{name} must not contain control characters.", field=name)
    return value
