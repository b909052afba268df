"""Odd and hostile input gets a 4xx problem, never a 500, on either database."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference


@pytest.mark.parametrize(
    "path",
    [
        "/events/%00",
        "/events/" + "x" * 5000,
        "/events/%F0%9F%92%A5",
        "/events/nlp/schedule?room=%00",
        "/events/nlp/schedule?track=a%00b",
        "/events/nlp/schedule?q=%00",
        "/events/nlp/schedule?q=%25_%5C",
        "/events/nlp/schedule?day=9999-99-99",
        "/events/nlp/schedule?speaker=%00",
        "/events/nlp/schedule?kind=%00",
        "/events/nlp/now?at=%00",
        "/events/nlp/now?at=9999-12-31T23:59:59-23:59",
        "/events/nlp/now?at=0001-01-01T00:00:00%2B14:00",
        "/events/nlp/talks/%00",
        "/events/nlp/rooms?limit=99999999999999999999999",
        "/speakers/%00",
    ],
)
async def test_no_input_causes_a_server_error(client: AsyncTestClient, conference: Conference, path: str) -> None:
    response = await client.get(path)
    assert 200 <= response.status_code < 500, (path, response.status_code, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
