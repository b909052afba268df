"""Every string query parameter of every read route, sent with a control character in it, gets a
4xx problem, never a 500 (PostgreSQL cannot even compare a text with a NUL byte in it). The list
comes from the OpenAPI document, so a new parameter is swept without being listed here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.cli import openapi_json
from tests.api.conftest import Conference, Tokens, register
from tests.problems import assert_problem

CONTROLS = ["a\x00b", "a\x1bb", "a\x85b", "a\nb"]


def string_query_parameters() -> list[tuple[str, str]]:
    spec = json.loads(openapi_json())
    found = []
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            schema: dict[str, Any] = parameter["schema"]
            kinds = [schema.get("type")] + [member.get("type") for member in schema.get("oneOf", [])]
            if parameter["in"] == "query" and "string" in kinds and "enum" not in schema and "format" not in schema:
                found.append((path, parameter["name"]))
    return found


PARAMETERS = string_query_parameters()


def test_the_sweep_finds_the_parameters() -> None:
    assert {("/events/{slug}/schedule", "q"), ("/me/takeaways", "event"), ("/events/{slug}/now", "at")} <= set(
        PARAMETERS
    )


@pytest.mark.parametrize(("path", "name"), PARAMETERS)
async def test_a_control_character_in_a_query_parameter(
    client: AsyncTestClient, conference: Conference, tokens: Tokens, path: str, name: str
) -> None:
    phone = await register(client, "Ada")
    url = path.format(
        slug="nlp", talk_id=conference.keynote.id, speaker_id=conference.ada.id, feed_file=f"{phone.id}.ics"
    )
    headers = phone.headers if url.startswith("/me") else tokens.organiser
    for value in CONTROLS:
        response = await client.get(url, params={name: value}, headers=headers)
        assert_problem(response, 400, field=name)
