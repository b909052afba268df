"""What an operator sees: one JSON log line per request without secrets, request ids, metrics."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from service.app import create_app
from service.core.logging import JsonFormatter, RequestContextFilter, logging_config
from service.settings import Settings
from tests.api.conftest import Conference, Tokens, register
from tests.api.interop.test_import_export import XML

REQUEST_FIELDS = {"method", "route", "status", "duration_ms", "request_id"}


class _Lines(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestContextFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines(client: AsyncTestClient, caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Every line logged while the test runs, formatted as the app writes them to stderr.

    Attached after the app exists, since creating it configures logging afresh. The test's own
    HTTP client (httpx) logs each URL it requests; that is the test harness, not the service, so
    it is kept quiet.
    """
    lines: list[str] = []
    handler = _Lines(lines)
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.WARNING, logger="httpx")
    yield lines
    root.removeHandler(handler)


def entries(lines: list[str], logger: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in lines]
    return [entry for entry in parsed if entry["logger"] == logger]


def local(url: str) -> str:
    return url.split("testserver.local", 1)[-1]


class TestRequestLog:
    async def test_a_request_is_one_json_line_naming_its_route_template(
        self, client: AsyncTestClient, conference: Conference, log_lines: list[str]
    ) -> None:
        phone = await register(client, "Ada")
        response = await client.get(local(phone.calendar["ics"]))
        assert response.status_code == 200

        assert all("\n" not in line for line in log_lines)
        mine = [e for e in entries(log_lines, "plenary.request") if e["request_id"] == response.headers["x-request-id"]]
        assert len(mine) == 1
        line = mine[0]
        assert line.keys() >= REQUEST_FIELDS
        assert (line["method"], line["route"], line["status"]) == ("GET", "/calendar/{feed_file}", 200)
        assert line["duration_ms"] >= 0
        assert line["level"] == "info"
        assert line["time"]

    async def test_no_token_and_no_calendar_secret_reaches_the_log(
        self, client: AsyncTestClient, conference: Conference, log_lines: list[str]
    ) -> None:
        phone = await register(client, "Ada")
        token = phone.headers["Authorization"].split()[1]
        feed_secret = phone.calendar["ics"].rsplit("/", 1)[1].removesuffix(".ics")
        await client.put(f"/me/starred/{conference.keynote.id}", headers=phone.headers)
        await client.get(local(phone.calendar["ics"]))
        await client.get(local(phone.calendar["ics"]) + "?alarm=15")
        await client.get("/me/starred", headers={"Authorization": f"bearer  {token}"})
        await client.post("/me/calendar-token", headers={"Authorization": f"Bearer {token}x"})  # refused

        assert len(entries(log_lines, "plenary.request")) >= 5
        everything = "\n".join(log_lines)
        assert token.split(".")[1] not in everything
        assert feed_secret not in everything
        assert "/calendar/" not in everything.replace("/calendar/{feed_file}", "")

    async def test_a_refused_login_names_the_token_id_never_the_secret(
        self, client: AsyncTestClient, conference: Conference, log_lines: list[str]
    ) -> None:
        token_id, secret = str(uuid.uuid4()), "not-the-right-secret"
        response = await client.get("/me", headers={"Authorization": f"Bearer {token_id}.{secret}"})
        assert response.status_code == 401

        (refusal,) = entries(log_lines, "plenary.auth")
        assert refusal["message"] == "refused login"
        assert refusal["token_id"] == token_id
        assert refusal["route"] == "/me"
        assert refusal["request_id"] == response.headers["x-request-id"]
        assert secret not in "\n".join(log_lines)

    async def test_a_schedule_change_is_logged_with_its_event_route_and_version(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference, log_lines: list[str]
    ) -> None:
        response = await client.post(f"/events/nlp/talks/{conference.lunch.id}/cancel", headers=tokens.organiser)
        assert response.status_code == 200, response.text

        (change,) = entries(log_lines, "plenary.schedule")
        assert change["message"] == "schedule change"
        assert change["event"] == "nlp"
        assert change["route"] == "/events/{slug}/talks/{talk_id}/cancel"
        assert change["version"] == conference.event.schedule_version + 1
        assert change["request_id"] == response.headers["x-request-id"]

    async def test_an_import_is_logged_with_its_format_and_counts(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference, log_lines: list[str]
    ) -> None:
        response = await client.post("/events/nlp/import", content=XML, headers=tokens.organiser)
        assert response.status_code == 200, response.text
        report = response.json()

        (imported,) = entries(log_lines, "plenary.import")
        assert imported["message"] == "schedule import"
        assert imported["event"] == "nlp"
        assert imported["format"] == report["format"]
        assert (imported["talks_in_file"], imported["version"]) == (report["talks_in_file"], report["version"])
        for count in ("created", "updated", "unchanged", "cancelled", "deleted"):
            assert imported["counts"][count] == report[count], count
        assert imported["warnings"] == len(report["warnings"])
        assert imported["request_id"] == response.headers["x-request-id"]


class TestLogFormat:
    def test_text_is_for_a_terminal(self, settings: Settings) -> None:
        formatter = logging_config(msgspec.structs.replace(settings, log_format="text")).formatters["standard"]["()"]()
        record = logging.LogRecord("plenary.request", logging.INFO, __file__, 1, "request", None, None)
        record.route, record.status = "/events/{slug}", 200
        line = formatter.format(record)
        assert line.endswith("INFO    plenary.request: request route=/events/{slug} status=200")

    def test_json_is_the_default(self, settings: Settings) -> None:
        assert logging_config(settings).formatters["standard"]["()"] is JsonFormatter


class TestRequestId:
    async def test_a_sane_incoming_id_is_echoed(self, client: AsyncTestClient, log_lines: list[str]) -> None:
        response = await client.get("/health", headers={"X-Request-ID": "edge-7f3a:42"})
        assert response.headers["x-request-id"] == "edge-7f3a:42"
        assert entries(log_lines, "plenary.request")[-1]["request_id"] == "edge-7f3a:42"

    @pytest.mark.parametrize("offered", ["", "x" * 129, "has space", 'quote"d', "-leading-dash"])
    async def test_anything_else_is_replaced_by_a_new_one(self, client: AsyncTestClient, offered: str) -> None:
        response = await client.get("/health", headers={"X-Request-ID": offered})
        assert response.headers["x-request-id"] != offered
        assert len(response.headers["x-request-id"]) == 32

    async def test_every_response_has_one_even_without_a_route(
        self, client: AsyncTestClient, log_lines: list[str]
    ) -> None:
        ids = {(await client.get("/health")).headers["x-request-id"] for _ in range(3)}
        assert len(ids) == 3
        missing = await client.get("/no/such/path")
        assert missing.status_code == 404
        assert missing.headers["x-request-id"]
        preflight = await client.options(
            "/events", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
        )
        assert preflight.headers["x-request-id"]
        # A request that reached no route still gets its line, without a route or duration.
        (line,) = [e for e in entries(log_lines, "plenary.request") if e["status"] == 404]
        assert (line["route"], line["duration_ms"], line["request_id"]) == (
            None,
            None,
            missing.headers["x-request-id"],
        )


def sample(text: str, name: str, **labels: str) -> float:
    """A sample's value in a Prometheus exposition, 0 when absent."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


async def metrics(client: AsyncTestClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


class TestMetrics:
    async def test_requests_are_counted_by_route_template_and_status(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        labels = {"method": "GET", "path": "/events/{slug}/schedule", "status_code": "200"}
        before = sample(await metrics(client), "plenary_requests_total", **labels)
        await client.get("/events/nlp/schedule")
        after = await metrics(client)
        assert sample(after, "plenary_requests_total", **labels) == before + 1
        assert sample(after, "plenary_request_duration_seconds_count", **labels) >= 1
        assert "/events/nlp/" not in after  # never a concrete path

    async def test_a_second_identical_schedule_request_is_a_render_cache_hit(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        await client.get("/events/nlp/schedule?day=2025-06-20")
        before = await metrics(client)
        await client.get("/events/nlp/schedule?day=2025-06-20")
        after = await metrics(client)
        assert sample(after, "plenary_render_cache_hits_total") > sample(before, "plenary_render_cache_hits_total")
        assert sample(after, "plenary_render_cache_misses_total") == sample(before, "plenary_render_cache_misses_total")

    async def test_a_429_is_counted_as_a_rate_limit_refusal(self, settings: Settings, conference: Conference) -> None:
        app = create_app(msgspec.structs.replace(settings, attendee_writes_per_minute=1))
        route = {"route": "/events/{slug}/attendees"}
        async with AsyncTestClient(app=app) as client:
            before = sample(await metrics(client), "plenary_rate_limit_refusals_total", **route)
            statuses = [(await client.post("/events/nlp/attendees", json={})).status_code for _ in range(2)]
            after = await metrics(client)
        assert statuses == [201, 429]
        assert sample(after, "plenary_rate_limit_refusals_total", **route) == before + 1
        assert sample(after, "plenary_requests_total", path=route["route"], status_code="429") >= 1

    async def test_the_database_pool_is_reported(self, client: AsyncTestClient) -> None:
        text = await metrics(client)
        assert "plenary_db_pool_connections" in text
        assert sample(text, "plenary_db_pool_connections", state="in_use") >= 0

    async def test_it_answers_head_and_stays_out_of_the_api_docs(self, client: AsyncTestClient) -> None:
        head = await client.head("/metrics")
        assert head.status_code == 200
        assert head.content == b""
        spec = (await client.get("/docs/openapi.json")).json()
        assert "/metrics" not in spec["paths"]
