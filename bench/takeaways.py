"""Helpers of bench/takeaways.sh: register attendees, list talk ids, check stored rows, table rows.

    python bench/takeaways.py register BASE SLUG COUNT PREFIX   # PREFIX.tokens, PREFIX.attendees
    python bench/takeaways.py talks BASE SLUG FILE              # the event's talk ids, one a line
    python bench/takeaways.py count DATABASE_URL                # rows in the takeaway table
    python bench/takeaways.py check DATABASE_URL PREFIX [--expect-rows N]
    python bench/takeaways.py header
    python bench/takeaways.py row --label L --what W WRK.txt [--cpu F] [--ceiling H.txt] [--check PREFIX.check]

``check`` compares what wrk was told with what the database holds, for the attendees registered
under PREFIX (PREFIX.attendees) only, so the demo's own takeaways and other runs do not count.
bench/takeaways.lua leaves PREFIX.acked (client ids the server answered 201 or 200 for),
PREFIX.created (the client id of every 201) and PREFIX.unacked (client ids sent that never got an
answer: requests still in flight when wrk stopped). The check passes when every acknowledged client
id is stored, no client id got two 201s (a note created twice), every stored one was sent by wrk,
and rows = acknowledged + the in-flight ones that landed after wrk stopped (which no client was
told about, so they are neither lost nor duplicated); with --expect-rows, rows must also be N.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wrk_report import (  # the sibling module, found through the path set above
    NONE,
    format_cpu_per_request,
    format_errors,
    format_ms,
    format_percent,
    format_rps,
    parse_cpu,
    parse_wrk,
)


def _post_json(url: str, payload: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 - a local http URL this script built
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - a local URL we built
        if answer.status != 201:
            raise SystemExit(f"POST {url} answered {answer.status}")
        return json.loads(answer.read())


def register(base: str, slug: str, count: int, prefix: str) -> None:
    tokens, ids = [], []
    for i in range(count):
        body = _post_json(f"{base}/events/{slug}/attendees", {"display_name": f"bench {Path(prefix).name} {i}"})
        tokens.append(str(body["token"]))
        ids.append(str(body["id"]))
    Path(f"{prefix}.tokens").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    Path(f"{prefix}.attendees").write_text("\n".join(ids) + "\n", encoding="utf-8")


def talks(base: str, slug: str, path: str) -> None:
    with urllib.request.urlopen(f"{base}/events/{slug}/schedule", timeout=30) as answer:  # noqa: S310
        schedule = json.loads(answer.read())
    found = sorted({str(entry["talk_id"]) for day in schedule["days"] for entry in day["talks"]})
    if not found:
        raise SystemExit(f"no talk_id in the schedule of {slug}")
    Path(path).write_text("\n".join(found) + "\n", encoding="utf-8")


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
        import asyncpg

        dsn = "postgresql://" + database_url.split("://", 1)[1]

        async def fetch() -> list[tuple[object, object]]:
            connection = await asyncpg.connect(dsn)
            try:
                return [tuple(r) for r in await connection.fetch(query)]
            finally:
                await connection.close()

        raw = asyncio.run(fetch())
    else:
        raise SystemExit(f"unsupported database URL {database_url}")
    return [(_as_uuid(a), _as_uuid(c)) for a, c in raw]


def _lines(path: Path) -> list[str]:
    return (
        [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if path.exists()
        else []
    )


def check(database_url: str, prefix: str, expect_rows: int | None) -> int:
    attendees = {uuid.UUID(a) for a in _lines(Path(f"{prefix}.attendees"))}
    acked = [uuid.UUID(c) for c in _lines(Path(f"{prefix}.acked"))]
    created = [uuid.UUID(c) for c in _lines(Path(f"{prefix}.created"))]
    unacked = {uuid.UUID(c) for c in _lines(Path(f"{prefix}.unacked"))}
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
    text = "".join(f"{key} {value}\n" for key, value in facts.items())
    Path(f"{prefix}.check").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0 if ok else 2


def count(database_url: str) -> None:
    print(len(_rows(database_url)))


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


def _keyvalues(path: Path | None) -> dict[str, str]:
    if path is None or not path.exists():
        return {}
    return dict(line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if " " in line)


def row(
    label: str, what: str, output: Path, cpu_path: Path | None, ceiling: Path | None, check_path: Path | None
) -> str:
    text = output.read_text(encoding="utf-8")
    result = parse_wrk(text)
    base = parse_wrk(ceiling.read_text(encoding="utf-8")) if ceiling else None
    cpu = parse_cpu(cpu_path.read_text(encoding="utf-8")) if cpu_path else None
    database_cpu = float(_keyvalues(cpu_path).get("database", "nan")) if cpu_path else float("nan")
    lua = _lua_counts(text)
    facts = _keyvalues(check_path)
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
    cells = (
        label,
        what,
        f"{result.requests:,}",
        format_rps(result.requests_per_sec),
        format_ms(result.p50_ms),
        format_ms(result.p99_ms),
        format_percent(result.requests_per_sec / base.requests_per_sec) if base and base.requests_per_sec else NONE,
        f"{acked:,}" if lua else NONE,
        statuses,
        stored,
        format_errors(result),
        format_cpu_per_request(cpu, result.requests),
        format_ms(database_cpu * 1000 / result.requests) if database_cpu == database_cpu and result.requests else NONE,
        NONE if cpu is None else f"{cpu.other_cores:.2f}",
    )
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("register")
    p.add_argument("base")
    p.add_argument("slug")
    p.add_argument("count", type=int)
    p.add_argument("prefix")
    p = commands.add_parser("talks")
    p.add_argument("base")
    p.add_argument("slug")
    p.add_argument("file")
    p = commands.add_parser("count")
    p.add_argument("database_url")
    p = commands.add_parser("check")
    p.add_argument("database_url")
    p.add_argument("prefix")
    p.add_argument("--expect-rows", type=int)
    commands.add_parser("header")
    p = commands.add_parser("row")
    p.add_argument("output", type=Path)
    p.add_argument("--label", required=True)
    p.add_argument("--what", required=True)
    p.add_argument("--cpu", type=Path)
    p.add_argument("--ceiling", type=Path)
    p.add_argument("--check", type=Path)
    args = parser.parse_args(argv)
    if args.command == "register":
        register(args.base, args.slug, args.count, args.prefix)
    elif args.command == "talks":
        talks(args.base, args.slug, args.file)
    elif args.command == "count":
        count(args.database_url)
    elif args.command == "check":
        return check(args.database_url, args.prefix, args.expect_rows)
    elif args.command == "header":
        print(header())
    else:
        print(row(args.label, args.what, args.output, args.cpu, args.ceiling, args.check))
    return 0


if __name__ == "__main__":
    sys.exit(main())
