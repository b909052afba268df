"""Wall time of `plenary import` on SQLite and PostgreSQL, against `plenary db upgrade` as a baseline.

Files imported:
  - the largest real schedule in shared/schedules, 36C3 (frab XML and C3VOC JSON, 1351 talks),
  - the synthetic event of --synth-talks talks: bench/generate.py writes bench-N into a SQLite
    file, a server on it exports /events/bench-N/schedule.xml and schedule.json, and those files
    are imported as the event `synth`.

Every run is one `plenary import FILE --event SLUG --timezone Europe/Berlin` process, timed (wall,
user + sys CPU of that process, peak RSS, as /usr/bin/time reports them), into a fresh database each
time: a new SQLite file, or the PostgreSQL database --pg-database dropped and created again, then
migrated by `plenary db upgrade` (untimed: since cf84b65 `plenary import` refuses a database that
was never migrated). The baseline is the same process with nothing to do, `plenary db upgrade` on
a database already at the newest migration (process start, imports, the version check); it is also
timed on a fresh database (all migrations), for reference. After the fresh imports, the same file
is imported again into the last database: that must create nothing and change nothing.

Wall times are what the goal is stated in; on a machine others use too they swing with the load,
so the table also gives the import process's CPU (user + sys) net of the baseline's CPU, which the
load moves far less. On PostgreSQL the server's own work (index updates, search vectors) is in the
wall time only.

Results: bench/out/import/results.md (or --out), each run's output next to it.

  python -m bench import
  python -m bench import --backends sqlite --runs 1      # a quick one
  python -m bench import --revision HEAD --out bench/out/import-before    # the last commit, for comparison
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.harness import (
    OUT,
    BenchError,
    Server,
    add_quiet_options,
    fetch,
    generate_event,
    pin_revision,
    require_tools,
    sqlite_file,
)
from bench.machine import say, wait_quiet

ZONE = "Europe/Berlin"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each kind, median shown (default 3)")
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-database", default="bench", help="dropped and created for every run (default bench)")
    parser.add_argument("--synth-talks", type=int, default=10000, help="talks of the synthetic event (10000)")
    parser.add_argument("--schedules", type=Path, default=Path("/work/shared/schedules"), help="real schedules")
    parser.add_argument("--out", type=Path, default=OUT / "import", help="results and logs (default bench/out/import)")
    add_quiet_options(parser)


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float
    rss_kib: int
    status: int


@dataclass(frozen=True)
class Series:
    """``runs`` timed runs: the median one (by wall time), the range, the last run's log, failures."""

    median: Timed
    low: float
    high: float
    log: Path
    failed: str


class Databases:
    """Fresh databases of one backend, and the timed runs against the current one."""

    def __init__(self, backend: str, args: argparse.Namespace, out: Path) -> None:
        self.backend, self.args, self.out = backend, args, out
        self.url = ""

    def pg(self, tool: str, *rest: str) -> None:
        a = self.args
        subprocess.run([tool, "-h", a.pg_host, "-p", a.pg_port, "-U", a.pg_user, *rest], check=True)

    def fresh(self, migrated: bool) -> None:
        if self.backend == "sqlite":
            self.url = sqlite_file(self.out / "import.db")
        else:
            self.pg("dropdb", "--if-exists", self.args.pg_database)
            self.pg("createdb", self.args.pg_database)
            a = self.args
            self.url = f"postgresql+asyncpg://{a.pg_user}@{a.pg_host}:{a.pg_port}/{a.pg_database}"
        if migrated:
            self.timed("migrate", ["plenary", "db", "upgrade"])

    def timed(self, name: str, command: list[str]) -> Timed:
        """One run against the current database; its output in NAME.log. A run that fails before
        printing an import report stops the benchmark; one that fails after it (the import
        committed, then the process crashed) is counted and reported instead."""
        env = {**os.environ, "PLENARY_DATABASE_URL": self.url, "PLENARY_LOG_LEVEL": "warning"}
        log = self.out / f"{name}.log"
        started = time.perf_counter()
        with log.open("wb") as output:
            process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
            _, wait_status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = status = os.waitstatus_to_exitcode(wait_status)
        if status != 0:
            text = log.read_text(errors="replace")
            if " talks in the file;" not in text:
                raise BenchError(f"{' '.join(command)} failed ({status}):\n{text}")
            say(f"  {name}: exit status {status} after the import's report ({wall:.2f}s)")
        return Timed(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, status)

    def series(self, label: str, fresh: str, command: list[str]) -> Series:
        """``fresh``: "empty" or "migrated" for a new database before each run, "" for the current one."""
        runs = []
        for i in range(1, self.args.runs + 1):
            if fresh:
                self.fresh(migrated=fresh == "migrated")
            runs.append(self.timed(f"{label}-{i}", command))
        ordered = sorted(runs, key=lambda run: run.wall)
        middle = ordered[(len(ordered) + 1) // 2 - 1]
        failures = [run.status for run in runs if run.status]
        failed = (
            f"{len(failures)} of {len(runs)} runs exited with {' '.join(map(str, sorted(set(failures))))}"
            if failures
            else ""
        )
        found = Series(middle, ordered[0].wall, ordered[-1].wall, self.out / f"{label}-{self.args.runs}.log", failed)
        say(
            f"  {label}: median {middle.wall:.2f}s ({found.low:.2f} to {found.high:.2f}), CPU {middle.cpu:.2f}s,"
            f" {middle.rss_kib // 1024} MiB{'; ' + failed if failed else ''}"
        )
        return found


def export_synthetic(out: Path, talks: int) -> list[Path]:
    """The synthetic event, exported by the service as schedule.xml and schedule.json."""
    say(f"== synthetic event of {talks} talks")
    url = sqlite_file(out / f"source-{talks}.db")
    generate_event(url, talks)
    files = []
    with Server(url, out / "server-export.log") as server:
        for form in ("xml", "json"):
            answer = fetch(server.url(f"/events/bench-{talks}/schedule.{form}"))
            if answer.status != 200:
                raise BenchError(f"schedule.{form} answered {answer.status}")
            files.append(out / f"synth-{talks}.{form}")
            files[-1].write_bytes(answer.body)
    return files


def one_backend(backend: str, args: argparse.Namespace, out: Path, files: list[tuple[str, Path, str]]) -> list[str]:
    """The rows of one backend, the baselines' row last."""
    say(f"== {backend}")
    databases = Databases(backend, args, out)
    wait_quiet(args.quiet_wait)
    upgrade = ["plenary", "db", "upgrade"]
    fresh_upgrade = databases.series(f"{backend}-upgrade-fresh", "empty", upgrade)
    head_upgrade = databases.series(f"{backend}-upgrade-head", "", upgrade)
    h, h_cpu = head_upgrade.median.wall, head_upgrade.median.cpu
    rows = []
    for label, file, slug in files:
        key = f"{backend}-" + re.sub(r"[^a-z0-9]", "-", label.lower())
        command = ["plenary", "import", str(file), "--event", slug, "--timezone", ZONE]
        wait_quiet(args.quiet_wait)
        fresh = databases.series(f"{key}-fresh", "migrated", command)
        found = re.search(r"(\d+) talks in the file", fresh.log.read_text())
        talks = int(found.group(1)) if found else 0
        if f" {talks} created" not in fresh.log.read_text():
            raise BenchError(f"the import did not create {talks} talks:\n{fresh.log.read_text()}")
        again = databases.series(f"{key}-again", "", command)
        reported = re.search(r"\d+ created, .* deleted", again.log.read_text())
        report = reported.group(0) if reported else "no report"
        if report != f"0 created, 0 updated, {talks} unchanged, 0 cancelled, 0 deleted":
            say(f"  the re-import was not a no-op: {report}")
        if fresh.failed:
            report += f"; fresh import: {fresh.failed}"
        if again.failed:
            report += f"; re-import: {again.failed} (after the report)"
        w, a = fresh.median.wall, again.median.wall
        rows.append(
            f"| {backend} | {label} | {wrk.format_bytes(file.stat().st_size)} | {talks} "
            f"| {w:.2f} s ({fresh.low:.2f} to {fresh.high:.2f}) | {w - h:.2f} s | {w / h:.1f}\N{MULTIPLICATION SIGN} "
            f"| {(w - h) * 1000 / max(talks, 1):.2f} ms | {fresh.median.cpu:.2f} s | {fresh.median.cpu - h_cpu:.2f} s "
            f"| {fresh.median.rss_kib // 1024} MiB | {a:.2f} s | {a - h:.2f} s | {again.median.cpu - h_cpu:.2f} s "
            f"| {report} |"
        )
    rows.append(
        f"| {backend} | {fresh_upgrade.median.wall:.2f} s ({fresh_upgrade.low:.2f} to {fresh_upgrade.high:.2f}) "
        f"| {fresh_upgrade.median.cpu:.2f} s | {h:.2f} s | {h_cpu:.2f} s |"
    )
    if backend == "postgresql":
        databases.pg("dropdb", "--if-exists", args.pg_database)
    return rows


def run(args: argparse.Namespace) -> int:
    require_tools()
    if args.pg_database in ("test", "postgres"):
        raise BenchError(f"--pg-database {args.pg_database} would be dropped; name another")
    out = args.out.resolve()  # --revision puts the code measured here, on every process's PYTHONPATH
    out.mkdir(parents=True, exist_ok=True)
    revision = pin_revision(out, args.revision)
    synth_xml, synth_json = export_synthetic(out, args.synth_talks)
    n = args.synth_talks
    files = [
        ("36c3 (frab XML)", args.schedules / "ccc-36c3-merged_schedule.xml", "e36c3"),
        ("36c3 (C3VOC JSON)", args.schedules / "ccc-36c3-merged_schedule.json", "e36c3"),
        (f"synthetic {n} (frab XML)", synth_xml, "synth"),
        (f"synthetic {n} (C3VOC JSON)", synth_json, "synth"),
    ]
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"<!-- {now}, commit {revision()}, {os.cpu_count()} cores; median of {args.runs} runs each -->",
        "| database | file | size | talks | import, fresh DB (median, min to max) | minus `db upgrade` at head "
        "| \N{DIVISION SIGN} `db upgrade` at head | per talk | import CPU (process) | CPU minus upgrade's "
        "| peak RSS | re-import, same DB (median) | minus upgrade at head | re-import CPU minus upgrade's "
        "| re-import report |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    baselines = [
        "| database | `plenary db upgrade`, fresh DB (median, min to max) | CPU | `db upgrade` at head (median) "
        "| its CPU |",
        "|---|---:|---:|---:|---:|",
    ]
    for backend in args.backends:
        *rows, baseline = one_backend(backend, args, out, files)
        lines.extend(rows)
        baselines.append(baseline)
    text = "\n".join([*lines, "", *baselines]) + "\n"
    (out / "results.md").write_text(text)
    print(text, end="")
    return 0
