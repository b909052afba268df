"""The Authorization header is read the same way by every door: any case of "Bearer", any
whitespace around the token. The rate limiter counts such requests under the token's id, so the
routes must accept them too."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens, register


def spelled(header: dict[str, str], scheme: str, gap: str) -> dict[str, str]:
    token = header["Authorization"].split()[1]
    return {"Authorization": f"{scheme}{gap}{token}  "}


@pytest.mark.parametrize(("scheme", "gap"), [("bearer", " "), ("BEARER", "\t"), ("Bearer", "   ")])
async def test_an_attendee_token_works_however_the_header_is_spaced(
    client: AsyncTestClient, conference: Conference, scheme: str, gap: str
) -> None:
    phone = await register(client, "Ada")
    response = await client.get("/me", headers=spelled(phone.headers, scheme, gap))
    assert response.status_code == 200


@pytest.mark.parametrize(("scheme", "gap"), [("bearer", " "), ("BEARER", "\t")])
async def test_an_organiser_token_works_however_the_header_is_spaced(
    client: AsyncTestClient, tokens: Tokens, conference: Conference, scheme: str, gap: str
) -> None:
    response = await client.patch(
        "/events/nlp", json={"city": "Aarhus"}, headers=spelled(tokens.organiser, scheme, gap)
    )
    assert response.status_code == 200


async def test_a_header_with_two_tokens_is_refused(
    client: AsyncTestClient, tokens: Tokens, conference: Conference
) -> None:
    token = tokens.organiser["Authorization"].split()[1]
    response = await client.patch(
        "/events/nlp", json={"city": "Aarhus"}, headers={"Authorization": f"Bearer {token} {token}"}
    )
    assert response.status_code == 401
