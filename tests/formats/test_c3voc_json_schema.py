"""render() output validates against the C3VOC JSON schema, including for documents that break its patterns."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from service.interop.c3voc_json import render
from service.interop.model import DocLink, DocPerson, DocTalk, DocTrack, ScheduleDocument

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCHEMA = SHARED / "formats" / "schema.json"
BERLIN = ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.skipif(not SCHEMA.is_file(), reason=f"the C3VOC schema is not at {SCHEMA}")


def validator() -> jsonschema.Draft6Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(body: bytes) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator().iter_errors(json.loads(body))]


def date_times(body: bytes) -> list[str]:
    """Every ``date``, ``day_start`` and ``day_end`` (the installed checker does not check date-time)."""
    conference = json.loads(body)["schedule"]["conference"]
    values = []
    for day in conference["days"]:
        values += [day["day_start"], day["day_end"]]
        values += [event["date"] for room in day["rooms"].values() for event in room]
    return values


def awkward() -> ScheduleDocument:
    """A document whose values break the schema's patterns unless render() adapts them."""
    start = datetime.datetime(2024, 6, 1, 10, 0, tzinfo=BERLIN)
    talks = (
        DocTalk(
            guid="not-a-uuid",
            title="Über Ключи",
            start=start,
            duration=datetime.timedelta(minutes=30),
            room="Chaos-West Bühne",
            slug="https://example.org/not-a-slug",
            source_id="U3SAXX",
            url="",
            kind="conversation",
            persons=(DocPerson(name="Ana", guid="mailto:ana@example.org"), DocPerson(name="Bo", guid="12")),
            links=(DocLink(title="", url="https://example.org/slides"),),
            cancelled=True,
        ),
        DocTalk(
            guid="5E326C69-C80C-4100-86EF-F11A20D427FD",
            title="Second",
            start=start + datetime.timedelta(hours=15),
            duration=datetime.timedelta(hours=26, seconds=10),
            room="Ada",
            slug="36C3-173-Introduction",
            source_id="0",
            track="",
        ),
        DocTalk(
            guid="be956120-b271-54de-85fe-79dbf7db5fc2",
            title="Third",
            start=start,
            duration=datetime.timedelta(minutes=45),
            room="Ada",
            slug="36c3-173-introduction",
            source_id="99999999999",
            track="ML",
        ),
    )
    return ScheduleDocument(
        title="Workshop 2024",
        acronym="WS 24!",
        timezone="Etc/GMT-2",
        start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2024, 6, 1),
        day_change=datetime.time(4, 30),
        tracks=(DocTrack(name="ML", color="#1a2b3c"),),
        talks=talks,
    )


def test_the_schema_rejects_what_it_should() -> None:
    """The validator is strict enough to matter: it catches the patterns and missing fields."""
    body = json.loads(render(awkward()))
    event = body["schedule"]["conference"]["days"][0]["rooms"]["Ada"][0]
    event["slug"] = "Upper-Case"
    del event["persons"]
    body["schedule"]["conference"]["acronym"] = "WS"
    paths = sorted(error.json_path for error in validator().iter_errors(body))
    assert paths == [
        "$.schedule.conference.acronym",
        "$.schedule.conference.days[0].rooms.Ada[0]",
        "$.schedule.conference.days[0].rooms.Ada[0].slug",
    ]


def test_a_plain_document_validates() -> None:
    talk = DocTalk(
        guid="5e326c69-c80c-4100-86ef-f11a20d427fd",
        title="Loss spikes",
        start=datetime.datetime(2024, 6, 1, 10, 0, tzinfo=BERLIN),
        duration=datetime.timedelta(minutes=45),
        room="Ada",
        url="https://example.org/1",
        persons=(DocPerson(name="Ana Rossi", guid="7797"),),
        links=(DocLink(title="Slides", url="https://example.org/s.pdf"),),
    )
    doc = ScheduleDocument(
        title="Workshop 2024",
        acronym="ws24",
        timezone="Europe/Berlin",
        start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2024, 6, 2),
        rooms=("Ada",),
        talks=(talk,),
    )
    assert errors(render(doc)) == []


def test_a_document_that_breaks_every_pattern_is_adapted_until_it_validates() -> None:
    assert errors(render(awkward())) == []


def test_an_empty_document_validates() -> None:
    doc = ScheduleDocument(
        title="Nothing yet",
        acronym="soon",
        timezone=None,
        start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2024, 6, 1),
    )
    assert errors(render(doc)) == []


def test_every_date_time_is_rfc3339_with_an_offset() -> None:
    values = date_times(render(awkward()))
    assert len(values) == 5
    assert all(datetime.datetime.fromisoformat(value).tzinfo is not None for value in values)
