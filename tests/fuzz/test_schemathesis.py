"""Schemathesis against `plenary serve` and the committed openapi/openapi.json, on the run's database.

Three runs, one per credential set: anonymous, an attendee registered through the API, and an
organiser of the demo event (a token made as `plenary token create --event` makes it). Each run
sends every operation of the document its examples, boundary cases and generated requests,
valid and invalid, with every check on: no 5xx, only documented statuses, content types, headers
and bodies that match the document, invalid requests refused and valid ones accepted (with the
exceptions in schemathesis.toml, each with its reason). Path parameters are mostly the demo
event's real slug and ids, so requests reach the code behind the lookups.

It is bounded by ``PLENARY_FUZZ_EXAMPLES`` generated requests per operation (25; ``--max-examples``)
and a fixed seed (``PLENARY_FUZZ_SEED``), so CI explores the same cases each time and stays within
a few minutes per backend. The cases run per route are printed at the end of the pytest run.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.organisers.services import TokenService
from tests.fuzz.conftest import FuzzRun

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "openapi.json"
CONFIG = Path(__file__).with_name("schemathesis.toml")
EVENT = "cph-nlp-2025"
EXAMPLES = int(os.environ.get("PLENARY_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("PLENARY_FUZZ_SEED", "20261130")
RUN_TIMEOUT = 300
"""Seconds one credential set may take before the test gives up on it (a run takes about one)."""

pytestmark = pytest.mark.fuzz


@dataclass
class Credentials:
    name: str
    token: str | None = None
    excluded: list[str] = field(default_factory=list)
    """Operations this set leaves out, each for a reason given where the set is made."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def server(database_url: str, demo: list[str], tmp_path: Path) -> AsyncIterator[str]:
    """`plenary serve` on the run's database, with the demo events and no attendee write limit."""
    port = free_port()
    env = {
        **os.environ,
        "PLENARY_DATABASE_URL": database_url,
        "PLENARY_LOAD_DEMO": "false",
        "PLENARY_LOG_LEVEL": "warning",
        "PLENARY_ATTENDEE_WRITES_PER_MINUTE": "1000000",
    }
    env.pop("PLENARY_PUBLIC_URL", None)
    log = (tmp_path / "server.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
        stdout=log, stderr=asyncio.subprocess.STDOUT, env=env, cwd=tmp_path,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(120):
                if process.returncode is not None:
                    break
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.25)
            else:
                pytest.fail("plenary serve did not answer /health within 30 s")
        if process.returncode is not None:
            pytest.fail(f"plenary serve exited: {(tmp_path / 'server.log').read_text(errors='replace')[-3000:]}")
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


async def fixture_values(base: str, attendee: str) -> dict[str, list[str]]:
    """The demo event's slug and ids, and a note of the attendee's, for the runs to draw from."""
    async with httpx.AsyncClient(base_url=base) as client:

        async def items(path: str) -> list[dict[str, str]]:
            response = await client.get(path, params={"limit": 200})
            assert response.status_code == 200, response.text
            found: list[dict[str, str]] = response.json()["items"]
            return found

        schedule = (await client.get(f"/events/{EVENT}/schedule")).json()
        entries = [entry for day in schedule["days"] for entry in day["talks"]]
        note = await client.post(
            f"/events/{EVENT}/talks/{entries[0]['talk_id']}/takeaways",
            json={"text": "Evaluation is hard.", "visibility": "public"},
            headers={"Authorization": f"Bearer {attendee}"},
        )
        assert note.status_code == 201, note.text
        return {
            "slugs": [EVENT],
            "talks": sorted({entry["talk_id"] for entry in entries}),
            "slots": sorted({entry["id"] for entry in entries}),
            "rooms": [room["id"] for room in await items(f"/events/{EVENT}/rooms")],
            "tracks": [track["id"] for track in await items(f"/events/{EVENT}/tracks")],
            "speakers": [speaker["id"] for speaker in await items(f"/events/{EVENT}/speakers")],
            "takeaways": [note.json()["id"]],
        }


def config(values: dict[str, list[str]], path: Path) -> Path:
    """schemathesis.toml with the run's values as dictionaries: most path parameters name real things."""
    lines = [CONFIG.read_text(encoding="utf-8"), ""]
    for name, entries in values.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(entries)}", ""]
    lines.append("[parameters]")
    for parameter, dictionary, probability in [
        ("slug", "slugs", 0.9),
        ("talk_id", "talks", 0.8),
        ("slot_id", "slots", 0.8),
        ("room_id", "rooms", 0.8),
        ("track_id", "tracks", 0.8),
        ("speaker_id", "speakers", 0.8),
        ("takeaway_id", "takeaways", 0.8),
    ]:
        lines.append(f'"path.{parameter}" = {{ dictionary = "{dictionary}", probability = {probability} }}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def run_schemathesis(base: str, settings: Path, who: Credentials, reports: Path) -> tuple[int, str]:
    arguments = [
        "--config-file", str(settings), "--no-color",
        "run", str(SPEC), "--url", base,
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(EXAMPLES),
        "--seed", SEED,
        "--workers", "1",
        "--report", "ndjson", "--report-dir", str(reports),
    ]  # fmt: skip
    if who.token:
        arguments += ["--header", f"Authorization: Bearer {who.token}"]
    for operation in who.excluded:
        arguments += ["--exclude-name", operation]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "schemathesis.cli", *arguments,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=reports.parent,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"schemathesis ({who.name}) did not finish within {RUN_TIMEOUT} s")
    return process.returncode or 0, output.decode(errors="replace")


def cases_per_route(reports: Path) -> dict[str, Counter[str]]:
    """Requests sent per operation, by status class (``2xx``, ``4xx``...), from the NDJSON report."""
    routes: dict[str, Counter[str]] = defaultdict(Counter)
    for report in reports.glob("*.ndjson"):
        for line in report.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished["recorder"]
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response") or {}
                status = response.get("status_code")
                routes[recorder["label"]][f"{status // 100}xx" if status else "no answer"] += 1
    return routes


async def test_no_request_breaks_the_api_or_its_document(
    server: str, db_session: AsyncSession, database_url: str, tmp_path: Path, fuzz_runs: list[FuzzRun]
) -> None:
    _, organiser = await TokenService(db_session).create(event_slug=EVENT, admin=False, name="schemathesis")
    await db_session.commit()
    async with httpx.AsyncClient(base_url=server) as client:
        registered = await client.post(f"/events/{EVENT}/attendees", json={"display_name": "Fuzz"})
        assert registered.status_code == 201, registered.text
    attendee = registered.json()["token"]
    settings = config(await fixture_values(server, attendee), tmp_path / "schemathesis.toml")

    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    failures = []
    for who in [
        Credentials("anonymous"),
        # DELETE /me would forget the attendee halfway through the run, and every later request
        # of the set would be a 401; the anonymous set sends it, and tests/api cover it.
        Credentials("attendee", attendee, excluded=["DELETE /me"]),
        Credentials("organiser", organiser),
    ]:
        reports = tmp_path / f"reports-{who.name}"
        status, output = await run_schemathesis(server, settings, who, reports)
        routes = cases_per_route(reports)
        fuzz_runs.append(FuzzRun(backend, who.name, dict(routes), status == 0))
        if status != 0:
            failures.append(f"--- schemathesis as {who.name} (exit {status})\n{output[-12_000:]}")
        assert routes, f"schemathesis sent no request as {who.name}:\n{output[-3000:]}"
    if failures:
        server_log = (tmp_path / "server.log").read_text(errors="replace")[-6000:]
        pytest.fail("\n".join(failures) + f"\n--- server log\n{server_log}", pytrace=False)
