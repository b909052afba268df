"""Hostile imports are refused early and change nothing; the worker keeps answering."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from service.interop import frab_xml
from tests.api.conftest import Conference, Tokens
from tests.api.interop.test_import_export import XML

FLOOD = b"<schedule>" + b"<a/>" * (10 * 1024 * 1024) + b"</schedule>"  # 40 MB, ten million elements


async def test_a_flood_of_elements_is_refused_and_changes_nothing(
    client: AsyncTestClient, tokens: Tokens, conference: Conference
) -> None:
    before = (await client.get("/events/nlp/schedule")).json()
    response = await client.post("/events/nlp/import", content=FLOOD, headers=tokens.organiser)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert f"more than {frab_xml.MAX_ELEMENTS:,} elements" in response.json()["detail"]
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/events/nlp/schedule")).json() == before


async def test_imports_one_after_another_reuse_the_import_process(
    client: AsyncTestClient, tokens: Tokens, conference: Conference
) -> None:
    """A failed import leaves the import process able to take the next one."""
    refused = await client.post("/events/nlp/import", content=b"<iCalendar/>", headers=tokens.organiser)
    assert refused.status_code == 422
    accepted = await client.post("/events/nlp/import", content=XML, headers=tokens.organiser)
    assert accepted.status_code == 200, accepted.text
