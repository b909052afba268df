"""frab_xml.render writes its XML as text: the bytes must be the ones lxml writes for the same tree.

The renderer used to build an lxml tree and call ``tostring(..., pretty_print=True)``; it now
writes the text itself. These tests hold it to lxml's serialisation: whatever the texts hold
(markup characters, line breaks, characters XML 1.0 cannot carry, whitespace only), lxml reading
the file and writing it again with pretty printing must give the same bytes, and read back the
texts with only the uncarriable characters gone.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from service.interop import frab_xml
from service.interop.model import DocLink, DocPerson, DocTalk, DocTrack, ScheduleDocument

UTC = datetime.UTC
UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
READER = etree.XMLParser(remove_blank_text=True)

awkward_text = st.text(
    st.one_of(
        st.sampled_from(list("<>&\"'\r\n\t \x00\x01\x1f\x7f\x85\u2028\ud800\udfff\ufffe\uffff]é😀")),
        st.characters(),
    ),
    max_size=12,
)
"""Texts made of what the escaping and cleaning are about, and of any other character."""


def carried(text: str) -> str:
    return UNCARRIABLE.sub("", text)


def written(text: str) -> bool:
    """Whether lxml reads the text back as it was given: text that is all uncarriable characters
    is written as ``<tag></tag>`` (an empty text node), which lxml reads as no text at all."""
    return text == "" or carried(text) != ""


def document(text: str, **talk_fields: Any) -> ScheduleDocument:
    """One talk in one room, with ``text`` in every text the file has (``talk_fields`` override)."""
    fields: dict[str, Any] = {
        "guid": "6a32cb72-a69d-423c-91b5-60d88eb8e6c7",
        "title": text,
        "start": datetime.datetime(2024, 5, 4, 10, 0, tzinfo=UTC),
        "duration": datetime.timedelta(minutes=30),
        "room": text,
        "subtitle": text,
        "abstract": text,
        "description": text,
        "language": text,
        "track": text,
        "persons": (DocPerson(name=text, guid="42"),),
        "links": (DocLink(title=text, url=text),),
        "url": "https://example.org/" + "".join(text.split()),
    }
    fields.update(talk_fields)
    talk = DocTalk(**fields)
    return ScheduleDocument(
        title=text,
        acronym="demo",
        timezone="Europe/Berlin",
        start_date=datetime.date(2024, 5, 4),
        end_date=datetime.date(2024, 5, 4),
        version=text,
        rooms=(text,),
        tracks=(DocTrack(name=text, color="#00ff00"),),
        talks=(talk,),
    )


def lxml_again(body: bytes) -> bytes:
    tree = etree.fromstring(body, READER)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@settings(max_examples=300, deadline=None)
@given(awkward_text)
def test_the_bytes_are_what_lxml_writes_for_the_same_tree(text: str) -> None:
    if not written(text):
        text += "x"
    body = frab_xml.render(document(text))
    assert lxml_again(body) == body
    event = etree.fromstring(body).find("day/room/event")
    expected = carried(text)
    for path in ("title", "subtitle", "abstract", "description", "language", "track", "room", "persons/person"):
        assert (event.findtext(path) or "") == expected, path
    assert event.getparent().get("name") == expected
    assert event.find("links/link").get("href") == expected


def test_a_text_of_only_uncarriable_characters_is_an_empty_element_with_both_tags() -> None:
    body = frab_xml.render(document("a", title="\x01\ud800"))
    assert b"        <title></title>\n" in body
    assert b"        <subtitle>a</subtitle>\n" in body


def test_text_and_attributes_are_escaped_as_libxml2_escapes_them() -> None:
    body = frab_xml.render(document("a<b>&\"c'\r\n\t\x01"))
    assert b'    <room name="a&lt;b&gt;&amp;&quot;c\'&#13;&#10;&#9;">\n' in body
    assert b"        <subtitle>a&lt;b&gt;&amp;\"c'&#13;\n\t</subtitle>\n" in body


def test_empty_texts_and_lists_are_self_closing_elements() -> None:
    doc = document("")
    talk = doc.talks[0]
    body = frab_xml.render(
        ScheduleDocument(
            title="",
            acronym="demo",
            timezone="UTC",
            start_date=datetime.date(2024, 5, 4),
            end_date=datetime.date(2024, 5, 5),
            rooms=("Main", "Empty"),
            talks=(DocTalk(guid=talk.guid, title="", start=talk.start, duration=talk.duration, room="Main"),),
        )
    )
    assert lxml_again(body) == body
    for line in (
        b"  <version/>",
        b"    <title/>",
        b'    <room name="Empty"/>',
        b"        <persons/>",
        b"        <links/>",
    ):
        assert line + b"\n" in body
