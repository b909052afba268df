"""c3voc_json.parse refuses what it cannot read with a ScheduleFormatError naming the JSON path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.interop.c3voc_json import MAX_BYTES, parse
from service.interop.model import ScheduleFormatError

EVENT: dict[str, Any] = {
    "guid": "5e326c69-c80c-4100-86ef-f11a20d427fd",
    "id": 1,
    "date": "2024-06-01T10:00:00+02:00",
    "start": "10:00",
    "duration": "00:45",
    "room": "Ada",
    "title": "Loss spikes",
    "type": "lecture",
    "persons": [],
    "links": [],
}


def document(*, event: dict[str, Any] | None = None, day: dict[str, Any] | None = None, **conference: Any) -> Any:
    """A valid document as Python data; keyword arguments replace fields of the conference."""
    first_day = {
        "index": 1,
        "date": "2024-06-01",
        "day_start": "2024-06-01T09:00:00+02:00",
        "day_end": "2024-06-02T03:00:00+02:00",
        "rooms": {"Ada": [EVENT, EVENT | {"guid": "be956120-b271-54de-85fe-79dbf7db5fc2"} | (event or {})]},
    } | (day or {})
    values = {
        "acronym": "ws24",
        "title": "Workshop 2024",
        "start": "2024-06-01",
        "end": "2024-06-01",
        "time_zone_name": "Europe/Berlin",
        "days": [first_day],
    } | conference
    return {"schedule": {"version": "1", "conference": values}}


def refused(data: bytes) -> ScheduleFormatError:
    with pytest.raises(ScheduleFormatError) as caught:
        parse(data)
    return caught.value


def encoded(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def test_the_valid_baseline_parses() -> None:
    assert len(parse(encoded(document())).talks) == 2


def test_the_error_is_a_value_error_that_says_where() -> None:
    error = refused(b"[]")
    assert isinstance(error, ValueError)
    assert str(error) == f"{error.where}: {error.message}"


class TestNotJson:
    def test_truncated_json(self) -> None:
        data = encoded(document())
        error = refused(data[: len(data) // 2])
        assert (error.where, error.message) == ("$", "not valid JSON: Input data was truncated")

    def test_trailing_garbage(self) -> None:
        error = refused(encoded(document()) + b" }")
        assert error.where == "$"
        assert error.message.startswith("not valid JSON: JSON is malformed: trailing characters (byte ")

    def test_empty_input(self) -> None:
        assert refused(b"").where == "$"

    def test_bytes_that_are_not_utf8(self) -> None:
        data = encoded(document(title="Workshop München")).replace("ü".encode(), "ü".encode("latin-1"))
        offset = data.index("ü".encode("latin-1"))
        error = refused(data)
        assert (error.where, error.message) == ("$", f"not UTF-8: invalid byte at offset {offset}")

    def test_a_utf8_byte_order_mark_is_accepted(self) -> None:
        assert parse(b"\xef\xbb\xbf" + encoded(document())).title == "Workshop 2024"

    def test_a_file_over_50_mib_is_refused_before_decoding(self) -> None:
        error = refused(b"x" * (MAX_BYTES + 1))  # not JSON at all: the size is checked first
        assert error.where == "$"
        assert "the limit is 52428800 (50 MiB)" in error.message

    def test_a_file_of_exactly_50_mib_is_decoded(self) -> None:
        data = encoded(document())
        assert len(parse(data + b" " * (MAX_BYTES - len(data))).talks) == 2


class TestWrongShape:
    def test_the_top_level_is_not_an_object(self) -> None:
        error = refused(b"[]")
        assert error.where == "$"
        assert "Expected `object`, got `array`" in error.message

    def test_no_schedule(self) -> None:
        error = refused(b'{"conference": {}}')
        assert (error.where, error.message) == ("$", "Object missing required field `schedule`")

    def test_no_conference(self) -> None:
        error = refused(b'{"schedule": {"version": "1"}}')
        assert (error.where, error.message) == ("$.schedule", "Object missing required field `conference`")

    def test_days_is_not_a_list(self) -> None:
        error = refused(encoded(document(days={"1": {}})))
        assert (error.where, error.message) == ("$.schedule.conference.days", "Expected `array`, got `object`")

    def test_a_day_date_that_is_not_a_date(self) -> None:
        error = refused(encoded(document(day={"date": "1 June"})))
        assert (error.where, error.message) == ("$.schedule.conference.days[0].date", "Invalid RFC3339 encoded date")

    def test_rooms_is_not_an_object(self) -> None:
        error = refused(encoded(document(day={"rooms": [EVENT]})))
        assert error.where == "$.schedule.conference.days[0].rooms"

    def test_a_room_that_is_not_a_list(self) -> None:
        error = refused(encoded(document(day={"rooms": {"Ada": EVENT}})))
        assert (error.where, error.message) == (
            '$.schedule.conference.days[0].rooms["Ada"]',
            "Expected `array`, got `object`",
        )

    def test_an_event_date_that_is_not_a_date(self) -> None:
        error = refused(encoded(document(event={"date": "tomorrow at ten"})))
        assert (error.where, error.message) == (
            '$.schedule.conference.days[0].rooms["Ada"][1].date',
            "Invalid RFC3339 encoded datetime",
        )

    def test_the_path_quotes_the_room_name_as_json(self) -> None:
        rooms = {'Room "A" Bühne': [EVENT | {"date": 5}]}
        error = refused(encoded(document(day={"rooms": rooms})))
        assert error.where == '$.schedule.conference.days[0].rooms["Room \\"A\\" Bühne"][0].date'

    def test_an_event_without_title(self) -> None:
        error = refused(encoded(document(event={"title": None})))
        assert (error.where, error.message) == (
            '$.schedule.conference.days[0].rooms["Ada"][1].title',
            "Expected `str`, got `null`",
        )

    def test_persons_not_a_list(self) -> None:
        error = refused(encoded(document(event={"persons": "Ana"})))
        assert error.where == '$.schedule.conference.days[0].rooms["Ada"][1].persons'

    def test_a_link_that_is_neither_object_nor_string(self) -> None:
        error = refused(encoded(document(event={"links": [42]})))
        assert error.where == '$.schedule.conference.days[0].rooms["Ada"][1].links[0]'

    def test_a_conference_start_that_is_not_a_date(self) -> None:
        error = refused(encoded(document(start="soon")))
        assert (error.where, error.message) == ("$.schedule.conference.start", "'soon' is not a date")

    def test_no_acronym(self) -> None:
        conference = document()["schedule"]["conference"]
        del conference["acronym"]
        error = refused(encoded({"schedule": {"version": "1", "conference": conference}}))
        assert (error.where, error.message) == ("$.schedule.conference", "Object missing required field `acronym`")


def test_no_time_zone_anywhere() -> None:
    data = document(time_zone_name=None, event={"date": "2024-06-01T11:00:00+01:00", "start": "11:00"})
    error = refused(encoded(data))
    assert (error.where, error.message) == ("$.schedule.conference", "no time zone: pass one")
