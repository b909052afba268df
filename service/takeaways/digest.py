"""An attendee's takeaways as a Markdown digest: pure, ready to paste into a newsletter."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DigestTalk:
    talk_id: uuid.UUID
    title: str
    speakers: tuple[str, ...]
    start: datetime.datetime | None
    """Local, with offset; None for a talk that no longer has a slot."""
    room: str
    links: tuple[tuple[str, str], ...]


def _escape(text: str) -> str:
    # Keep the writer's words, but stop a leading '#' or '-' from turning into Markdown structure.
    return "\n".join(("\\" + line) if line[:1] in {"#", "-", "*", ">", "+"} else line for line in text.splitlines())


def render_digest(event_title: str, talks: Sequence[DigestTalk], notes: dict[uuid.UUID, list[tuple[str, str]]]) -> str:
    """``notes``: per talk id, (visibility, text) in the order written. Talks come in schedule order."""
    lines = [f"# {event_title}", "", "My takeaways.", ""]
    for talk in talks:
        mine = notes.get(talk.talk_id)
        if not mine:
            continue
        lines.append(f"## {talk.title}")
        details = []
        if talk.speakers:
            details.append(", ".join(talk.speakers))
        if talk.start is not None:
            details.append(talk.start.strftime("%A %d %B %Y, %H:%M (UTC%z)"))
        if talk.room:
            details.append(talk.room)
        if details:
            lines += ["", "*" + " · ".join(details) + "*"]
        if talk.links:
            lines += ["", " · ".join(f"[{label}]({url})" for label, url in talk.links)]
        lines.append("")
        for visibility, text in mine:
            marker = "" if visibility == "public" else " *(private)*"
            body = _escape(text).replace("\n", "\n  ")
            lines.append(f"- {body}{marker}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
