"""Both exports group talks into (day, room) cells in one pass: what each cell holds, in what order."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from service.interop import c3voc_json, frab_xml
from service.interop.model import DocTalk, ScheduleDocument

BERLIN = ZoneInfo("Europe/Berlin")


def talk(title: str, day: int, hour: int, room: str) -> DocTalk:
    return DocTalk(
        guid=f"talk-{title}",
        title=title,
        start=datetime.datetime(2024, 5, day, hour, 0, tzinfo=BERLIN),
        duration=datetime.timedelta(minutes=30),
        room=room,
    )


def document() -> ScheduleDocument:
    talks = (
        talk("late", 4, 15, "Main"),
        talk("tie-first", 4, 10, "Main"),
        talk("other-room", 4, 10, "Side"),
        talk("tie-second", 4, 10, "Main"),
        talk("next-day", 5, 9, "Main"),
        talk("early", 4, 9, "Main"),
        talk("unlisted-room", 5, 11, "Annex"),
    )
    return ScheduleDocument(
        title="Demo",
        acronym="demo",
        timezone="Europe/Berlin",
        start_date=datetime.date(2024, 5, 4),
        end_date=datetime.date(2024, 5, 5),
        rooms=("Main", "Side", "Empty"),
        talks=talks,
    )


EXPECTED = [
    {
        "Main": ["early", "tie-first", "tie-second", "late"],
        "Side": ["other-room"],
        "Empty": [],
        "Annex": [],
    },
    {"Main": ["next-day"], "Side": [], "Empty": [], "Annex": ["unlisted-room"]},
]
"""Per day, every room (the document's, then one only a talk names) with its talks by start;
talks that start together keep the document's order."""


def frab_cells(body: bytes) -> list[dict[str, list[str]]]:
    root = etree.fromstring(body)
    return [
        {room.get("name"): [event.findtext("title") for event in room.findall("event")] for room in day.findall("room")}
        for day in root.findall("day")
    ]


def c3voc_cells(body: bytes) -> list[dict[str, list[str]]]:
    days = json.loads(body)["schedule"]["conference"]["days"]
    return [{room: [event["title"] for event in events] for room, events in day["rooms"].items()} for day in days]


@pytest.mark.parametrize(
    ("render", "cells"), [(frab_xml.render, frab_cells), (c3voc_json.render, c3voc_cells)], ids=["frab", "c3voc"]
)
def test_each_day_lists_every_room_with_its_talks_by_start_in_document_order_on_ties(
    render: Callable[[ScheduleDocument], bytes], cells: Callable[[bytes], list[dict[str, list[str]]]]
) -> None:
    grouped = cells(render(document()))
    assert grouped == EXPECTED
    assert [list(day) for day in grouped] == [["Main", "Side", "Empty", "Annex"]] * 2
