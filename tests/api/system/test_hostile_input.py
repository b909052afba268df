"""Odd and hostile input gets a 4xx problem naming what was wrong, never a 500, on either database.

Each case says which status and which field the problem must name (``errors[].field``), so a
change that turns a precise 400 into a vague one fails here too. The bounds themselves are
declared in service/core/bounds.py.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens, register
from tests.problems import assert_problem

BEYOND_BIGINT = str(2**63)
BEYOND_INT = str(2**31)


def ids(conference: Conference) -> dict[str, str]:
    return {"talk": str(conference.keynote.id), "slot": str(conference.keynote_slot_id), "ada": str(conference.ada.id)}


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/events/%00", 400, "slug"),
        ("/events/%C2%85", 400, "slug"),  # NEL, a C1 control character
        ("/events/" + "x" * 5000, 404, "slug"),
        ("/events/%F0%9F%92%A5", 404, "slug"),
        ("/events/nlp/schedule?room=%00", 400, "room"),
        ("/events/nlp/schedule?track=a%00b", 400, "track"),
        ("/events/nlp/schedule?q=%00", 400, "q"),
        ("/events/nlp/schedule?q=%25_%5C", 400, "q"),
        ("/events/nlp/schedule?day=9999-99-99", 400, "day"),
        ("/events/nlp/schedule?day=0001-01-01", 400, "day"),
        ("/events/nlp/schedule?speaker=%00", 400, "speaker"),
        ("/events/nlp/schedule?kind=%00", 400, "kind"),
        ("/events/nlp/now?at=%00", 400, "at"),
        ("/events/nlp/now?at=9999-12-31T23:59:59-23:59", 400, "at"),
        ("/events/nlp/now?at=0001-01-01T00:00:00%2B14:00", 400, "at"),
        ("/events/nlp/talks/%00", 400, "talk_id"),
        ("/events/nlp/rooms?limit=99999999999999999999999", 400, "limit"),
        ("/speakers/%00", 400, "speaker_id"),
        # Integers past what the database compares (asyncpg refuses them, SQLite overflows at 2^63)
        (f"/events?offset={BEYOND_BIGINT}", 400, "offset"),
        (f"/events/nlp/rooms?offset={BEYOND_BIGINT}", 400, "offset"),
        (f"/events/nlp/tracks?offset={BEYOND_BIGINT}", 400, "offset"),
        (f"/events/nlp/speakers?offset={BEYOND_BIGINT}", 400, "offset"),
        (f"/events/nlp/changes?offset={BEYOND_BIGINT}", 400, "offset"),
        (f"/events/nlp/changes?since={BEYOND_INT}", 400, "since"),
        (f"/events/nlp/changes?since={BEYOND_BIGINT}", 400, "since"),
        (f"/events/nlp/talks/{{talk}}/takeaways?offset={BEYOND_BIGINT}", 400, "offset"),
        ("/events/nlp/calendar.ics?day=0001-01-01", 400, "day"),
    ],
)
async def test_query_and_path(
    client: AsyncTestClient, conference: Conference, path: str, status: int, field: str
) -> None:
    assert_problem(await client.get(path.format(**ids(conference))), status, field=field)


NESTED = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        # NUL cannot be stored by PostgreSQL; other control characters break calendars and exports
        ("PATCH", "/events/nlp/speakers/{ada}", {"bio": "a\x00b"}, 422, "bio"),
        ("PATCH", "/events/nlp/speakers/{ada}", {"name": "Ada\x07"}, 422, "name"),
        ("PATCH", "/events/nlp/speakers/{ada}", {"name": "Ada\n"}, 422, "name"),
        ("PATCH", "/events/nlp/speakers/{ada}", {"affiliation": "Engines\x85"}, 422, "affiliation"),
        (
            "PATCH",
            "/events/nlp/speakers/{ada}",
            {"links": [{"title": "x", "url": "http://x.example/\n"}]},
            422,
            "links[0].url",
        ),
        ("POST", "/events/nlp/speakers", {"name": "Zoë", "bio": "\x1b[31mred"}, 422, "bio"),
        ("PATCH", "/events/nlp/talks/{talk}", {"title": "Keynote\r"}, 422, "title"),
        ("PATCH", "/events/nlp/talks/{talk}", {"abstract": "a\x00b"}, 422, "abstract"),
        ("PATCH", "/events/nlp/talks/{talk}", {"url": "http://x.example/\n"}, 422, "url"),
        ("PATCH", "/events/nlp/talks/{talk}", {"slides_url": "http://x.example/a b"}, 422, "slides_url"),
        ("PATCH", "/events/nlp", {"website": "https://nlp.example/\n"}, 422, "website"),
        ("PATCH", "/events/nlp", {"venue": "Hall\x00"}, 422, "venue"),
        # Longer than the column (PostgreSQL refuses the INSERT; SQLite would store it)
        ("PATCH", "/events/nlp/speakers/{ada}", {"affiliation": "x" * 201}, 422, "affiliation"),
        ("PATCH", "/events/nlp", {"venue": "x" * 201}, 422, "venue"),
        ("PATCH", "/events/nlp", {"city": "x" * 101}, 422, "city"),
        ("POST", "/events/nlp/rooms", {"slug": "aula\n", "name": "Aula"}, 422, "slug"),
        ("POST", "/events/nlp/tracks", {"slug": "nlp", "name": "NLP", "color": "#00ff00\n"}, 422, "color"),
        # Far-off years: shifting them between zones overflows
        ("PATCH", "/events/nlp/slots/{slot}", {"start": "0001-01-01T00:00:00"}, 422, "start"),
        ("PATCH", "/events/nlp/slots/{slot}", {"start": "9999-12-31T23:59:00-23:59"}, 422, "start"),
        (
            "POST",
            "/events/nlp/talks",
            {"title": "Far", "slots": [{"start": "0001-01-01T10:00:00", "duration_minutes": 30}]},
            422,
            "slots[0].start",
        ),
        ("PATCH", "/events/nlp", {"start_date": "0001-01-01"}, 422, "start_date"),
        # Integers the database cannot hold
        ("POST", "/events/nlp/rooms", {"slug": "aula", "name": "Aula", "position": 2**63}, 422, "position"),
        ("PATCH", "/events/nlp/slots/{slot}", {"duration_minutes": 2**64}, 422, "duration_minutes"),
        # Nesting deep enough to exhaust the decoder is refused before decoding
        ("PATCH", "/events/nlp/talks/{talk}", NESTED, 400, "body"),
        ("POST", "/events/nlp/speakers", '{"name": "x", "links": ' + NESTED + "}", 400, "body"),
    ],
)
async def test_organiser_bodies(
    client: AsyncTestClient,
    conference: Conference,
    tokens: Tokens,
    method: str,
    path: str,
    body: Any,
    status: int,
    field: str,
) -> None:
    content = body if isinstance(body, str) else None
    response = await client.request(
        method,
        path.format(**ids(conference)),
        json=None if content else body,
        content=content,
        headers={**tokens.organiser, "Content-Type": "application/json"},
    )
    assert_problem(response, status, field=field)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"display_name": "a\x00b"}, 422, "display_name"),
        ({"display_name": "Ada\n"}, 422, "display_name"),
        ({"display_name": "Ada", "join_code": "\x00"}, 422, "join_code"),
        ('{"display_name": ' + NESTED + "}", 400, "body"),
        (NESTED, 400, "body"),
    ],
)
async def test_registration(
    client: AsyncTestClient, conference: Conference, body: Any, status: int, field: str
) -> None:
    content = body if isinstance(body, str) else None
    response = await client.post(
        "/events/nlp/attendees",
        json=None if content else body,
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, status, field=field)


async def raw_patch(
    client: AsyncTestClient, path: str, headers: list[tuple[bytes, bytes]], body: bytes
) -> httpx.Response:
    """A request whose header bytes reach the app exactly as sent: HTTP clients re-encode non-ASCII
    header values, while servers hand the raw bytes over (Litestar reads them as Latin-1)."""
    sent: list[dict[str, Any]] = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PATCH", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver.local"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000), "server": ("testserver.local", 80), "state": {},
    }  # fmt: skip
    # On the client's own loop, where the app's pooled asyncpg connections live (not the test's).
    await asyncio.to_thread(client.blocking_portal.call, client.app, scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    content = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return httpx.Response(
        start["status"],
        headers=[(name.decode("latin-1"), value.decode("latin-1")) for name, value in start["headers"]],
        content=content,
        request=httpx.Request("PATCH", f"http://testserver.local{path}"),
    )


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        (b'"\xb2"', 400),  # a superscript two as one Latin-1 byte: a digit to str.isdigit, not to int
        ('"²"'.encode(), 400),
        (b'"' + b"9" * 5000 + b'"', 400),
        (b'W/"-1"', 400),
        (b'"12345678901"', 400),
        (b'"9999999999"', 412),  # a version, just not this note's
    ],
)
async def test_takeaway_if_match(client: AsyncTestClient, conference: Conference, if_match: bytes, status: int) -> None:
    phone = await register(client, "Ada")
    written = await client.post(
        f"/events/nlp/talks/{conference.keynote.id}/takeaways", json={"text": "Noted."}, headers=phone.headers
    )
    note = written.json()["id"]
    token = phone.headers["Authorization"].encode()
    response = await raw_patch(
        client, f"/me/takeaways/{note}", [(b"authorization", token), (b"if-match", if_match)], b'{"text": "Edited."}'
    )
    assert_problem(response, status, field="If-Match")
    assert (await client.get("/me/takeaways", headers=phone.headers)).json()["items"][0]["text"] == "Noted."


@pytest.mark.parametrize(
    "if_match", ['"\xb2"'.encode("latin-1"), b'"' + b"9" * 5000 + b'"', b'"v99999999999999999999-x"']
)
async def test_event_if_match(client: AsyncTestClient, conference: Conference, tokens: Tokens, if_match: bytes) -> None:
    """Organisers' writes compare If-Match with the schedule version: anything else is stale (412)."""
    headers = [(b"authorization", tokens.organiser["Authorization"].encode()), (b"if-match", if_match)]
    for path in (f"/events/nlp/talks/{conference.keynote.id}", "/events/nlp"):
        assert_problem(await raw_patch(client, path, headers, b'{"title": "Renamed"}'), 412, field="If-Match")
    assert (await client.get("/events/nlp")).json()["title"] != "Renamed"


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_new_event_fields_fit_their_columns(client: AsyncTestClient, tokens: Tokens) -> None:
    event = {"title": "Lisbon", "timezone": "Europe/Lisbon", "start_date": "2026-10-24", "end_date": "2026-10-26"}
    for extra, field in [({"slug": "x" * 65}, "slug"), ({"slug": "lisbon", "city": "x" * 101}, "city")]:
        assert_problem(await client.post("/events", json={**event, **extra}, headers=tokens.admin), 422, field=field)


@pytest.mark.parametrize("since", [cursor("v1:" + "9" * 30), cursor("v1:٣"), cursor("v1:-1"), "%00"])
async def test_sync_cursor(client: AsyncTestClient, conference: Conference, since: str) -> None:
    phone = await register(client, "Ada")
    assert_problem(await client.get(f"/me/takeaways?since={since}", headers=phone.headers), 400, field="since")


async def test_imported_json_nested_too_deep(client: AsyncTestClient, conference: Conference, tokens: Tokens) -> None:
    room = '[{"recording_license": ' + NESTED + "}]"
    document = (
        '{"schedule": {"conference": {"acronym": "x", "title": "y", "days": [{"date": "2025-06-20", "rooms": {"a": '
        + room
        + "}}]}}}"
    )
    response = await client.post("/events/nlp/import", content=document, headers=tokens.organiser)
    assert_problem(response, 422, field="$")
