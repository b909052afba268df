"""wrk's report (run with ``--latency``) parsed, and the Markdown cells the benchmarks' tables share.

The "vs ceiling" column is a run's requests/sec as a percentage of the ceiling run's (``GET /health``,
measured moments before on the same server), which makes figures from a noisy, shared machine
comparable between runs. Errors are wrk's non-2xx/3xx responses and socket errors.

The "others' CPU" column comes from the CPU accounting that ``bench.harness.run_wrk`` takes around
each wrk run (also written next to wrk's output as ``NAME.cpu``: ``key value`` lines ``elapsed``,
``busy``, ``server``, ``wrk``, ``other``, ``steal``, in seconds): the CPU that processes other than
the server and wrk used during the run, in cores (``other`` / ``elapsed``). On a 2-core machine, 0.9
means some other job took about half of it. The "server CPU/req" column is the server's CPU time
(all its threads) during the run divided by the requests wrk completed: what one request costs,
which other jobs on the machine change much less than they change req/s. It slightly overstates
the cost when requests are long, since the work on those still in flight when wrk stops is counted
but they are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NONE = "n/a"
COLUMNS = (
    "N",
    "endpoint",
    "conns",
    "requests",
    "req/s",
    "p50",
    "p99",
    "vs ceiling",
    "body",
    "errors",
    "server CPU/req",
    "others' CPU",
)

_TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_RPS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_SETUP = re.compile(r"^\s+(\d+) threads and (\d+) connections", re.MULTILINE)
_TOTAL = re.compile(r"^\s+(\d+) requests in ([0-9.]+)(us|ms|s|m|h)", re.MULTILINE)
_NON_2XX = re.compile(r"^\s+Non-2xx or 3xx responses:\s+(\d+)", re.MULTILINE)
_SOCKET = re.compile(r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE)


class WrkParseError(ValueError):
    """The text is not the output of a finished ``wrk --latency`` run."""


@dataclass(frozen=True, slots=True)
class CpuUse:
    """Seconds of CPU used during one wrk run, all cores together, and the run's wall time.

    ``database`` is PostgreSQL's CPU (its postmaster and every backend), None when the database
    works inside the server process (SQLite) or its reading was caught mid-change; ``counts`` holds
    other counters read around the run (processes forked, database sessions opened).
    """

    elapsed: float
    busy: float
    server: float
    wrk: float
    other: float
    steal: float
    database: float | None = None
    counts: tuple[tuple[str, int], ...] = ()

    @property
    def other_cores(self) -> float:
        return self.other / self.elapsed if self.elapsed > 0 else 0.0

    def text(self) -> str:
        """The ``key value`` lines of the run's ``.cpu`` file."""
        lines = [
            f"{key} {value:.3f}"
            for key, value in (
                ("elapsed", self.elapsed),
                ("busy", self.busy),
                ("server", self.server),
                ("wrk", self.wrk),
                ("other", self.other),
                ("steal", self.steal),
            )
        ]
        if self.database is not None:
            lines.append(f"database {self.database:.3f}")
        lines.extend(f"{key} {value}" for key, value in self.counts)
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests_per_sec: float
    p50_ms: float
    p99_ms: float
    requests: int
    connections: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


def _ms(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS[unit]


def parse_wrk(text: str) -> WrkResult:
    rps = _RPS.search(text)
    if rps is None:
        raise WrkParseError("no 'Requests/sec:' line")
    percentiles = {int(p): _ms(v, u) for p, v, u in _PERCENTILE.findall(text)}
    if 50 not in percentiles or 99 not in percentiles:
        raise WrkParseError("no latency distribution (was wrk run with --latency?)")
    total = _TOTAL.search(text)
    setup = _SETUP.search(text)
    non_2xx = _NON_2XX.search(text)
    socket = _SOCKET.search(text)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True)) if socket else {}
    )
    return WrkResult(
        requests_per_sec=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total.group(1)) if total else 0,
        connections=int(setup.group(2)) if setup else 0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors={k: v for k, v in socket_errors.items() if v},
    )


def format_ms(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} µs"
    if value < 100:
        return f"{value:.1f} ms"
    if value < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.2f} s"


def format_bytes(size: int | None) -> str:
    if size is None:
        return NONE
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.2f} MiB"


def format_cores(cpu: CpuUse | None) -> str:
    return NONE if cpu is None else f"{cpu.other_cores:.2f}"


def format_cpu_per_request(cpu: CpuUse | None, requests: int) -> str:
    return NONE if cpu is None or requests == 0 else format_ms(cpu.server * 1000 / requests)


def format_rps(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def format_percent(ratio: float) -> str:
    """Two significant digits, so that 0.0031 % stays readable next to 100 %."""
    percent = ratio * 100
    return f"{percent:.0f} %" if percent >= 10 else f"{percent:#.2g} %"


def format_errors(result: WrkResult) -> str:
    parts = []
    if result.non_2xx_3xx:
        parts.append(f"{result.non_2xx_3xx} non-2xx/3xx")
    parts.extend(f"{count} {kind}" for kind, count in result.socket_errors.items())
    return ", ".join(parts) if parts else "0"


def header() -> str:
    return "\n".join(
        ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---:", "---", *["---:"] * (len(COLUMNS) - 2)]) + "|"]
    )


def row(
    result: WrkResult,
    *,
    talks: int,
    endpoint: str,
    ceiling: WrkResult | None,
    body_bytes: int | None,
    cpu: CpuUse | None = None,
) -> str:
    ratio = (
        format_percent(result.requests_per_sec / ceiling.requests_per_sec)
        if ceiling is not None and ceiling.requests_per_sec > 0
        else NONE
    )
    cells = (
        str(talks),
        endpoint,
        str(result.connections),
        f"{result.requests:,}",
        format_rps(result.requests_per_sec),
        format_ms(result.p50_ms) if result.requests else NONE,
        format_ms(result.p99_ms) if result.requests else NONE,
        ratio,
        format_bytes(body_bytes),
        format_errors(result),
        format_cpu_per_request(cpu, result.requests),
        format_cores(cpu),
    )
    return "| " + " | ".join(cells) + " |"
