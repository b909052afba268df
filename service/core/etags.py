"""Entity tags (RFC 9110 8.8.3) and the two conditions that compare them: If-None-Match and If-Match.

One format for every tag that names a version: the version in ASCII digits, quoted, then, when one
version has several representations (a schedule by path and query), a dash and a digest of what
tells them apart: ``"3"`` for a takeaway at version 3, ``"7-1f0c…"`` for anything derived from
schedule version 7. A gzip-coded body's tag adds ``-gzip`` inside the quotes. Tags of things with
no version of their own (a speaker across events, the list of events) are a digest alone.

If-Match is read here, once, in two strengths: a single record (a takeaway) wants exactly one tag
naming its version (malformed is a 400, missing a 428 where the route requires one); a collection
(an event's schedule) takes any list of tags and refuses the write (412) unless one names the
current version.
"""

from __future__ import annotations

import hashlib
import re

from service.core.errors import InvalidParameterError, PreconditionRequiredError, StaleVersionError

# Bump when the shape of a response changes, so clients holding an old representation refetch.
REPRESENTATION_VERSION = "1"

GZIP_SUFFIX = "-gzip"
"""Appended inside the quotes of a gzip-coded representation's ETag.

RFC 9110 (8.8.3) gives a differently coded body its own strong tag; both tags name one version,
so comparisons (If-None-Match, If-Match) strip the suffix before comparing.
"""
MAX_VERSION_DIGITS = 10
"""A version fits PostgreSQL's ``integer``: ten digits, checked before any conversion."""

_VERSION_TAG = re.compile(rf'(?:W/)?("?)([0-9]{{1,{MAX_VERSION_DIGITS}}})(?:-[^"]*)?\1')
"""A versioned tag: ASCII digits (``"²"`` is a digit to ``str.isdigit``, not to ``int``), then the
optional digest. Quotes may be missing (tolerated for hand-written headers), but not only one."""


def make_etag(*parts: object) -> str:
    """A strong entity tag (quoted, as RFC 9110 requires) from the parts that determine a body."""
    return f'"{_digest(parts)}"'


def version_etag(version: int, *parts: object) -> str:
    """The tag of version ``version``; ``parts`` tell apart several representations of it."""
    return f'"{version}-{_digest(parts)}"' if parts else f'"{version}"'


def _digest(parts: tuple[object, ...]) -> str:
    return hashlib.sha256("\x1f".join([REPRESENTATION_VERSION, *map(str, parts)]).encode()).hexdigest()[:32]


def gzip_etag(etag: str) -> str:
    """The tag of the gzip-coded body of the representation ``etag`` names."""
    return f'{etag[:-1]}{GZIP_SUFFIX}"'


def is_gzip_etag(tag: str) -> bool:
    return tag.strip().endswith(f'{GZIP_SUFFIX}"')


def _opaque(tag: str) -> str:
    """The tag without ``W/`` and without the coding suffix: what identifies a version."""
    tag = tag.strip()
    tag = tag.removeprefix("W/")
    return tag.replace(f'{GZIP_SUFFIX}"', '"') if is_gzip_etag(tag) else tag


def split_tags(header: str) -> list[str]:
    """The tags of an If-Match or If-None-Match list, each stripped of surrounding space."""
    # Entity tags are quoted strings that may contain commas, so split outside quotes only.
    tags: list[str] = []
    current: list[str] = []
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            tags.append("".join(current))
            current = []
        else:
            current.append(char)
    tags.append("".join(current))
    return [tag.strip() for tag in tags if tag.strip()]


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of ``etag`` against an If-None-Match list (``*`` matches any current entity)."""
    return matching_tag(if_none_match, etag) is not None


def matching_tag(header: str, etag: str) -> str | None:
    """The client's tag that names the same version as ``etag``; ``etag`` itself for ``*``."""
    if header.strip() == "*":
        return etag
    wanted = _opaque(etag)
    return next((tag for tag in split_tags(header) if _opaque(tag) == wanted), None)


def tag_version(tag: str) -> int | None:
    """The version a tag names, or ``None`` when it names none (malformed, or a bare digest)."""
    found = _VERSION_TAG.fullmatch(_opaque(tag))
    return int(found.group(2)) if found else None


def if_match_version(header: str | None, what: str) -> int | None:
    """The version a single record's ``If-Match`` names (``W/`` and missing quotes tolerated), or
    ``None`` without one; 400 when the header is not one versioned tag."""
    if header is None:
        return None
    version = tag_version(header)
    if version is None:
        raise InvalidParameterError(f'If-Match: expected {what}\'s ETag, like "3".', field="If-Match")
    return version


def required_version(header: str | None, what: str) -> int:
    """As :func:`if_match_version`, for a write that must say which version it edits: 428 without
    one (RFC 6585), so that a second device cannot silently overwrite the first."""
    version = if_match_version(header, what)
    if version is None:
        raise PreconditionRequiredError(
            "If-Match: send the version you edited (from the ETag), so a second device cannot "
            "silently overwrite the first.",
            field="If-Match",
        )
    return version


def require_version(header: str | None, current: int, stale: str) -> None:
    """412 with ``stale`` as its detail unless ``If-Match`` is absent, ``*`` or names ``current``.

    Any tag of the current version counts, whichever representation or coding it came with: an
    organiser may edit a talk holding the ETag of the whole schedule (RFC 9110 13.1.1).
    """
    if header is None or header.strip() == "*":
        return
    if not any(tag_version(tag) == current for tag in split_tags(header)):
        raise StaleVersionError(stale, field="If-Match")
