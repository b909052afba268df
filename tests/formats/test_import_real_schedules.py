"""The real published schedules, end to end: import, counts, re-import, exports valid, round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from litestar.testing import AsyncTestClient
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from service.interop.cli import import_file
from service.organisers.services import TokenService

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCHEDULES = SHARED / "schedules"
FORMATS = SHARED / "formats"

# file, default zone for files that do not say, talks, rooms (shared/schedules/SOURCES.md)
REAL = [
    ("ccc-36c3-merged_schedule.xml", "Europe/Berlin", 1351, 92),
    ("ccc-36c3-merged_schedule.json", "Europe/Berlin", 1351, 92),
    ("fosdem-2026_schedule.xml", None, 883, 30),
    ("fosdem-2023_schedule.xml", "Europe/Brussels", 780, 35),
    ("debconf23_schedule.xml", None, 117, 5),
    ("ccc-camp2019_schedule.json", None, 79, 2),
    ("lswt2019_schedule.xml", "Europe/Berlin", 31, 4),
]

pytestmark = pytest.mark.skipif(not SCHEDULES.is_dir(), reason=f"the real schedules are not at {SCHEDULES}")


def entries(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    return [talk for day in schedule["days"] for talk in day["talks"]]


def essence(schedule: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What both formats carry, per slot, in a comparable form."""
    return sorted(
        (
            t["title"],
            t["start"],
            t["end"],
            (t["room"] or {}).get("name"),
            (t["track"] or {}).get("name"),
            tuple(s["name"] for s in t["speakers"]),
            t["status"],
        )
        for t in entries(schedule)
    )


@pytest.mark.parametrize(("name", "zone", "talks", "rooms"), REAL, ids=[r[0] for r in REAL])
async def test_real_schedule_imports_exports_and_round_trips(
    client: AsyncTestClient, db_session: AsyncSession, name: str, zone: str | None, talks: int, rooms: int
) -> None:
    data = (SCHEDULES / name).read_bytes()
    report = await import_file(db_session, data, "real", zone, "cancel")
    _, token = await TokenService(db_session).create(event_slug=None, admin=True)
    await db_session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    assert report.talks_in_file == talks

    schedule = (await client.get("/events/real/schedule")).json()
    assert len(entries(schedule)) == talks
    assert (await client.get("/events/real/rooms", params={"limit": 200})).json()["total"] == rooms

    again = (await client.post("/events/real/import", content=data, headers=auth)).json()
    assert (again["created"], again["updated"], again["cancelled"]) == (0, 0, 0)
    assert (await client.get("/events/real/schedule")).json() == schedule

    xml = (await client.get("/events/real/schedule.xml")).content
    xsd = etree.XMLSchema(etree.parse(str(FORMATS / "schedule.xml.xsd")))
    assert xsd.validate(etree.fromstring(xml)), xsd.error_log.last_error
    exported_json = json.loads((await client.get("/events/real/schedule.json")).content)
    schema = json.loads((FORMATS / "schema.json").read_text())
    errors = list(jsonschema.Draft6Validator(schema).iter_errors(exported_json))
    assert errors == [], errors[:3]

    event = (await client.get("/events/real")).json()
    for exported, slug in ((xml, "copy-xml"), (json.dumps(exported_json).encode(), "copy-json")):
        created = await client.post(
            "/events",
            headers=auth,
            json={
                "slug": slug,
                "title": event["title"][:200],
                "timezone": event["timezone"],
                "start_date": event["start_date"],
                "end_date": event["end_date"],
                "day_change": event["day_change"] + ":00",
            },
        )
        assert created.status_code == 201, created.text
        response = await client.post(f"/events/{slug}/import", content=exported, headers=auth)
        assert response.status_code == 200, response.text
        copy = (await client.get(f"/events/{slug}/schedule")).json()
        assert essence(copy) == essence(schedule), slug
