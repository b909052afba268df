"""Real published schedule.json files (shared/schedules): parse, spot-check, render, validate, round-trip."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from service.interop.c3voc_json import parse, render
from service.interop.model import DocTalk, ScheduleDocument

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCHEDULES = SHARED / "schedules"
SCHEMA = SHARED / "formats" / "schema.json"
C36C3 = "ccc-36c3-merged_schedule.json"
CAMP = "ccc-camp2019_schedule.json"

pytestmark = pytest.mark.skipif(
    not SCHEDULES.is_dir() or not SCHEMA.is_file(),
    reason=f"the real schedules and the C3VOC schema are not in {SHARED}",
)

FILES = sorted(path.name for path in SCHEDULES.glob("*.json")) if SCHEDULES.is_dir() else [C36C3, CAMP]


@cache
def raw(name: str) -> Any:
    return json.loads((SCHEDULES / name).read_bytes())


@cache
def parsed(name: str) -> ScheduleDocument:
    return parse((SCHEDULES / name).read_bytes())


@cache
def rendered(name: str) -> bytes:
    return render(parsed(name))


def event_objects(name: str) -> list[dict[str, Any]]:
    days = raw(name)["schedule"]["conference"]["days"]
    return [event for day in days for events in day["rooms"].values() for event in events]


def by_guid(doc: ScheduleDocument) -> dict[str, DocTalk]:
    return {talk.guid: talk for talk in doc.talks}


@pytest.mark.parametrize("name", FILES)
def test_one_talk_per_event_object_with_unique_guids(name: str) -> None:
    doc = parsed(name)
    assert len(doc.talks) == len(event_objects(name))
    assert len({talk.guid for talk in doc.talks}) == len(doc.talks)


@pytest.mark.parametrize(("name", "talks", "rooms"), [(C36C3, 1351, 92), (CAMP, 79, 2)])
def test_the_counts_in_sources_md(name: str, talks: int, rooms: int) -> None:
    doc = parsed(name)
    assert (len(doc.talks), len(doc.rooms)) == (talks, rooms)


def test_camp_2019_is_in_berlin_summer_time() -> None:
    doc = parsed(CAMP)
    opening = by_guid(doc)["a0a0fcfe-b7fb-46e3-84b6-97a5406016b4"]
    assert doc.timezone == "Europe/Berlin"
    assert opening.title == "Opening Ceremony"
    assert opening.start == datetime.datetime(2019, 8, 21, 9, 0, tzinfo=datetime.UTC)
    assert opening.start.isoformat() == "2019-08-21T11:00:00+02:00"
    assert opening.duration == datetime.timedelta(minutes=30)


def test_36c3_has_no_zone_name_so_its_offset_gives_etc_gmt_minus_1() -> None:
    doc = parsed(C36C3)
    assert doc.timezone == "Etc/GMT-1"
    assert [w.where for w in doc.warnings if "no time zone given" in w.message] == ["$.schedule.conference"]


def test_36c3_with_a_default_zone_uses_it() -> None:
    doc = parse((SCHEDULES / C36C3).read_bytes(), default_timezone="Europe/Berlin")
    jeopardy = by_guid(doc)["d1b8ed3f-2c22-47d2-9aca-0f9d3cf48eb8"]
    assert doc.timezone == "Europe/Berlin"
    assert jeopardy.start == datetime.datetime(2019, 12, 28, 0, 50, tzinfo=ZoneInfo("Europe/Berlin"))


def test_an_after_midnight_36c3_talk_is_on_the_next_date_but_the_previous_day() -> None:
    doc = parsed(C36C3)
    jeopardy = by_guid(doc)["d1b8ed3f-2c22-47d2-9aca-0f9d3cf48eb8"]
    assert (jeopardy.title, jeopardy.room, jeopardy.kind) == ("Hacker Jeopardy", "Ada", "panel")
    assert jeopardy.start == datetime.datetime(2019, 12, 27, 23, 50, tzinfo=datetime.UTC)
    assert jeopardy.duration == datetime.timedelta(hours=2)
    # Listed under 27 December: the day change read from the file keeps it there.
    assert doc.day_change == datetime.time(5, 0)
    days = json.loads(rendered(C36C3))["schedule"]["conference"]["days"]
    (listed_on,) = [day["date"] for day in days for event in day["rooms"]["Ada"] if event["guid"] == jeopardy.guid]
    assert listed_on == "2019-12-27"


def test_36c3_repeated_guids_keep_the_first_and_derive_the_rest() -> None:
    doc = parsed(C36C3)
    repeats = Counter(event["guid"] for event in event_objects(C36C3))
    repeated = {guid for guid, count in repeats.items() if count > 1}
    assert len(repeated) == 3
    assert repeated <= set(by_guid(doc))
    assert len([w for w in doc.warnings if "is already used by an earlier event" in w.message]) == 3


def test_36c3_bare_string_links_become_links() -> None:
    doc = parsed(C36C3)
    pairs = [
        (given, read)
        for event, talk in zip(event_objects(C36C3), doc.talks, strict=True)
        for given, read in zip(event["links"], talk.links, strict=True)
    ]
    bare = [(given, read) for given, read in pairs if isinstance(given, str)]
    assert len(bare) == 298
    assert all((read.title, read.url) == (given.strip(), given.strip()) for given, read in bare)


@pytest.mark.parametrize("name", FILES)
def test_the_rendered_file_validates_against_the_schema(name: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(json.loads(rendered(name)))]
    assert errors == []


@pytest.mark.parametrize("name", FILES)
def test_the_original_file_does_not_validate(name: str) -> None:
    """Why render() adapts slugs, acronyms and links: the published files break the schema."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert not jsonschema.Draft6Validator(schema).is_valid(raw(name))


def comparable(talk: DocTalk) -> tuple[Any, ...]:
    """What both sides carry. An empty ``type`` (42 in 36C3) is written as the kind's name."""
    return (
        talk.title,
        talk.start,
        talk.duration,
        talk.room,
        talk.track,
        tuple(person.name for person in talk.persons),
        talk.abstract,
        talk.subtitle,
        talk.description,
        talk.links,
        talk.url,
        talk.language,
        talk.kind,
        talk.source_type or talk.kind,
        talk.cancelled,
    )


@pytest.mark.parametrize("name", FILES)
def test_the_round_trip_keeps_every_talk(name: str) -> None:
    doc = parsed(name)
    back = parse(rendered(name))
    before, after = by_guid(doc), by_guid(back)
    assert after.keys() == before.keys()
    assert [guid for guid in before if comparable(after[guid]) != comparable(before[guid])] == []
    assert (back.rooms, back.tracks, back.timezone, back.day_change) == (
        doc.rooms,
        doc.tracks,
        doc.timezone,
        doc.day_change,
    )


@pytest.mark.parametrize("name", FILES)
def test_a_second_round_trip_is_byte_identical(name: str) -> None:
    assert render(parse(rendered(name))) == rendered(name)
