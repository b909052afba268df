"""Small schedule files the tests import, shared where several tests need the same one."""

from __future__ import annotations

WINTER_GUID = "1d3e8a1c-7f6b-4c8e-9a52-0c4e2b1f7a01"

# frab XML of one winter day, with UTC offsets and no zone name: the file says +01:00, never
# which place it is in, so an import has to guess (or be told) the zone.
WINTER_OFFSETS_ONLY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<schedule><version>1</version>
<conference><acronym>winter-nlp</acronym><title>Winter NLP</title><start>2026-01-15</start><end>2026-01-15</end>
<days>1</days><venue>Aula</venue><city>Aarhus</city><url>https://winter-nlp.example.org/</url></conference>
<day index="1" date="2026-01-15" start="2026-01-15T08:00:00+01:00" end="2026-01-15T20:00:00+01:00">
<room name="Aula">
<event guid="1d3e8a1c-7f6b-4c8e-9a52-0c4e2b1f7a01" id="1"><date>2026-01-15T10:00:00+01:00</date>
<start>10:00</start><duration>00:45</duration><room>Aula</room><slug>winter-1</slug>
<title>Tokenisers in winter</title><subtitle/><track/><type>lecture</type><language>en</language>
<abstract/><description/><persons><person id="1">Karen Spärck Jones</person></persons><links/></event>
</room></day></schedule>""".encode()
