"""A worker serves a bounded number of streams, and a rolled-back change is never announced."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from tests.api.conftest import Conference, Tokens
from tests.api.live.conftest import WAIT, live_settings, open_stream
from tests.faults.conftest import serve_in_thread

PROBLEM = "application/problem+json"

POSTGRES_VETO = [
    """CREATE FUNCTION live_veto() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'schedule changes are vetoed at commit' USING ERRCODE = 'check_violation'; END $$""",
    """CREATE CONSTRAINT TRIGGER live_veto AFTER INSERT ON schedule_change
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION live_veto()""",
]
POSTGRES_LIFT = ["DROP TRIGGER IF EXISTS live_veto ON schedule_change", "DROP FUNCTION IF EXISTS live_veto()"]
# A row whose deferred foreign key points nowhere: SQLite refuses it at COMMIT, and only there.
SQLITE_VETO = [
    "CREATE TABLE live_veto_target (id TEXT PRIMARY KEY)",
    "CREATE TABLE live_veto (change_id TEXT REFERENCES live_veto_target (id) DEFERRABLE INITIALLY DEFERRED)",
    """CREATE TRIGGER live_veto AFTER INSERT ON schedule_change
       BEGIN INSERT INTO live_veto (change_id) VALUES (NEW.id); END""",
]
SQLITE_LIFT = [
    "DROP TRIGGER IF EXISTS live_veto",
    "DROP TABLE IF EXISTS live_veto",
    "DROP TABLE IF EXISTS live_veto_target",
]


async def run(db_session: AsyncSession, statements: list[str]) -> None:
    for statement in statements:
        await db_session.execute(text(statement))
    await db_session.commit()


@pytest.fixture
async def veto_schedule_changes(db_session: AsyncSession) -> AsyncIterator[None]:
    """Every transaction that logs a schedule change fails at COMMIT, after its flush."""
    postgres = db_session.bind.dialect.name == "postgresql"
    await run(db_session, POSTGRES_VETO if postgres else SQLITE_VETO)
    yield
    await run(db_session, POSTGRES_LIFT if postgres else SQLITE_LIFT)


class TestRollback:
    async def test_a_change_rolled_back_at_commit_is_never_streamed(
        self,
        http: httpx.AsyncClient,
        db_session: AsyncSession,
        conference: Conference,
        tokens: Tokens,
        veto_schedule_changes: None,
    ) -> None:
        path = f"/events/nlp/talks/{conference.keynote.id}"
        async with open_stream(http, "/events/nlp/live") as stream:
            refused = await http.patch(path, json={"title": "Never committed"}, headers=tokens.organiser)
            assert refused.status_code >= 400
            await run(db_session, POSTGRES_LIFT if db_session.bind.dialect.name == "postgresql" else SQLITE_LIFT)
            kept = await http.patch(path, json={"title": "Committed"}, headers=tokens.organiser)
            assert kept.status_code == 200, kept.text
            event = await stream.next()
        assert [change["detail"]["to"] for change in event.data["changes"]] == ["Committed"]


class TestStreamCap:
    async def test_one_stream_past_the_cap_is_a_503_with_retry_after(
        self, database_url: str, conference: Conference
    ) -> None:
        with serve_in_thread(create_app(live_settings(database_url, live_max_streams=2))) as base:
            async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
                async with open_stream(http, "/events/nlp/live"), open_stream(http, "/events/nlp/live"):
                    refused = await http.get("/events/nlp/live")
                    assert refused.status_code == 503
                    assert refused.headers["content-type"].startswith(PROBLEM)
                    assert int(refused.headers["retry-after"]) >= 1
                    assert refused.json()["code"] == "too_many_streams"
                # Closed streams free their places.
                async with open_stream(http, "/events/nlp/live"):
                    pass
