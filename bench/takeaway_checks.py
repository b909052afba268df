"""What the takeaways benchmark does besides wrk: register attendees, list talks, check rows, table rows.

``check`` compares what wrk was told with what the database holds, for the attendees registered
under PREFIX (PREFIX.attendees) only, so the demo's own takeaways and other runs do not count.
bench/takeaways.lua leaves PREFIX.acked (client ids the server answered 201 or 200 for),
PREFIX.created (the client id of every 201) and PREFIX.unacked (client ids sent that never got an
answer: requests still in flight when wrk stopped). The check passes when every acknowledged client
id is stored, no client id got two 201s (a note created twice), every stored one was sent by wrk,
and rows = acknowledged + the in-flight ones that landed after wrk stopped (which no client was
told about, so they are neither lost nor duplicated); with ``expect_rows``, rows must also be N.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.harness import BenchError, WrkRun, beside
from bench.wrk import NONE, format_cpu_per_request, format_errors, format_ms, format_percent, format_rps


def _post_json(url: str, payload: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 - a local http URL this script built
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - a local URL we built
        if answer.status != 201:
            raise BenchError(f"POST {url} answered {answer.status}")
        body: dict[str, object] = json.loads(answer.read())
        return body


def register(base: str, slug: str, count: int, prefix: Path) -> None:
    tokens, ids = [], []
    for i in range(count):
        body = _post_json(f"{base}/events/{slug}/attendees", {"display_name": f"bench {prefix.name} {i}"})
        tokens.append(str(body["token"]))
        ids.append(str(body["id"]))
    beside(prefix, ".tokens").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    beside(prefix, ".attendees").write_text("\n".join(ids) + "\n", encoding="utf-8")


def talks(base: str, slug: str, path: Path) -> None:
    with urllib.request.urlopen(f"{base}/events/{slug}/schedule", timeout=30) as answer:  # noqa: S310
        schedule = json.loads(answer.read())
    found = sorted({str(entry["talk_id"]) for day in schedule["days"] for entry in day["talks"]})
    if not found:
        raise BenchError(f"no talk_id in the schedule of {slug}")
    path.write_text("\n".join(found) + "\n", encoding="utf-8")


def load_demo(env: dict[str, str], log: Path) -> str:
    """The server's database migrated and given the demo: "" when it worked, else the output.

    ``plenary load-demo`` refuses a database that was never migrated (since cf84b65).
    """
    with log.open("wb") as output:
        for command in (["plenary", "db", "upgrade"], ["plenary", "load-demo"]):
            done = subprocess.run(command, env=env, stdout=output, stderr=subprocess.STDOUT, check=False)
            if done.returncode != 0:
                return log.read_text(errors="replace")
    return ""


def recreate_pg(host: str, user: str, database: str) -> None:
    drop_pg(host, user, database)
    subprocess.run(["createdb", "-h", host, "-U", user, database], check=True)


def drop_pg(host: str, user: str, database: str) -> None:
    subprocess.run(["dropdb", "-h", host, "-U", user, "--if-exists", database], check=True)


def _as_uuid(value: object) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return uuid.UUID(bytes=raw) if len(raw) == 16 else uuid.UUID(raw.decode())
    if hasattr(value, "hex") and not isinstance(value, str):  # asyncpg's own UUID type
        return uuid.UUID(str(value))
    return uuid.UUID(str(value))


def _rows(database_url: str) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(attendee_id, client_id) of every takeaway, the table read as it is on disk."""
    query = "select attendee_id, client_id from takeaway"
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            raw = connection.execute(query).fetchall()
    elif database_url.startswith("postgresql"):
        raw = [(r[0], r[1]) for r in pg_rows(database_url, query)]
    else:
        raise BenchError(f"unsupported database URL {database_url}")
    return [(_as_uuid(a), _as_uuid(c)) for a, c in raw]


def pg_rows(database_url: str, query: str) -> list[tuple[object, ...]]:
    """One query on a connection of its own (which PostgreSQL counts as a session)."""

    async def fetch() -> list[tuple[object, ...]]:
        connection = await asyncpg.connect("postgresql://" + database_url.split("://", 1)[1])
        try:
            return [tuple(record) for record in await connection.fetch(query)]
        finally:
            await connection.close()

    return asyncio.run(fetch())


def _lines(path: Path) -> list[str]:
    return (
        [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if path.exists()
        else []
    )


def check(database_url: str, prefix: Path, expect_rows: int | None = None) -> dict[str, str]:
    """The facts of one run's rows (also written to PREFIX.check); ``facts["ok"]`` is "yes" or "NO"."""
    attendees = {uuid.UUID(a) for a in _lines(beside(prefix, ".attendees"))}
    acked = [uuid.UUID(c) for c in _lines(beside(prefix, ".acked"))]
    created = [uuid.UUID(c) for c in _lines(beside(prefix, ".created"))]
    unacked = {uuid.UUID(c) for c in _lines(beside(prefix, ".unacked"))}
    stored_list = [client for attendee, client in _rows(database_url) if attendee in attendees]
    stored = set(stored_list)
    acked_set = set(acked)
    missing = acked_set - stored  # the server said 201/200, the database does not have it: a lost write
    created_twice = len(created) - len(set(created))  # two 201s for one client id: a duplicate
    unexpected = stored - acked_set - unacked  # stored, but wrk never sent it (or was told nothing of it)
    inflight_stored = len(unacked & stored)
    expected = len(acked_set) + inflight_stored
    ok = not missing and not unexpected and not created_twice and len(stored_list) == len(stored) == expected
    if expect_rows is not None:
        ok = ok and len(stored_list) == expect_rows
    facts = {
        "rows": len(stored_list),
        "distinct_client_ids": len(stored),
        "acked_distinct": len(acked_set),
        "created_201": len(created),
        "created_twice": created_twice,
        "inflight_sent": len(unacked),
        "inflight_stored": inflight_stored,
        "acked_missing": len(missing),
        "unexpected": len(unexpected),
        "expect_rows": "" if expect_rows is None else expect_rows,
        "ok": "yes" if ok else "NO",
    }
    beside(prefix, ".check").write_text("".join(f"{key} {value}\n" for key, value in facts.items()), encoding="utf-8")
    return {key: str(value) for key, value in facts.items()}


def count(database_url: str) -> int:
    """Rows in the takeaway table."""
    return len(_rows(database_url))


COLUMNS = (
    "database, workers",
    "run",
    "requests",
    "req/s",
    "p50",
    "p99",
    "vs /health",
    "2xx acknowledged (wrk)",
    "201 / 200 (Lua)",
    "rows stored",
    "errors",
    "server CPU/req",
    "database CPU/req",
    "others' CPU",
)


def header() -> str:
    return "| " + " | ".join(COLUMNS) + " |\n|" + "|".join(["---", "---", *["---:"] * (len(COLUMNS) - 2)]) + "|"


def _lua_counts(text: str) -> dict[str, int]:
    """The ``takeaways: key=value ...`` line that bench/takeaways.lua prints in done()."""
    for line in text.splitlines():
        if line.startswith("takeaways:"):
            return {k: int(v) for k, v in (item.split("=", 1) for item in line.split()[1:] if "=" in item)}
    return {}


def row(label: str, what: str, run: WrkRun, ceiling: WrkRun, facts: dict[str, str] | None = None) -> str:
    result, base, cpu = run.result, ceiling.result, run.cpu
    lua = _lua_counts(run.output.read_text(encoding="utf-8"))
    acked = result.requests - result.non_2xx_3xx
    if lua:
        statuses = f"{lua.get('s201', 0):,} / {lua.get('s200', 0):,}"
        others = lua.get("responses", 0) - lua.get("s201", 0) - lua.get("s200", 0)
        if others:
            statuses += f" (+{others:,} other)"
    else:
        statuses = NONE
    if facts:
        stored = f"{int(facts['rows']):,}"
        if int(facts.get("inflight_stored", 0)):
            landed = int(facts["inflight_stored"])
            stored += f" (= {int(facts['acked_distinct']):,} acknowledged + {landed} in flight at stop)"
        if facts.get("ok") != "yes":
            stored += " **MISMATCH**"
    else:
        stored = NONE
    database = (
        format_ms(cpu.database * 1000 / result.requests) if cpu.database is not None and result.requests else NONE
    )
    cells = (
        label,
        what,
        f"{result.requests:,}",
        format_rps(result.requests_per_sec),
        format_ms(result.p50_ms),
        format_ms(result.p99_ms),
        format_percent(result.requests_per_sec / base.requests_per_sec) if base.requests_per_sec else NONE,
        f"{acked:,}" if lua else NONE,
        statuses,
        stored,
        format_errors(result),
        format_cpu_per_request(cpu, result.requests),
        database,
        f"{cpu.other_cores:.2f}",
    )
    return "| " + " | ".join(cells) + " |"


# --- CPU per request in one process, without the network (``python -m bench takeaways --in-process``) --


def in_process_cpu(database_url: str, requests: int, batches: int) -> dict[str, list[float]]:
    """Milliseconds of this process's CPU per request, one batch of ``requests`` at a time, for a
    new note (create), a repeat of one (retry) and ``GET /health``, in turn.

    The app is called as an ASGI app in this process, one request after another, so the figure is
    the service's own CPU (SQLite's included, PostgreSQL's not) with no HTTP server, no client and
    no network in it, and little noise from other processes. It imports ``service`` from wherever
    PYTHONPATH points (``--revision``/``--compare``), and only what every revision has.
    """
    return asyncio.run(_in_process_cpu(database_url, requests, batches))


async def _in_process_cpu(database_url: str, requests: int, batches: int) -> dict[str, list[float]]:
    import logging
    import time

    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.pool import NullPool

    from service.app import create_app
    from service.db.migrate import upgrade
    from service.demo.loader import load_demo
    from service.settings import Settings

    await asyncio.to_thread(upgrade, database_url)
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        await load_demo(session)
        await session.commit()
    await engine.dispose()
    settings = Settings(
        database_url=database_url,
        migrate_on_start=False,
        load_demo=False,
        attendee_writes_per_minute=1_000_000,
        log_level="warning",
    )
    app = create_app(settings)
    logging.disable(logging.INFO)  # as the servers run (PLENARY_LOG_LEVEL=warning)
    slug = "cph-nlp-2025"
    async with app.lifespan():
        schedule = json.loads((await _asgi(app, "GET", f"/events/{slug}/schedule"))[1])
        talk_ids = sorted({str(entry["talk_id"]) for day in schedule["days"] for entry in day["talks"]})
        tokens = []
        for i in range(8):
            registered = await _asgi(app, "POST", f"/events/{slug}/attendees", {"display_name": f"cpu {i}"})
            tokens.append(str(json.loads(registered[1])["token"]))
        repeated = [str(uuid.uuid4()) for _ in tokens]

        async def create(i: int) -> None:
            note = {"text": "a takeaway", "visibility": "private", "client_id": str(uuid.uuid4())}
            await _expect(app, f"/events/{slug}/talks/{talk_ids[i % len(talk_ids)]}/takeaways", note, tokens[i % 8])

        async def retry(i: int) -> None:
            note = {"text": "a repeated takeaway", "visibility": "private", "client_id": repeated[i % 8]}
            await _expect(app, f"/events/{slug}/talks/{talk_ids[0]}/takeaways", note, tokens[i % 8])

        async def health(_: int) -> None:
            await _asgi(app, "GET", "/health")

        kinds = {"create": create, "retry": retry, "health": health}
        for call in kinds.values():  # warm: compiled statements, remembered devices, the repeats' first notes
            for i in range(50):
                await call(i)
        cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
        for _ in range(batches):
            for kind, call in kinds.items():
                start = time.process_time()
                for i in range(requests):
                    await call(i)
                cpu[kind].append((time.process_time() - start) * 1000 / requests)
    return cpu


async def _expect(app: Any, path: str, note: dict[str, str], token: str) -> None:
    status, body = await _asgi(app, "POST", path, note, token)
    if status not in {200, 201}:
        raise BenchError(f"POST {path} answered {status}: {body[:300]!r}")


async def _asgi(
    app: Any, method: str, path: str, payload: dict[str, str] | None = None, token: str | None = None
) -> tuple[int, bytes]:
    """One request to ``app`` in this event loop, as an HTTP server would hand it over."""
    body = json.dumps(payload).encode() if payload is not None else b""
    headers = [(b"host", b"bench")]
    if payload is not None:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("bench", 80),
        "state": {},
    }
    delivered = False
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never leaves
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return int(answer["status"]), bytes(answer["body"])


if __name__ == "__main__":
    # python -m bench.takeaway_checks DATABASE_URL REQUESTS BATCHES: the in-process figures as JSON
    # (run by bench/takeaways.py in a process of its own, with the revision's service/ on PYTHONPATH).
    import sys

    print(json.dumps(in_process_cpu(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
