"""The rules frab XML and C3VOC JSON share (service/interop/common.py): a talk reads and writes the
same whichever of the two files it travels in. Each test checks both formats."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from service.interop import c3voc_json, frab_xml
from service.interop.common import GUID_NAMESPACE, MAX_EVENT_ID
from service.interop.model import DocTalk, ScheduleDocument

KOLKATA = ZoneInfo("Asia/Kolkata")


def talk(**overrides: Any) -> DocTalk:
    values: dict[str, Any] = {
        "guid": "0b6c1f9e-2f56-4c1a-9d0e-0d1b8a7c6e51",
        "title": "Straße der Daten",
        "start": datetime.datetime(2024, 5, 4, 10, 0, tzinfo=KOLKATA),
        "duration": datetime.timedelta(minutes=30),
        "room": "Main",
    }
    values.update(overrides)
    return DocTalk(**values)


def document(*talks: DocTalk, **overrides: Any) -> ScheduleDocument:
    values: dict[str, Any] = {
        "title": "Demo Conf",
        "acronym": "Demo Conf 2024",
        "timezone": "Asia/Kolkata",
        "start_date": datetime.date(2024, 5, 4),
        "end_date": datetime.date(2024, 5, 4),
        "rooms": ("Main",),
        "talks": talks,
    }
    values.update(overrides)
    return ScheduleDocument(**values)


def written(doc: ScheduleDocument) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The conference fields and the events both exports write, as (frab XML, C3VOC JSON) pairs."""
    root = etree.fromstring(frab_xml.render(doc))
    conference = json.loads(c3voc_json.render(doc))["schedule"]["conference"]
    both = {
        "acronym": (root.findtext("conference/acronym"), conference["acronym"]),
        "timeslot": (root.findtext("conference/timeslot_duration"), conference["timeslot_duration"]),
        "days": (len(root.findall("day")), conference["daysCount"]),
    }
    xml_events = [
        {"guid": e.get("guid"), "id": int(e.get("id")), "slug": e.findtext("slug")} for e in root.iter("event")
    ]
    json_events = [
        {"guid": e["guid"], "id": e["id"], "slug": e["slug"]}
        for day in conference["days"]
        for room in day["rooms"].values()
        for e in room
    ]
    return both, [xml_events, json_events]


def test_both_exports_fold_an_acronym_alike() -> None:
    both, _ = written(document(talk()))
    assert both["acronym"] == ("demo_conf_2024", "demo_conf_2024")


def test_a_talk_without_a_source_id_gets_the_same_id_from_its_guid_in_both() -> None:
    _, (xml_events, json_events) = written(document(talk()))
    expected = uuid.UUID(talk().guid).int % MAX_EVENT_ID + 1
    assert [e["id"] for e in xml_events] == [e["id"] for e in json_events] == [expected]


def test_an_id_does_not_move_when_a_talk_is_added_before_it() -> None:
    later = talk(
        guid="5d8f0a7e-1c2b-4e3f-8a9b-0c1d2e3f4a5b", start=datetime.datetime(2024, 5, 4, 11, 0, tzinfo=KOLKATA)
    )
    _, (alone, _) = written(document(later))
    _, (beside, _) = written(document(talk(), later))
    assert alone[0]["id"] == beside[1]["id"]


def test_repeated_guids_are_made_unique_in_both() -> None:
    again = talk(start=datetime.datetime(2024, 5, 4, 11, 0, tzinfo=KOLKATA))
    _, (xml_events, json_events) = written(document(talk(), again))
    repeat = str(uuid.uuid5(GUID_NAMESPACE, f"{talk().guid}/Main/{again.start.isoformat()}"))
    assert [e["guid"] for e in xml_events] == [e["guid"] for e in json_events] == [talk().guid, repeat]


def test_title_words_in_a_derived_slug_fold_sharp_s_in_both() -> None:
    _, (xml_events, json_events) = written(document(talk()))
    assert xml_events[0]["slug"].endswith("-strasse_der_daten")
    assert json_events[0]["slug"].endswith("-strasse_der_daten")


def test_the_timeslot_is_counted_on_the_local_clock_in_both() -> None:
    """10:00 and 10:30 in Kolkata are 04:30 and 05:00 UTC: a 30-minute grid either way, but
    10:00 with a 20-minute talk is 04:30 UTC, whose 30 minutes would hide the 10-minute step."""
    doc = document(talk(duration=datetime.timedelta(minutes=20)))
    both, _ = written(doc)
    assert both["timeslot"] == ("00:20", "00:20")


def test_the_timeslot_of_a_schedule_without_talks_is_fifteen_minutes_in_both() -> None:
    both, _ = written(document())
    assert both["timeslot"] == ("00:15", "00:15")


def test_the_timeslot_divides_an_hour_in_both() -> None:
    doc = document(talk(duration=datetime.timedelta(hours=2)))
    both, _ = written(doc)
    assert both["timeslot"] == ("01:00", "01:00")


def test_days_run_without_gaps_to_a_talk_after_the_end_date_in_both() -> None:
    late = talk(start=datetime.datetime(2024, 5, 7, 10, 0, tzinfo=KOLKATA))
    both, _ = written(document(talk(), late))
    assert both["days"] == (4, 4)


@pytest.mark.parametrize("offset", ["Z", "+00:00"])
def test_a_file_in_utc_offsets_without_a_zone_is_read_in_etc_utc_in_both(offset: str) -> None:
    xml = (
        "<schedule><conference><acronym>demo</acronym><title>Demo</title></conference>"
        '<day index="1" date="2024-05-04"><room name="Main">'
        f'<event guid="{talk().guid}" id="1"><date>2024-05-04T10:00:00{offset}</date><start>10:00</start>'
        "<duration>00:30</duration><title>T</title></event></room></day></schedule>"
    ).encode()
    body = {
        "schedule": {
            "version": "1",
            "conference": {
                "acronym": "demo",
                "title": "Demo",
                "start": "2024-05-04",
                "end": "2024-05-04",
                "days": [
                    {
                        "index": 1,
                        "date": "2024-05-04",
                        "rooms": {
                            "Main": [{"guid": talk().guid, "date": f"2024-05-04T10:00:00{offset}", "title": "T"}]
                        },
                    }
                ],
            },
        }
    }
    assert frab_xml.parse(xml).timezone == c3voc_json.parse(json.dumps(body).encode()).timezone == "Etc/UTC"
