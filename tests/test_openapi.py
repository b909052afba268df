"""The committed OpenAPI spec is the one the app generates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from service.cli import openapi_json

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_spec_is_current(tmp_path: Path) -> None:
    assert COMMITTED.exists(), "run `plenary openapi` and commit openapi/openapi.json"
    # Generated as `plenary openapi` does, in a process of its own: after hundreds of apps built in
    # this one, Litestar's schema of a generic page (OffsetPagination[ChangeOut]) may come out inline
    # rather than as a component, which no server or user ever sees.
    generated = tmp_path / "openapi.json"
    command = [sys.executable, "-m", "service.cli", "openapi", "--output", str(generated)]
    subprocess.run(command, check=True)  # noqa: S603 - our own command line
    assert COMMITTED.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        "openapi/openapi.json is stale: run `plenary openapi` and commit the result"
    )


def test_spec_documents_every_read_route_and_problem_responses() -> None:
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


WRITES = {"post", "put", "patch", "delete"}
PROBLEM_REF = "#/components/schemas/Problem"


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    spec = json.loads(openapi_json())
    return [(method, path, operation) for path, item in spec["paths"].items() for method, operation in item.items()]


def components() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(openapi_json())["components"]["schemas"]
    return schemas


def test_every_write_route_says_who_may_call_it() -> None:
    unsecured = [f"{m.upper()} {p}" for m, p, op in operations() if m in WRITES and "security" not in op]
    assert unsecured == []


def test_routes_that_need_a_token_document_401() -> None:
    missing = [
        f"{m.upper()} {p}"
        for m, p, op in operations()
        if any(requirement for requirement in op.get("security", [])) and "401" not in op["responses"]
    ]
    assert missing == []


def test_routes_with_path_parameters_document_404_and_400() -> None:
    missing = [
        f"{m.upper()} {p}"
        for m, p, op in operations()
        if any(param["in"] == "path" for param in op.get("parameters", []))
        and not {"400", "404"} <= set(op["responses"])
    ]
    assert missing == []


def test_routes_with_a_body_document_413_and_422() -> None:
    missing = [
        f"{m.upper()} {p}"
        for m, p, op in operations()
        if "requestBody" in op and not {"413", "422"} <= set(op["responses"])
    ]
    assert missing == []


def test_every_error_response_is_problem_json() -> None:
    wrong = [
        f"{m.upper()} {p} {status}"
        for m, p, op in operations()
        for status, response in op["responses"].items()
        if status.startswith(("4", "5"))
        and response.get("content", {}).get("application/problem+json", {}).get("schema", {}).get("$ref") != PROBLEM_REF
    ]
    assert wrong == []


def test_ids_in_paths_are_uuids() -> None:
    loose = [
        f"{m.upper()} {p} {param['name']}"
        for m, p, op in operations()
        for param in op.get("parameters", [])
        if param["in"] == "path"
        and param["name"].endswith("_id")
        and param["schema"].get("format") != "uuid"
        and "pattern" not in param["schema"]
    ]
    assert loose == []


def test_json_bodies_refuse_unknown_fields_as_the_server_does() -> None:
    schemas = components()
    open_bodies = []
    for m, p, op in operations():
        ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        if ref and schemas[ref.rsplit("/", 1)[-1]].get("additionalProperties") is not False:
            open_bodies.append(f"{m.upper()} {p}")
    assert open_bodies == []


def test_optional_filters_have_no_default_borrowed_from_a_body_field() -> None:
    """TalkCreate.kind defaults to "talk"; the schedule's kind filter must not look as if it did."""
    schedule = next(op for m, p, op in operations() if (m, p) == ("get", "/events/{slug}/schedule"))
    kind = next(param for param in schedule["parameters"] if param["name"] == "kind")
    assert "default" not in json.dumps(kind)
    create = components()["TalkCreate"]["properties"]["kind"]
    assert create["default"] == "talk"
