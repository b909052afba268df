"""frab_xml.parse refuses what it cannot read, cheaply, and says where."""

from __future__ import annotations

import pytest

from service.interop import frab_xml
from service.interop.model import ScheduleFormatError

VALID = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<schedule>\n"
    b"<version>1</version>\n"
    b"<conference><acronym>demo</acronym><title>Demo</title><time_zone_name>UTC</time_zone_name>"
    b"<start>2024-05-04</start><end>2024-05-04</end></conference>\n"
    b'<day index="1" date="2024-05-04"><room name="Main">\n'
    b'<event id="1"><start>10:00</start><duration>00:30</duration><title>Caf\xc3\xa9</title></event>\n'
    b"</room></day>\n"
    b"</schedule>\n"
)


def refused(data: bytes, **options: str) -> ScheduleFormatError:
    with pytest.raises(ScheduleFormatError) as caught:
        frab_xml.parse(data, **options)
    return caught.value


def test_the_valid_file_used_below_parses() -> None:
    assert frab_xml.parse(VALID).talks[0].title == "Café"


def test_truncated_xml_names_the_line_where_it_stops() -> None:
    error = refused(VALID[: VALID.index(b"</room>")])
    assert error.where == "line 7"
    assert error.message.startswith("not well-formed XML: ")


def test_something_that_is_not_xml() -> None:
    error = refused(b'{"schedule": {"conference": {}}}')
    assert error.where == "line 1"
    assert "Start tag expected" in error.message


def test_an_empty_file() -> None:
    assert refused(b"").where == "line 1"


def test_bytes_that_are_not_utf_8_without_a_declared_encoding() -> None:
    error = refused(VALID.replace("Café".encode(), "Café".encode("latin-1")))
    assert error.where == "line 6"
    assert "encoding" in error.message


def test_a_correctly_declared_other_encoding_is_read() -> None:
    data = VALID.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"').replace(
        "Café".encode(), "Café".encode("latin-1")
    )
    assert frab_xml.parse(data).talks[0].title == "Café"


def test_a_file_above_50_mb_is_refused_before_parsing() -> None:
    class Huge(bytes):
        """Claims to be one byte over the limit without allocating it; it is not XML at all."""

        def __len__(self) -> int:
            return frab_xml.MAX_BYTES + 1

    error = refused(Huge(b"not even xml"))
    assert error.where == "file"
    assert error.message == f"{frab_xml.MAX_BYTES + 1} bytes is more than the {frab_xml.MAX_BYTES} accepted"


def test_a_file_of_exactly_50_mb_is_not_refused_for_its_size() -> None:
    class Exactly(bytes):
        def __len__(self) -> int:
            return frab_xml.MAX_BYTES

    assert frab_xml.parse(Exactly(VALID)).talks[0].title == "Café"


@pytest.mark.parametrize(
    ("prologue", "line"),
    [
        pytest.param(b"", "line 1", id="first"),
        pytest.param(b'<?xml version="1.0"?>\n<!-- entities ahead -->\n', "line 3", id="after-a-comment"),
    ],
)
def test_a_doctype_is_refused_so_no_entity_is_expanded(prologue: bytes, line: str) -> None:
    laughs = (
        b'<!DOCTYPE schedule [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        b'<schedule><version v="&b;">&b;</version></schedule>'
    )
    error = refused(prologue + laughs)
    assert error.where == line
    assert error.message == "a <!DOCTYPE> is not accepted in a schedule file"


def test_a_doctype_in_utf_16_is_refused_after_parsing() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE schedule SYSTEM "x.dtd"><schedule/>'.encode("utf-16")
    assert refused(data).message == "a <!DOCTYPE> is not accepted in a schedule file"


def test_an_undeclared_entity_is_not_well_formed() -> None:
    error = refused(VALID.replace(b"Caf\xc3\xa9", b"&secret;"))
    assert error.where == "line 6"


def test_a_root_other_than_schedule() -> None:
    error = refused(b"<?xml version='1.0'?>\n<iCalendar/>")
    assert (error.where, error.message) == ("line 2", "the root element is <iCalendar>, not <schedule>")


def test_a_schedule_without_conference() -> None:
    error = refused(b"<schedule>\n<version/>\n</schedule>")
    assert (error.where, error.message) == ("line 1", "no <conference> element")


def test_a_missing_time_zone_without_a_default() -> None:
    error = refused(VALID.replace(b"<time_zone_name>UTC</time_zone_name>", b""))
    assert (error.where, error.message) == ("conference", "no time zone: pass one")
    assert str(error) == "conference: no time zone: pass one"


def test_no_dates_at_all() -> None:
    data = (
        b"<schedule><conference><acronym>demo</acronym><time_zone_name>UTC</time_zone_name></conference>"
        b"<day index='1'><room name='A'/></day></schedule>"
    )
    assert refused(data).where == "conference"


def test_a_flood_of_elements_is_refused_before_the_whole_tree_is_built() -> None:
    """40 MB of <a/> inside <schedule> (10 million elements) stops at the cap."""
    flood = b"<schedule>" + b"<a/>" * (10 * 1024 * 1024) + b"</schedule>"
    error = refused(flood)
    assert f"more than {frab_xml.MAX_ELEMENTS:,} elements" in error.message


def test_a_flood_under_another_root_is_refused_at_its_first_element() -> None:
    error = refused(b"<a>" + b"<a/>" * (10 * 1024 * 1024) + b"</a>")
    assert error.message == "the root element is <a>, not <schedule>"
