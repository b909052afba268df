"""An attendee's takeaways as a Markdown digest: pure, ready to paste into a newsletter.

Everything in it was typed by someone else (titles and links by organisers or an imported file,
notes by the attendee), and a digest is pasted where Markdown becomes HTML. So every text is
written as literal text: HTML is escaped to entities, Markdown's inline syntax is backslash-escaped,
a line cannot open a heading, list, quote or table, and only http(s) links are linked.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True, slots=True)
class DigestTalk:
    talk_id: uuid.UUID
    title: str
    speakers: tuple[str, ...]
    start: datetime.datetime | None
    """Local, with offset; None for a talk that no longer has a slot."""
    room: str
    links: tuple[tuple[str, str], ...]


_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_INLINE = re.compile(r"([\\`*_\[\]|~])")
"""Markdown's inline syntax: emphasis, code, links and images (no link without ``[``), table cells,
strike-through. Parentheses and ``!`` mean nothing without a ``[``, so they stay readable."""
_BLOCK_START = re.compile(r"^(\s*(?:\d+)?)([#+=.)-])")
"""A line opening a heading, a list item, a setext underline or an ordered list item (``1.``)."""


def _text(text: str) -> str:
    """A line of someone else's text, shown literally wherever the Markdown is rendered."""
    escaped = _INLINE.sub(r"\\\1", text.translate(_HTML))
    return _BLOCK_START.sub(lambda found: f"{found.group(1)}\\{found.group(2)}", escaped)


def _inline(text: str) -> str:
    """Someone else's text on one line (a title, a name): line breaks become spaces."""
    return _text(" ".join(text.split()))


def _link(label: str, url: str) -> str:
    """A link when the URL is http(s); otherwise the label and the URL as plain text."""
    if urlsplit(url).scheme.lower() not in {"http", "https"} or any(char.isspace() for char in url):
        return f"{_inline(label)}: {_inline(url)}"
    return f"[{_inline(label)}]({quote(url, safe=_URL_SAFE)})"


_URL_SAFE = ":/?#@!$&'*+,;=%~-._"
"""Kept as they are in a link's URL; parentheses, brackets and the like are percent-encoded."""


def render_digest(event_title: str, talks: Sequence[DigestTalk], notes: dict[uuid.UUID, list[tuple[str, str]]]) -> str:
    """``notes``: per talk id, (visibility, text) in the order written. Talks come in schedule order."""
    lines = [f"# {_inline(event_title)}", "", "My takeaways.", ""]
    for talk in talks:
        mine = notes.get(talk.talk_id)
        if not mine:
            continue
        lines.append(f"## {_inline(talk.title)}")
        details = []
        if talk.speakers:
            details.append(", ".join(_inline(name) for name in talk.speakers))
        if talk.start is not None:
            details.append(talk.start.strftime("%A %d %B %Y, %H:%M (UTC%z)"))
        if talk.room:
            details.append(_inline(talk.room))
        if details:
            lines += ["", "*" + " · ".join(details) + "*"]
        if talk.links:
            lines += ["", " · ".join(_link(label, url) for label, url in talk.links)]
        lines.append("")
        for visibility, text in mine:
            marker = "" if visibility == "public" else " *(private)*"
            body = "\n  ".join(_text(line) for line in text.splitlines()) or _text(text)
            lines.append(f"- {body}{marker}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
