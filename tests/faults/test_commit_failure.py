"""A COMMIT that fails is never acknowledged: the client hears a problem, and nothing is stored.

advanced-alchemy's autocommit hook committed while the response was being sent and only logged a
failure, so a constraint checked at COMMIT turned into a 201 for a note that was never stored.
Each backend gets a real constraint that is checked only at COMMIT and refuses every new takeaway:
a deferred constraint trigger on PostgreSQL, a deferred foreign key on SQLite.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.models import Attendee
from service.takeaways.models import Takeaway
from tests.api.conftest import Conference, Phone, register
from tests.faults.conftest import PROBLEM, takeaway_path

POSTGRES_VETO = [
    """CREATE FUNCTION fault_veto_takeaway() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'takeaways are vetoed at commit' USING ERRCODE = 'check_violation'; END $$""",
    """CREATE CONSTRAINT TRIGGER fault_veto_takeaway AFTER INSERT ON takeaway
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_veto_takeaway()""",
]
POSTGRES_LIFT = [
    "DROP TRIGGER IF EXISTS fault_veto_takeaway ON takeaway",
    "DROP FUNCTION IF EXISTS fault_veto_takeaway()",
]
# Each new takeaway adds a row whose foreign key points nowhere; the key is deferred, so SQLite
# checks it at COMMIT (the app turns foreign keys on for every connection).
SQLITE_VETO = [
    "CREATE TABLE fault_veto_target (id TEXT PRIMARY KEY)",
    """CREATE TABLE fault_veto (
         takeaway_id TEXT REFERENCES fault_veto_target (id) DEFERRABLE INITIALLY DEFERRED)""",
    """CREATE TRIGGER fault_veto_takeaway AFTER INSERT ON takeaway
       BEGIN INSERT INTO fault_veto (takeaway_id) VALUES (NEW.id); END""",
]
SQLITE_LIFT = [
    "DROP TRIGGER IF EXISTS fault_veto_takeaway",
    "DROP TABLE IF EXISTS fault_veto",
    "DROP TABLE IF EXISTS fault_veto_target",
]


@pytest.fixture
async def veto_at_commit(db_session: AsyncSession) -> AsyncIterator[None]:
    """Every transaction that adds a takeaway fails at COMMIT, and only there."""
    postgres = db_session.bind.dialect.name == "postgresql"
    for statement in POSTGRES_VETO if postgres else SQLITE_VETO:
        await db_session.execute(text(statement))
    await db_session.commit()
    yield
    for statement in POSTGRES_LIFT if postgres else SQLITE_LIFT:
        await db_session.execute(text(statement))
    await db_session.commit()


async def stored_takeaways(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Takeaway)) or 0)


class TestACommitThatFails:
    async def test_the_client_gets_a_409_problem_and_nothing_is_stored(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession, veto_at_commit: None
    ) -> None:
        alice = await register(client, "Alice")
        body = {"text": "Never acknowledged, never stored.", "client_id": str(uuid.uuid4())}

        response = await client.post(takeaway_path(conference.keynote.id), json=body, headers=alice.headers)

        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["code"] == "conflict"
        assert await stored_takeaways(db_session) == 0
        assert (await client.get("/me/takeaways", headers=alice.headers)).json()["items"] == []

    async def test_the_rest_of_the_transaction_is_rolled_back_too(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession, veto_at_commit: None
    ) -> None:
        alice: Phone = await register(client, "Alice")
        await client.post(takeaway_path(conference.keynote.id), json={"text": "vetoed"}, headers=alice.headers)
        # The same transaction advanced Alice's sync counter before inserting: that is undone as well.
        counter = await db_session.scalar(
            select(Attendee.sync_counter)
            .where(Attendee.id == uuid.UUID(alice.id))
            .execution_options(populate_existing=True)
        )
        assert counter == 0

    async def test_after_the_veto_is_lifted_the_same_retry_is_stored_once(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession, veto_at_commit: None
    ) -> None:
        alice = await register(client, "Alice")
        body = {"text": "Retried with the same client_id.", "client_id": str(uuid.uuid4())}
        assert (
            await client.post(takeaway_path(conference.keynote.id), json=body, headers=alice.headers)
        ).status_code == 409
        postgres = db_session.bind.dialect.name == "postgresql"
        for statement in POSTGRES_LIFT if postgres else SQLITE_LIFT:
            await db_session.execute(text(statement))
        await db_session.commit()

        retried = await client.post(takeaway_path(conference.keynote.id), json=body, headers=alice.headers)

        assert retried.status_code == 201, retried.text
        assert await stored_takeaways(db_session) == 1
