"""The schedule formats we read and write, in one registry: a new format is one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.interop import c3voc_json, frab_xml
from service.interop.model import ScheduleDocument, ScheduleFormatError


@dataclass(frozen=True, slots=True)
class ScheduleFormat:
    identifier: str
    media_type: str
    extension: str
    parse: Callable[..., ScheduleDocument]
    render: Callable[[ScheduleDocument], bytes]


FORMATS: dict[str, ScheduleFormat] = {
    "frab-xml": ScheduleFormat("frab-xml", "application/xml; charset=utf-8", "xml", frab_xml.parse, frab_xml.render),
    "c3voc-json": ScheduleFormat(
        "c3voc-json", "application/json; charset=utf-8", "json", c3voc_json.parse, c3voc_json.render
    ),
}
BY_EXTENSION = {fmt.extension: fmt for fmt in FORMATS.values()}


def detect(data: bytes) -> ScheduleFormat:
    """Tell frab XML from C3VOC JSON by the first meaningful byte, whatever the file is called."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return FORMATS["frab-xml"]
    if head.startswith((b"{", b"[")):
        return FORMATS["c3voc-json"]
    raise ScheduleFormatError("line 1", "neither a frab schedule.xml nor a C3VOC schedule.json")
