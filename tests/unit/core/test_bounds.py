"""The bounds every input is held to (service/core/bounds.py), without a server."""

from __future__ import annotations

import datetime
import re
from typing import Annotated

import msgspec
import pytest
from msgspec import UNSET, Meta, UnsetType

from service.core.bounds import (
    DEFAULT_MAX_TEXT,
    INT_MAX,
    LINE_PATTERN,
    LONG_TEXT_PATTERN,
    MAX_DEPTH,
    URL_PATTERN,
    Body,
    json_too_deep,
)
from service.core.errors import InvalidFieldError


class TestJsonDepth:
    def test_up_to_the_limit_passes(self) -> None:
        assert not json_too_deep(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
        assert json_too_deep(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))

    def test_objects_count_like_arrays(self) -> None:
        deep = b'{"a": ' * 40 + b"1" + b"}" * 40
        assert json_too_deep(deep)

    def test_brackets_inside_strings_do_not_count(self) -> None:
        text = b'{"title": "' + b"[{" * 1000 + b'", "x": "\\"[[[["}'
        assert not json_too_deep(text)

    def test_many_siblings_are_not_depth(self) -> None:
        assert not json_too_deep(b"[" + b"[]," * 10_000 + b"[]]")

    def test_malformed_json_is_left_to_the_decoder(self) -> None:
        assert not json_too_deep(b'{"a": "unterminated')
        assert json_too_deep(b'"x" ' + b"[" * 100)


class Link(Body):
    nested = True
    url: Annotated[str, Meta(pattern=URL_PATTERN)]


class Sample(Body):
    name: Annotated[str, Meta(max_length=50, pattern=LINE_PATTERN)] = ""
    notes: Annotated[str, Meta(pattern=LONG_TEXT_PATTERN)] = ""
    free: str = ""
    count: int = 0
    day: datetime.date | UnsetType = UNSET
    links: list[Link] = []
    tags: list[str] = []


def decode(**fields: object) -> Sample:
    return msgspec.convert(fields, Sample)


def refused(field: str, **fields: object) -> str:
    """The reason ``fields`` are refused, checking that it names ``field`` (by msgspec's own
    constraints, or by Body's checks of what the constraints cannot say)."""
    with pytest.raises((InvalidFieldError, msgspec.ValidationError)) as caught:
        decode(**fields)
    if isinstance(caught.value, InvalidFieldError):
        assert caught.value.field == field
        return caught.value.detail
    assert str(caught.value).endswith(f"at `$.{field}`"), caught.value
    return str(caught.value)


class TestBody:
    def test_ordinary_values_pass(self) -> None:
        sample = decode(name="Zoë Ærø", notes="Line one\n\tLine two\r\n", count=3, day="2025-06-20")
        assert sample.notes.endswith("\r\n")

    def test_one_line_refuses_every_control_character(self) -> None:
        for char in ("\x00", "\n", "\t", "\x7f", "\x85"):
            refused("free", free=f"a{char}b")
        assert "U+0000" in refused("free", free="a\x00b")

    def test_long_text_keeps_tab_and_line_breaks_only(self) -> None:
        decode(notes="a\tb\nc\r\n")
        refused("notes", notes="a\x00b")
        refused("notes", notes="a\x0cb")

    def test_a_final_newline_cannot_slip_past_a_pattern(self) -> None:
        # Python's $ matches before a final newline; the anchored patterns do not.
        with pytest.raises(msgspec.ValidationError):
            decode(name="Ada\n")
        assert re.search(LINE_PATTERN, "Ada\n") is None
        assert re.search(URL_PATTERN, "http://x.example/\n") is None

    def test_errors_name_the_path_of_nested_values(self) -> None:
        refused("links[1].url", links=[{"url": "http://a.example/"}, {"url": "http://b.example/\x00"}])
        refused("tags[0]", tags=["a\x00"])

    def test_strings_without_a_declared_maximum_get_the_default(self) -> None:
        decode(free="x" * DEFAULT_MAX_TEXT)
        refused("free", free="x" * (DEFAULT_MAX_TEXT + 1))

    def test_integers_without_declared_bounds_fit_the_database(self) -> None:
        decode(count=INT_MAX)
        refused("count", count=INT_MAX + 1)
        refused("count", count=-(2**63))

    def test_years_outside_1900_to_2199(self) -> None:
        decode(day="1900-01-01")
        decode(day="2199-12-31")
        refused("day", day="0001-01-01")
        refused("day", day="9999-12-31")
