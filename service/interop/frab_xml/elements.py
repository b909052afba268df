"""Small readers of frab XML elements, which need no state of the file being read.

lxml elements carry no type hints, so they are ``Element`` (``Any``) here. Text is taken with
surrounding whitespace removed, CDATA included, and a missing element reads as empty text: real
exports leave out optional elements as often as they write them empty.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from service.interop.common import canonical_guid
from service.interop.model import DocLink, DocPerson

Element = Any
"""An lxml element (lxml has no type hints)."""

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def text_of(element: Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def attr_of(element: Element, name: str) -> str:
    value = element.get(name)
    return str(value).strip() if value is not None else ""


def parse_datetime(value: str) -> datetime.datetime | None:
    """An ISO date-time with a time part (aware or naive); None for anything else."""
    if not _DATETIME.match(value):
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class Day:
    """A ``<day>`` as a span of local wall-clock time, to place the ``<start>`` of its events."""

    begin: datetime.datetime | None
    """Local wall-clock start of the day (naive), when known."""
    end: datetime.datetime | None = None
    """Local wall-clock end of the day (naive): ``day/@end``, else a day after ``begin``."""

    def place(self, clock: datetime.time) -> datetime.datetime | None:
        """The wall-clock time of a ``<start>`` on this day: on the day's calendar date when that is
        inside the day's span, else on the date that is nearer to the span (the next date on a tie)."""
        if self.begin is None or self.end is None:
            return None
        same = datetime.datetime.combine(self.begin.date(), clock)
        after_midnight = same + datetime.timedelta(days=1)
        outside_same = _outside(same, self.begin, self.end)
        if outside_same and _outside(after_midnight, self.begin, self.end) <= outside_same:
            return after_midnight
        return same


def _outside(wall: datetime.datetime, begin: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """How far ``wall`` lies outside ``begin``..``end`` (zero inside)."""
    return max(begin - wall, wall - end, datetime.timedelta(0))


def persons(event: Element, biographies: dict[str, str]) -> tuple[tuple[DocPerson, ...], list[int]]:
    """The event's people, and the lines of direct ``<person>`` elements that list several names.

    ``<persons><person>`` (frab; the id is ``@guid``, else ``@id``, and a biography comes from the
    top-level list by ``@id``, as FOSDEM writes it) and ``<person>`` directly under the event
    (LSWT), which may hold several comma-separated names.
    """
    found: list[DocPerson] = []
    for element in event.findall("persons/person"):
        name = text_of(element) if element.find("name") is None else text_of(element.find("name"))
        if not name:
            continue
        person_id = attr_of(element, "id")
        guid = attr_of(element, "guid")
        found.append(
            DocPerson(
                name=name,
                guid=canonical_guid(guid) if guid else person_id or None,
                biography=biographies.get(person_id, "") if person_id else "",
            )
        )
    split_lines: list[int] = []
    for element in event.findall("person"):
        names = [name.strip() for name in text_of(element).split(",")]
        names = [name for name in names if name]
        if len(names) > 1:
            split_lines.append(element.sourceline)
        found.extend(DocPerson(name=name) for name in names)
    return tuple(found), split_lines


def links(event: Element) -> tuple[DocLink, ...]:
    """``<links><link href>title</link>``: the URL is the title when the text is empty; no href, no link."""
    found: list[DocLink] = []
    for element in event.findall("links/link"):
        href = attr_of(element, "href")
        if href:
            found.append(DocLink(title=text_of(element) or href, url=href))
    return tuple(found)


def recording(event: Element) -> str:
    """``<recording><url>`` or ``<recording><link>``, else the older ``<video_download_url>``."""
    element = event.find("recording")
    if element is not None:
        url = text_of(element.find("url")) or text_of(element.find("link"))
        if url:
            return url
    return text_of(event.find("video_download_url"))
