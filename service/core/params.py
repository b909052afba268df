"""Query parameters shared by many routes, documented once."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from litestar.params import QueryParameter

from service.core.errors import InvalidParameterError
from service.core.schemas import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

Limit = Annotated[
    int,
    QueryParameter(
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Page size: at most {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} if not given.",
    ),
]
Offset = Annotated[int, QueryParameter(ge=0, description="How many items to skip; the next page is offset + limit.")]


def parse_id(value: str, name: str) -> uuid.UUID:
    """A UUID from a path segment; a malformed one is a 400 naming the parameter, not a 404."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidParameterError(f"{name} must be a UUID, not {value!r}.", field=name) from None


EARLIEST_YEAR = 1900
LATEST_YEAR = 2199


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
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise InvalidParameterError(f"{name} must not contain control characters.", field=name)
    return value
