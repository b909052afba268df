"""The field types request bodies of every domain are built from, each bounded where it is declared.

A domain declares its own narrower types beside its inputs (an event's zone, a talk's length);
these are the ones several domains share. On top of what each says, :class:`~service.core.bounds.Body`
refuses control characters, integers outside the database's range and far-off years.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from msgspec import Meta

from service.core.bounds import LINE_PATTERN, LONG_TEXT_PATTERN, URL_PATTERN, anchored

Line = Annotated[str, Meta(pattern=LINE_PATTERN)]
"""One line of text: no control characters (service/core/bounds.py)."""
Name = Annotated[Line, Meta(min_length=1, max_length=200)]
LongText = Annotated[
    str,
    Meta(
        max_length=20_000,
        pattern=LONG_TEXT_PATTERN,
        description="Up to 20,000 characters; tab and line breaks allowed, no other control characters.",
    ),
]
Url = Annotated[str, Meta(max_length=500, pattern=URL_PATTERN)]
Slug = Annotated[str, Meta(pattern=anchored(r"[a-z0-9][a-z0-9_-]{0,99}"), examples=["main-hall"])]
Day = Annotated[datetime.date, Meta(description="A date in the years 1900 to 2199.")]
