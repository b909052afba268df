"""The classic C3VOC ``schedule.json``: ``parse`` and ``render``.

frab and pretalx export it beside ``schedule.xml``, with the same data model; C3VOC publishes a
JSON schema for it (``schema.json``) and its recording, streaming and app tooling reads it. The
wire shape is in ``wire.py``, ``render`` (in ``render.py``) writes files that validate against the
schema, and ``parse`` (in ``parse.py``) reads what real exports contain, by these rules (whatever
the file leaves open is an ``ImportWarning`` with its JSON path; what cannot be read raises
``ScheduleFormatError(where, message)``):

- **Size and encoding.** Files over 50 MiB are refused before decoding. The bytes must be UTF-8 (a
  leading byte-order mark is skipped) and valid JSON; a syntax error is reported at ``$`` with its
  byte offset. A value of the wrong type (``days`` not a list, a ``date`` that is not an RFC 3339
  date-time) is reported at its own path.
- **Time zone.** ``conference.time_zone_name`` when it names a real IANA zone (one of
  ``zoneinfo.available_timezones()``; anything else is ignored with a warning); else the caller's
  ``default_timezone`` (an unknown one is refused at ``default_timezone``); else, when every event
  ``date`` that has an offset has the same one, the fixed zone for it
  (``common.fixed_offset_zone``: ``Etc/GMT±N``, ``Etc/UTC`` for +00:00), with a warning; else the
  file is refused ("no time zone: pass one"). A file without any event keeps ``timezone=None``.
- **Start.** The event ``date`` (ISO 8601 with offset) is the instant; a ``date`` without an offset
  is read as wall time in the zone, with a warning. Without ``date``, the start is the day's
  ``date`` plus the event's ``start`` (``HH:MM``, seconds allowed) in the zone, on the next
  calendar day when that time is earlier than the day's ``day_start`` time (and, when the day ends
  on the next date, not later than its ``day_end`` time: 36C3 lists 10:00 events under days that
  "start" at 11:00). Both are cross-checked when both are present, and a disagreement is warned
  about (``date`` wins).
- **Duration.** ``HH:MM`` or ``HH:MM:SS``; a missing or unreadable one becomes 30 minutes, with a
  warning.
- **GUID.** The event ``guid``, returned as a canonical lower-case UUID (a ``guid`` that is not a
  UUID becomes ``uuid5(GUID_NAMESPACE, guid)``, with a warning). A missing one becomes
  ``uuid5(GUID_NAMESPACE, f"{acronym}/{id or slug or title/room/start}")`` (start as ISO 8601 in
  the zone), with one warning that counts them. When a GUID repeats (36C3 has 3), the first event
  keeps it and each repeat gets ``uuid5(GUID_NAMESPACE, f"{guid}/{room}/{start}")``
  (``common.repeat_guid``), with a warning.
- **Rooms.** An event belongs to the room it is listed under, in order of first appearance (empty
  lists count, so the file's room order survives). An event whose own ``room`` says otherwise
  (36C3's ``1Komona headnut`` vs ``headnut``) is warned about once per pair.
- **Persons and links.** Persons may be objects with ``public_name``, ``name`` or
  ``full_public_name`` (first non-empty wins), ``guid``, ``id`` or ``code`` (first present wins) and
  ``biography``, or bare strings; all get the role ``speaker``; a nameless one is skipped with a
  warning. Links may be ``{url, title}`` objects or bare URL strings (36C3 has 298), which become
  ``DocLink(title=url, url=url)``; a link without a URL is skipped with a warning.
  ``recording_license``, ``do_not_record``, ``logo``, ``attachments``, ``answers`` and any other
  extra fields are ignored.
- **Kind.** From ``type`` by the mapping both formats share (``common.kind_of``: "Lightning Talk"
  is lightning, "Workshop 2h" a workshop, "Vortrag" a talk). Anything else is a talk, with one
  warning per distinct type text. The raw text is always kept in ``source_type``.
- **Cancelled.** A title that starts with "CANCELLED" or "CANCELED" in capitals followed by a space
  or colon, or with that word in any case followed by a colon (``common.CANCELLED_PREFIX``), marks
  the talk cancelled; the prefix is removed and a warning says so.
- **URL.** The event ``url``; ``urn:uuid:<the event's guid>`` (what ``render`` writes for a talk
  without a URL) is read as no URL.
- **Tracks.** The non-empty event ``track`` values, in order of first appearance, with the colour
  of a same-named ``conference.tracks`` entry when it is ``#rrggbb``.
- **Day change.** Derived from how the file groups events into days: 00:00 when no event starts
  on the date after the day it is listed under; otherwise a time that keeps every event on its
  listed day: the days' common ``day_start`` time when that fits, else the first whole hour after
  the latest such start (36C3: 05:00), else the minute after it. If no time fits, 00:00 with a
  warning.
- **Text.** Control characters other than tab and line breaks are removed from texts, with a warning.
- **Conference dates.** ``start`` and ``end`` (a date or date-time); when missing, the first and
  last day's ``date``, with a warning.
"""

from service.interop.c3voc_json.parse import parse
from service.interop.c3voc_json.render import render
from service.interop.c3voc_json.wire import MAX_BYTES, C3vocDocument

__all__ = ["MAX_BYTES", "C3vocDocument", "parse", "render"]
