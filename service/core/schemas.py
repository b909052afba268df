"""Shared shapes of the API."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class BaseStruct(msgspec.Struct, kw_only=True):
    """Base of every response body: keyword-only, encoded by msgspec."""


class Page(BaseStruct, Generic[T]):
    """One page of a list that can grow. Ask for the next with ``offset = offset + limit``."""

    items: list[T]
    total: int
    """How many items match in all pages."""
    limit: int
    offset: int


class FeedLinks(BaseStruct):
    """A calendar feed, to download (``ics``) or to subscribe to (``webcal``)."""

    ics: str
    webcal: str


def feed_links(base: str, path: str) -> FeedLinks:
    url = f"{base}{path}"
    return FeedLinks(ics=url, webcal="webcal://" + url.split("://", 1)[-1])
