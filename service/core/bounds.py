"""The bounds every input is held to, declared once so that a new route gets them by default.

- **Integers** fit ``INT_MAX`` (2^31 - 1): PostgreSQL's ``integer``, the widest integer column
  here. A larger value cannot be compared with a column (asyncpg refuses it, SQLite overflows at
  2^63), and no page, version or position gets near it. Query integers use the types in
  ``service/core/params.py``; a body integer declared without bounds is held to it by :class:`Body`.
- **Nesting**: a JSON body nests at most ``MAX_DEPTH`` arrays and objects. The raw bytes are
  checked before msgspec decodes them (:class:`BoundedRequest`), because a deeper document makes
  the decoder recurse until Python stops it, which is a 500 with a traceback per request.
- **Strings** have a maximum length: the field's own, or ``DEFAULT_MAX_TEXT`` when it declares
  none. One line of text (a name, a title, a slug, a URL) refuses every control character: C0
  (U+0000 to U+001F), DEL and C1 (U+0080 to U+009F). Long text (abstracts, bios, descriptions,
  notes: fields whose pattern is ``LONG_TEXT_PATTERN``) keeps tab, line feed and carriage return,
  which carry its layout, as the schedule importers do, and refuses the rest. Control characters
  are what PostgreSQL cannot store (NUL), what breaks iCalendar lines and XML exports, and what
  no keyboard types.
- **Years** of dates and date-times lie in ``EARLIEST_YEAR`` to ``LATEST_YEAR`` (1900 to 2199):
  no schedule lives outside, and shifting an instant between zones overflows near years 1 and 9999.

Patterns end in ``$(?!\\n)``, not a bare ``$``: Python's ``$`` (which msgspec uses) also matches
before a final newline, so ``^(https?://\\S+)?$`` let ``"http://x.example/\\n"`` through and
that URL then broke every calendar feed. The guard changes nothing for the JSON Schema (ECMA)
reading of the same pattern, where ``$`` is the end of the text.
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any, ClassVar

import msgspec
from litestar import Request
from msgspec import UNSET

from service.core.errors import InvalidFieldError, InvalidParameterError

INT_MAX = 2**31 - 1
"""The largest integer any input may carry (PostgreSQL ``integer``)."""
MAX_DEPTH = 32
"""How deeply a JSON body may nest arrays and objects (the deepest body here needs 4)."""
DEFAULT_MAX_TEXT = 20_000
"""The length of a string field that declares no maximum of its own."""
EARLIEST_YEAR = 1900
LATEST_YEAR = 2199


def anchored(body: str) -> str:
    """A pattern that must match the whole value, in Python and in JSON Schema alike."""
    return f"^{body}$(?!\\n)"


LINE_PATTERN = anchored(r"[^\x00-\x1f\x7f-\x9f]*")
"""One line of text: no control characters at all."""
LONG_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
"""Text that may run over lines: tab, line feed and carriage return are kept, no other control."""
URL_PATTERN = anchored(r"(https?://[^\s\x00-\x1f\x7f-\x9f]+)?")
"""An absolute http(s) URL without spaces or control characters, or empty."""

_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LONG_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BodyTooDeepError(InvalidParameterError):
    """A JSON body nested deeper than ``MAX_DEPTH``: refused before it is decoded (400)."""

    code = "body_too_deep"


def control_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The position and character of the first control character ``value`` may not carry."""
    found = (_LONG_TEXT_CONTROL if multiline else _LINE_CONTROL).search(value)
    return (found.start(), found.group()) if found else None


def refuse_control_characters(value: str, field: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or a 422 naming ``field`` and the first control character in it."""
    if (found := control_character(value, multiline=multiline)) is not None:
        position, char = found
        allowed = " (tab and line breaks are allowed)" if multiline else ""
        raise InvalidFieldError(
            f"{field}: control character U+{ord(char):04X} at position {position} is not allowed{allowed}.",
            field=field,
        )
    return value


def year_in_range(value: datetime.date) -> bool:
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def json_too_deep(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text ``data`` nests arrays and objects deeper than ``limit``.

    It reads brackets outside strings only and does not validate: malformed JSON is left for the
    decoder to refuse. A body with no more opening brackets than ``limit`` is passed at once.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b'""', bytes(data)).translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def refuse_deep_json(data: bytes) -> None:
    if json_too_deep(data):
        raise BodyTooDeepError(
            f"The JSON body nests arrays and objects more than {MAX_DEPTH} levels deep; no request needs that.",
            field="body",
        )


class BoundedRequest(Request[Any, Any, Any]):
    """The app's request class: a JSON body is checked for depth before it is decoded."""

    async def json(self) -> Any:
        refuse_deep_json(await self.body())
        return await super().json()


class Body(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every request body and of every object nested in one: unknown fields refused (a typo
    is a 422, not a silently ignored field), and every value held to the bounds above.

    msgspec first checks each field's own constraints (length, pattern, range); then every string,
    integer and date in the body, nested objects included, is checked against this module's rules,
    and the first that breaks one is a 422 naming its path. An object nested in a body (a slot of a
    talk) says ``nested = True``: the body holding it checks it, so that errors name its whole path
    (``slots[1].start``), which the nested object alone cannot know.
    """

    nested: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if not self.nested:
            _check_struct(self, "")


@functools.cache
def _fields(cls: type[msgspec.Struct]) -> tuple[tuple[str, str, msgspec.inspect.Type], ...]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple((field.name, field.encode_name, field.type) for field in info.fields)


def _check_struct(value: msgspec.Struct, path: str) -> None:
    for name, shown, kind in _fields(type(value)):
        _check(getattr(value, name), kind, f"{path}.{shown}" if path else shown)


def _matches(kind: msgspec.inspect.Type, value: object) -> bool:
    if isinstance(value, str):
        return isinstance(kind, msgspec.inspect.StrType)
    if isinstance(value, bool):
        return isinstance(kind, msgspec.inspect.BoolType)
    if isinstance(value, int):
        return isinstance(kind, msgspec.inspect.IntType)
    if isinstance(value, msgspec.Struct):
        return isinstance(kind, msgspec.inspect.StructType) and kind.cls is type(value)
    if isinstance(value, list):
        return isinstance(kind, msgspec.inspect.ListType)
    return False


def _declared(kind: msgspec.inspect.Type, value: object) -> msgspec.inspect.Type | None:
    """The part of a field's declared type that ``value`` was decoded as."""
    if isinstance(kind, msgspec.inspect.Metadata):
        kind = kind.type
    if isinstance(kind, msgspec.inspect.UnionType):
        members = [member.type if isinstance(member, msgspec.inspect.Metadata) else member for member in kind.types]
        return next((member for member in members if _matches(member, value)), None)
    return kind


def _check(value: object, kind: msgspec.inspect.Type, path: str) -> None:
    if value is UNSET or value is None or isinstance(value, bool):
        return
    declared = _declared(kind, value)
    if isinstance(value, str):
        _check_text(value, declared, path)
    elif isinstance(value, int):
        _check_int(value, declared, path)
    elif isinstance(value, datetime.date):  # a datetime is a date too
        if not year_in_range(value):
            raise InvalidFieldError(
                f"{path}: {value.isoformat()} is not between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
                field=path,
            )
    elif isinstance(value, msgspec.Struct):
        _check_struct(value, path)
    elif isinstance(value, list):
        item = declared.item_type if isinstance(declared, msgspec.inspect.ListType) else msgspec.inspect.AnyType()
        for n, element in enumerate(value):
            _check(element, item, f"{path}[{n}]")


def _check_text(value: str, declared: msgspec.inspect.Type | None, path: str) -> None:
    text = declared if isinstance(declared, msgspec.inspect.StrType) else None
    multiline = text is not None and text.pattern == LONG_TEXT_PATTERN
    refuse_control_characters(value, path, multiline=multiline)
    limit = text.max_length if text is not None and text.max_length is not None else DEFAULT_MAX_TEXT
    if len(value) > limit:
        raise InvalidFieldError(f"{path}: at most {limit} characters, not {len(value)}.", field=path)


def _check_int(value: int, declared: msgspec.inspect.Type | None, path: str) -> None:
    number = declared if isinstance(declared, msgspec.inspect.IntType) else None
    upper = number is not None and (number.le is not None or number.lt is not None)
    lower = number is not None and (number.ge is not None or number.gt is not None)
    if (not upper and value > INT_MAX) or (not lower and value < -INT_MAX):
        raise InvalidFieldError(f"{path}: must lie between {-INT_MAX} and {INT_MAX}.", field=path)
