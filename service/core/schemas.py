"""Shared shapes of the API."""

from __future__ import annotations

import msgspec
from advanced_alchemy.service import OffsetPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

Page = OffsetPagination
"""One page of a list that can grow (``items``, ``total`` in all pages, ``limit``, ``offset``): ask for
the next with ``offset = offset + limit``. advanced-alchemy's own, under the name the API uses."""


class BaseStruct(msgspec.Struct, kw_only=True):
    """Base of every response body: keyword-only, encoded by msgspec."""


class FeedLinks(BaseStruct):
    """A calendar feed, to download (``ics``) or to subscribe to (``webcal``)."""

    ics: str
    webcal: str


def feed_links(base: str, path: str) -> FeedLinks:
    url = f"{base}{path}"
    return FeedLinks(ics=url, webcal="webcal://" + url.split("://", 1)[-1])
