"""The committed OpenAPI spec is the one the app generates."""

from __future__ import annotations

from pathlib import Path

from service.cli import openapi_json

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_spec_is_current() -> None:
    assert COMMITTED.exists(), "run `plenary openapi` and commit openapi/openapi.json"
    assert COMMITTED.read_text(encoding="utf-8") == openapi_json() + "\n", (
        "openapi/openapi.json is stale: run `plenary openapi` and commit the result"
    )


def test_spec_documents_every_read_route_and_problem_responses() -> None:
    import json

    spec = json.loads(openapi_json())
    for path in (
        "/events",
        "/events/{slug}",
        "/events/{slug}/schedule",
        "/events/{slug}/now",
        "/events/{slug}/talks/{talk_id}",
        "/events/{slug}/speakers",
        "/events/{slug}/rooms",
        "/events/{slug}/tracks",
        "/speakers/{speaker_id}",
        "/health",
        "/ready",
    ):
        assert path in spec["paths"], path
    schedule_params = {p["name"] for p in spec["paths"]["/events/{slug}/schedule"]["get"]["parameters"]}
    assert {"day", "room", "track", "speaker", "kind", "q"} <= schedule_params
