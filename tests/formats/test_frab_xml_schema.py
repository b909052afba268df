"""frab_xml.render output validates against the C3VOC schema, including for awkward documents."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from service.interop import frab_xml
from service.interop.model import DocLink, DocPerson, DocTalk, DocTrack, ScheduleDocument

XSD = Path(__file__).resolve().parents[2].parent / "shared" / "formats" / "schedule.xml.xsd"

pytestmark = pytest.mark.skipif(not XSD.is_file(), reason=f"the shared schema is not checked out at {XSD}")

UTC = datetime.UTC


@cache
def schema() -> Any:
    return etree.XMLSchema(etree.parse(str(XSD)))


def assert_valid(doc: ScheduleDocument) -> None:
    rendered = etree.fromstring(frab_xml.render(doc))
    assert schema().validate(rendered), schema().error_log.filter_from_errors()[:3]


def talk(n: int, **overrides: Any) -> DocTalk:
    values: dict[str, Any] = {
        "guid": f"talk-{n}",
        "title": f"Talk {n}",
        "start": datetime.datetime(2024, 5, 4, 10, 0, tzinfo=UTC) + datetime.timedelta(hours=n),
        "duration": datetime.timedelta(minutes=45),
        "room": "Main",
    }
    values.update(overrides)
    return DocTalk(**values)


def document(*talks: DocTalk, **overrides: Any) -> ScheduleDocument:
    values: dict[str, Any] = {
        "title": "Demo",
        "acronym": "demo",
        "timezone": "Europe/Berlin",
        "start_date": datetime.date(2024, 5, 4),
        "end_date": datetime.date(2024, 5, 5),
        "talks": talks,
    }
    values.update(overrides)
    return ScheduleDocument(**values)


def test_an_empty_document_still_has_a_day() -> None:
    assert_valid(document(end_date=datetime.date(2024, 5, 1)))


def test_identifiers_the_schema_would_refuse_are_replaced() -> None:
    talks = [
        talk(1, source_id="U3SAXX", slug="U3SAXX"),
        talk(2, source_id="7", slug="36C3-173-Capitals"),
        talk(3, source_id="7", slug="https://lswt2019.aksw.org/#talkAuer"),
        talk(4, guid="talk-1", slug="x"),
    ]
    assert_valid(document(*talks, acronym="C"))


def test_every_optional_part_filled_in() -> None:
    full = talk(
        1,
        subtitle="Sub",
        abstract="<p>HTML & more</p>",
        description="Desc",
        kind="panel",
        source_type="Podium",
        language="de",
        track="Ethics",
        persons=(DocPerson(name="A", guid="12"), DocPerson(name="B", guid="b854982f-d696-40be-a2d2-15dc64a1f421")),
        links=(DocLink(title="Chat", url="https://chat.example.org/#/room/#x:y"),),
        url="https://example.org/t/1",
        recording_url="https://media.example.org/1.mp4",
        cancelled=True,
    )
    doc = document(
        full,
        url="https://example.org/",
        version="1.0",
        tracks=(DocTrack(name="Ethics", color="#00ff00"), DocTrack(name="No colour", color="red")),
        rooms=("Main", "Side"),
    )
    assert_valid(doc)


def test_a_document_without_zone_seconds_in_starts_and_odd_durations() -> None:
    odd = talk(1, start=datetime.datetime(2024, 5, 4, 10, 0, 30, tzinfo=UTC), duration=datetime.timedelta(hours=30))
    assert_valid(document(odd, timezone=None))


def test_a_document_over_a_daylight_saving_change() -> None:
    talks = [
        talk(n, start=datetime.datetime(2024, 10, 26, 22, 0, tzinfo=UTC) + datetime.timedelta(hours=n))
        for n in range(6)
    ]
    doc = document(*talks, start_date=datetime.date(2024, 10, 26), end_date=datetime.date(2024, 10, 28))
    assert_valid(doc)
    again = frab_xml.parse(frab_xml.render(doc))
    # compared in UTC: Python never finds a datetime in a repeated hour equal to one in another zone (PEP 495)
    assert sorted(t.start.astimezone(UTC) for t in again.talks) == [t.start for t in talks]
    assert again.warnings == ()
