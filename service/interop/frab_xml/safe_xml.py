"""Reading an untrusted ``schedule.xml`` safely, before anything looks at what it says.

Schedule files come from anyone who can reach the import route, and XML is the format with the
most ways to hurt the reader (entity expansion, external DTDs, absurd trees), so:

- A file above 50 MB is refused before it is parsed.
- A ``<!DOCTYPE>`` is refused (schedule files never need one), so no entity is ever expanded;
  the parser also never loads a DTD, never touches the network and keeps libxml2's size limits.
- The file is read as a stream: one whose root is not ``<schedule>`` is refused at its first
  element, and one with more than ``MAX_ELEMENTS`` at the first element past it, before the whole
  tree is built.
- Bytes that are not valid in the declared encoding (UTF-8 when none is declared) and XML that is
  not well-formed raise ``ScheduleFormatError("line N", reason)``. A correctly declared other
  encoding (e.g. ISO-8859-1) is read, as any XML parser would.
"""

from __future__ import annotations

import io
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints; lxml-stubs is not a dependency

from service.interop.model import ScheduleFormatError

MAX_BYTES = 50 * 1024 * 1024
"""Larger files are refused before parsing: the largest real schedule we know is under 3 MB."""
MAX_ELEMENTS = 1_000_000
"""Real schedules hold about ten elements per kilobyte (FOSDEM 2026: 24,607 in 2.8 MB), so a full
50 MB file stays under this. Parsing stops at the first element past it: 40 MB of ``<a/>`` would
otherwise become a tree of ten million elements (over a gigabyte) before being found useless."""


def read_schedule_xml(data: bytes) -> Any:
    """The root ``<schedule>`` element (an lxml element: lxml has no type hints)."""
    if len(data) > MAX_BYTES:
        raise ScheduleFormatError("file", f"{len(data)} bytes is more than the {MAX_BYTES} accepted")
    data = bytes(data)
    _refuse_doctype(data)
    elements = etree.iterparse(
        io.BytesIO(data),
        events=("start",),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        # Read as a stream, so a file that is not a schedule is refused at its first element and
        # an absurd one at MAX_ELEMENTS, before the whole tree is built.
        for count, (_, element) in enumerate(elements, start=1):
            if count == 1 and element.tag != "schedule":
                raise ScheduleFormatError(
                    f"line {element.sourceline}", f"the root element is <{element.tag}>, not <schedule>"
                )
            if count > MAX_ELEMENTS:
                raise ScheduleFormatError(
                    f"line {element.sourceline}", f"more than {MAX_ELEMENTS:,} elements: this is not a schedule"
                )
    except etree.XMLSyntaxError as exc:
        # A streamed parse that stops at an undefined entity says only "no element found" (line 0);
        # the cause is the newest entry of the parser's error log.
        line, message = exc.lineno, exc.msg
        if not line and exc.error_log:
            line, message = exc.error_log.last_error.line, exc.error_log.last_error.message
        raise ScheduleFormatError(f"line {line or 1}", f"not well-formed XML: {message}") from exc
    root = elements.root
    if root.getroottree().docinfo.doctype:
        raise ScheduleFormatError("line 1", "a <!DOCTYPE> is not accepted in a schedule file")
    return root


def _refuse_doctype(data: bytes) -> None:
    """Refuse a DOCTYPE in the prologue before libxml2 reads it (it expands entities in attributes)."""
    at = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while at < len(data) and data[at : at + 1].isspace():
            at += 1
        if data.startswith(b"<?", at):
            end, closer = data.find(b"?>", at), b"?>"
        elif data.startswith(b"<!--", at):
            end, closer = data.find(b"-->", at), b"-->"
        elif data[at : at + 9].upper() == b"<!DOCTYPE":
            line = data.count(b"\n", 0, at) + 1
            raise ScheduleFormatError(f"line {line}", "a <!DOCTYPE> is not accepted in a schedule file")
        else:
            return
        if end < 0:
            return  # unterminated: the parser reports it with its line
        at = end + len(closer)
