"""OPTIONS names every method a path answers (RFC 9110 10.2.1), writes included."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/events", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("/events/nlp", {"GET", "HEAD", "PATCH", "OPTIONS"}),
        ("/events/nlp/rooms", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("/events/nlp/talks/{talk}", {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}),
        ("/me/takeaways/{talk}", {"PATCH", "DELETE", "OPTIONS"}),
    ],
)
async def test_allow_lists_reads_and_writes(
    client: AsyncTestClient, conference: Conference, path: str, methods: set[str]
) -> None:
    response = await client.options(path.format(talk=conference.keynote.id))
    assert response.status_code == 204
    assert {method.strip() for method in response.headers["allow"].split(",")} == methods
