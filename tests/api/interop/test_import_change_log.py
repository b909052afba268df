"""An import changes the schedule as an organiser would: the change log cannot tell them apart.

Two events start from the same file. At one, an organiser moves a talk to another room, retitles
one, cancels one and changes one's speakers through the API; the other imports a file that says
the same. Both change logs then hold the same entries: kinds, titles and details, rooms by slug and
speakers by id (each event has its own speaker rows, so ids are compared as the names they stand for).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.organisers.services import TokenService
from tests.api.conftest import bearer
from tests.factories import create_event

Talk = tuple[str, str, str, str, list[str]]
"""GUID suffix, start (HH:MM on 20 June), room, title, persons."""

BEFORE: list[Talk] = [
    ("01", "10:00", "Hall A", "Opening", ["Grace Hopper", "Ada Lovelace"]),
    ("02", "11:00", "Hall A", "Pipelines", ["Linus Torvalds"]),
    ("03", "12:00", "Hall A", "Untitled yet", []),
    ("04", "13:00", "Hall B", "Dropped", []),
]
AFTER: list[Talk] = [
    ("01", "10:00", "Hall A", "Opening", ["Ada Lovelace", "Linus Torvalds"]),  # one gone, one moved up, one new
    ("02", "11:00", "Hall B", "Pipelines", ["Linus Torvalds"]),  # another room
    ("03", "12:00", "Hall A", "Data, finally", []),  # retitled
    # "Dropped" is not in the file any more: cancelled
]


def schedule_xml(talks: list[Talk]) -> bytes:
    rooms: dict[str, list[str]] = {}
    for guid, start, room, title, persons in talks:
        people = "".join(f'<person id="{n}">{name}</person>' for n, name in enumerate(persons))
        rooms.setdefault(room, []).append(
            f'<event guid="6f2b1d0e-4a8c-4a53-9f27-4a9d3c1e5b{guid}" id="{int(guid)}">'
            f"<date>2025-06-20T{start}:00+02:00</date><start>{start}</start><duration>00:45</duration>"
            f"<room>{room}</room><slug>talk-{guid}</slug><title>{title}</title><subtitle/><track/>"
            f"<type>lecture</type><language>en</language><abstract/><description/>"
            f"<persons>{people}</persons><links/></event>"
        )
    body = "".join(f'<room name="{name}">{"".join(events)}</room>' for name, events in rooms.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?><schedule><version>1</version><conference>'
        "<acronym>same</acronym><title>Same</title><start>2025-06-20</start><end>2025-06-21</end><days>2</days>"
        "<time_zone_name>Europe/Copenhagen</time_zone_name></conference>"
        '<day index="1" date="2025-06-20" start="2025-06-20T04:00:00+02:00" end="2025-06-21T04:00:00+02:00">'
        f"{body}</day></schedule>"
    ).encode()


@pytest.fixture
async def admin(db_session: AsyncSession) -> dict[str, str]:
    """Two events, by hand and by file, alike; and a token that may edit both."""
    await create_event(db_session, slug="by-hand")
    await create_event(db_session, slug="by-file")
    _, token = await TokenService(db_session).create(event_slug=None, admin=True)
    await db_session.commit()
    return bearer(token)


async def start_from_the_file(client: AsyncTestClient, slug: str, admin: dict[str, str]) -> int:
    """Import BEFORE into the event; the schedule version after it."""
    response = await client.post(f"/events/{slug}/import", content=schedule_xml(BEFORE), headers=admin)
    assert response.status_code == 200, response.text
    return int(response.json()["version"])


async def speaker_names(client: AsyncTestClient, slug: str) -> dict[str, str]:
    speakers = (await client.get(f"/events/{slug}/speakers")).json()["items"]
    return {speaker["id"]: speaker["name"] for speaker in speakers}


async def changes_since(client: AsyncTestClient, slug: str, since: int, names: dict[str, str]) -> list[dict[str, Any]]:
    """The entries after ``since``, ids of speakers shown as names, sorted (one import is one version,
    the same changes by hand are four)."""
    log = (await client.get(f"/events/{slug}/changes", params={"since": since})).json()["changes"]["items"]
    entries = []
    for change in log:
        detail = change["detail"]
        if change["kind"] == "speakers_changed":
            detail = {key: [names[i] for i in ids] for key, ids in detail.items()}
        entries.append(
            {"kind": change["kind"], "title": change["title"], "of_a_slot": change["slot_id"] is not None, **detail}
        )
    return sorted(entries, key=lambda entry: (entry["kind"], entry["title"]))


async def change_by_hand(client: AsyncTestClient, admin: dict[str, str]) -> None:
    """What AFTER says, done through the organisers' API at ``by-hand``."""
    schedule = (await client.get("/events/by-hand/schedule")).json()
    found = {entry["title"]: entry for day in schedule["days"] for entry in day["talks"]}
    ids = {name: i for i, name in (await speaker_names(client, "by-hand")).items()}
    speakers = [{"id": ids["Ada Lovelace"]}, {"id": ids["Linus Torvalds"]}]
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", f"/events/by-hand/talks/{found['Opening']['talk_id']}", {"speakers": speakers}),
        ("PATCH", f"/events/by-hand/slots/{found['Pipelines']['id']}", {"room": "hall-b"}),
        ("PATCH", f"/events/by-hand/talks/{found['Untitled yet']['talk_id']}", {"title": "Data, finally"}),
        ("POST", f"/events/by-hand/talks/{found['Dropped']['talk_id']}/cancel", None),
    ]
    for method, path, body in steps:
        response = await client.request(method, path, json=body, headers=admin)
        assert response.status_code == 200, (path, response.text)


class TestImportLogsAsAnOrganiser:
    async def test_an_import_writes_the_entries_the_same_changes_by_hand_write(
        self, client: AsyncTestClient, admin: dict[str, str]
    ) -> None:
        hand_since = await start_from_the_file(client, "by-hand", admin)
        file_since = await start_from_the_file(client, "by-file", admin)
        hand_names = await speaker_names(client, "by-hand")
        file_names = await speaker_names(client, "by-file")

        await change_by_hand(client, admin)
        response = await client.post("/events/by-file/import", content=schedule_xml(AFTER), headers=admin)
        assert response.status_code == 200, response.text

        by_hand = await changes_since(client, "by-hand", hand_since, hand_names)
        by_file = await changes_since(client, "by-file", file_since, file_names)
        assert by_file == by_hand
        assert [entry["kind"] for entry in by_file] == ["cancelled", "moved_room", "retitled", "speakers_changed"]

    async def test_speaker_changes_are_in_the_change_log_whoever_makes_them(
        self, client: AsyncTestClient, admin: dict[str, str]
    ) -> None:
        hand_since = await start_from_the_file(client, "by-hand", admin)
        file_since = await start_from_the_file(client, "by-file", admin)
        hand_names = await speaker_names(client, "by-hand")
        file_names = await speaker_names(client, "by-file")

        await change_by_hand(client, admin)
        await client.post("/events/by-file/import", content=schedule_xml(AFTER), headers=admin)

        expected = {
            "kind": "speakers_changed",
            "title": "Opening",
            "of_a_slot": False,
            "from": ["Grace Hopper", "Ada Lovelace"],
            "to": ["Ada Lovelace", "Linus Torvalds"],
        }
        for slug, since, names in (("by-hand", hand_since, hand_names), ("by-file", file_since, file_names)):
            entries = await changes_since(client, slug, since, names)
            assert [entry for entry in entries if entry["kind"] == "speakers_changed"] == [expected], slug

    async def test_a_move_names_both_rooms_by_slug(self, client: AsyncTestClient, admin: dict[str, str]) -> None:
        since = await start_from_the_file(client, "by-file", admin)
        await client.post("/events/by-file/import", content=schedule_xml(AFTER), headers=admin)

        rooms = {room["name"]: room["slug"] for room in (await client.get("/events/by-file/rooms")).json()["items"]}
        log = (await client.get("/events/by-file/changes", params={"since": since})).json()["changes"]["items"]
        moves = [change["detail"] for change in log if change["kind"] == "moved_room"]
        assert moves == [{"from": rooms["Hall A"], "to": rooms["Hall B"]}]
