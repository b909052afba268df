"""Bugs found while building the write API, pinned down."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens


async def test_replacing_speakers_answers_with_the_new_speakers_not_a_500(
    client: AsyncTestClient, conference: Conference, tokens: Tokens
) -> None:
    # The edited talk stayed half-loaded in the session and reading its speakers back crashed.
    response = await client.patch(
        f"/events/nlp/talks/{conference.lunch.id}",
        json={"speakers": [{"id": str(conference.ada.id), "role": "host"}]},
        headers=tokens.organiser,
    )
    assert response.status_code == 200, response.text
    assert [(s["name"], s["role"]) for s in response.json()["speakers"]] == [("Ada Lovelace", "host")]
