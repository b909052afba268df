"""frab / Pentabarf ``schedule.xml``, the oldest schedule exchange format: ``parse`` and ``render``.

Pentabarf wrote it, frab and pretalx write it today, and C3VOC's recording and streaming tools,
schedule apps (EventFahrplan, Giggity) and info screens read it; C3VOC publishes an XSD for it
(``schedule.xml.xsd``). ``render`` (in ``render.py``) writes files that validate against that
XSD. ``parse`` (in ``parse.py``, with ``safe_xml.py`` reading the untrusted bytes) reads what real
exports contain, which is messier than the XSD, by these rules:

- Time zone: ``conference/time_zone_name`` when it is an IANA name; a name that is not is ignored
  with a warning. Then ``default_timezone``. Then, if every event ``<date>`` that has an offset
  carries the same whole-hour one, the fixed zone for it (``common.fixed_offset_zone``:
  ``Etc/GMT±N``, ``Etc/UTC`` for +00:00), with a warning (it knows no daylight saving).
  Otherwise ``ScheduleFormatError("conference", "no time zone: pass one")``. The zone used is
  returned as ``ScheduleDocument.timezone``.
- Start instant: ``<date>`` when it carries an offset; a ``<date>`` without one is local time in
  the zone. Exception: when ``<date>`` is in UTC, the zone is not at UTC then, and its wall clock
  equals ``<start>``, the file labels local times as UTC (LSWT 2019 does), so the wall clock is
  read as local time, with one warning for the file.
- Without ``<date>`` (Pentabarf exports such as FOSDEM 2023) the start is ``<start>`` on the
  event's day. A day spans ``day/@start`` to ``day/@end`` (converted to the zone); without
  ``day/@start`` it begins at ``day/@date`` plus the conference day change, and without a usable
  ``day/@end`` it lasts 24 hours. ``<start>`` is on the day's calendar date when that lies inside
  the span, else on whichever of that date and the next lies nearer to the span (the next on a tie:
  nights run late more often than mornings start early). So with FOSDEM's 09:00 day change an
  08:00 start is the next morning; in 36C3's 11:00 -> 04:00 days a 01:00 start is after midnight
  while a 10:00 start stays on its date; and 00:00 to 03:00 starts on 36C3's last day (which claims
  to end at 19:00) are still after midnight. When both ``<date>`` and ``<start>`` exist they
  are cross-checked this way and a disagreement is a warning (``<date>`` wins). A UTC ``<date>``
  with a local ``<start>`` (DebConf 23, whose ``day/@date`` is the UTC date) agrees once
  converted, and so is not reported.
- An event with neither a usable ``<date>`` nor a ``<start>`` on a dated day is skipped with a
  warning: it cannot be placed.
- Duration: ``H:MM`` or ``H:MM:SS``. Empty, missing or unreadable: 30 minutes, with a warning.
- Room: the enclosing ``day/room/@name`` (the event's own ``<room>`` is only a fallback). An event
  ``<room>`` that names a different room is reported once per distinct pair. Rooms are listed in
  order of first appearance, including rooms without events.
- GUID: ``event/@guid``, as canonical lower-case UUID text when it parses as a UUID, else
  ``uuid5(GUID_NAMESPACE, guid)`` with a warning (the XSD types it as a UUID). Missing:
  ``uuid5(GUID_NAMESPACE, "{acronym}/{event id}")``, or ``"{acronym}/{slug}"`` without an id, or
  ``"{acronym}/{title}/{room}/{start ISO}"`` without either, with one warning for the file. A GUID
  repeated in the file (two slots of one talk, or a reused event id) stays with its first event;
  each repeat gets ``uuid5(GUID_NAMESPACE, "{guid}/{room}/{start ISO}")`` (``common.repeat_guid``),
  with a warning. ``start ISO`` is the start's ISO 8601 text in the file's zone.
- Cancelled: no format has a flag, so a title that starts with ``CANCELLED`` or ``CANCELED`` in
  capitals followed by a space or colon, or with that word in any case followed by a colon, marks
  the talk cancelled; the prefix (and a following dash) is removed, with a warning (a title that
  is only the prefix stays whole). A title such as "Cancelled culture" is left alone.
- People: ``<persons><person>`` (frab) and ``<person>`` directly under the event (LSWT). A direct
  ``<person>`` may list several comma-separated names; they are read as separate people, with one
  warning for the file. ``person/@guid`` (else ``@id``) is the person's id, and a biography is
  taken from the top-level ``<persons>`` list (FOSDEM) with the same id. Role: ``speaker``.
- Links: ``<links><link href>title</link>`` (the URL is the title when the text is empty; a link
  without href is dropped); ``<url>`` is the talk's page; ``<recording><url>`` or
  ``<recording><link>`` (else ``<video_download_url>``) is the recording.
- Track: ``<track>`` text, empty meaning none. Tracks are listed in order of first appearance from
  ``conference/track`` (``@name``, ``@color``), a top-level ``<tracks>`` list, then events.
- Kind, from ``<type>`` (case-insensitive, first match wins): lightning; keynote;
  break/pause/lunch/coffee -> break; panel/podium -> panel; workshop/hands-on/tutorial ->
  workshop; meetup/social/party/concert -> social; bof/discussion/conversation/meeting ->
  conversation; lecture/talk/vortrag/presentation/devroom/maintrack -> talk; exactly "other" ->
  other. Anything else is a talk, with one warning per distinct type text. No ``<type>``: talk,
  no warning. The text itself is kept in ``source_type``.
- Conference: ``title``; ``acronym`` (missing or empty: derived from the title, lower case with
  other characters as ``-``, with a warning); ``start``/``end`` (their date part; else the first
  and last ``day/@date``; else the first and last talk); ``day_change`` (``HH:MM[:SS]``, default
  00:00); ``venue``; ``city``; ``url`` (else ``base_url``); top-level ``<version>``.
"""

from service.interop.frab_xml.parse import parse
from service.interop.frab_xml.render import render
from service.interop.frab_xml.safe_xml import MAX_BYTES, MAX_ELEMENTS

__all__ = ["MAX_BYTES", "MAX_ELEMENTS", "parse", "render"]
