"""An import applies the file's slots in the file's order, with the organiser's verbs: comparing
with what is stored first (to leave unchanged talks alone) must not change what an import does.

The conference's "Filtering workshop" is one talk held twice. A file whose two occurrences of it
disagree about the title changes the talk twice, as applying them one by one does: the first
renames it, the second names it back.
"""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens


async def workshop_titles_logged(client: AsyncTestClient, since: int) -> list[tuple[str, str]]:
    log = (await client.get("/events/nlp/changes", params={"since": since})).json()["changes"]["items"]
    return [(change["detail"]["from"], change["detail"]["to"]) for change in log if change["kind"] == "retitled"]


async def export(client: AsyncTestClient) -> bytes:
    response = await client.get("/events/nlp/schedule.xml")
    assert response.status_code == 200, response.text
    return response.content


class TestSlotsOfOneTalk:
    async def test_two_occurrences_that_disagree_change_the_talk_twice_in_file_order(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        # frab XML has no speaker roles: a first import makes every speaker a "speaker", so that
        # the file differs from the event in the workshop's title alone.
        first = await client.post("/events/nlp/import", content=await export(client), headers=tokens.organiser)
        assert first.status_code == 200, first.text
        exported = await export(client)
        assert exported.count(b"<title>Filtering workshop</title>") == 2
        edited = exported.replace(b"<title>Filtering workshop</title>", b"<title>Workshop, renamed</title>", 1)
        since = (await client.get("/events/nlp/changes")).json()["version"]

        response = await client.post("/events/nlp/import", content=edited, headers=tokens.organiser)
        assert response.status_code == 200, response.text

        assert response.json()["updated"] == 2
        assert await workshop_titles_logged(client, since) == [
            ("Filtering workshop", "Workshop, renamed"),
            ("Workshop, renamed", "Filtering workshop"),
        ]
        schedule = (await client.get("/events/nlp/schedule")).json()
        shown = [entry["title"] for day in schedule["days"] for entry in day["talks"]]
        assert shown.count("Filtering workshop") == 2
