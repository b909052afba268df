"""The machine, from /proc: CPU used by it, by one process or a process tree; waits for quiet.

The machine is small and shared, so every benchmark measures what else ran meanwhile, and waits
(up to a limit) for other work to calm down before it measures.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
QUIET_CORES = 0.15
"""Below this many busy cores for 5 s, the machine counts as quiet."""
OTHER_BENCHMARKS = ("schedule", "feeds", "import")
"""Commands that load the machine enough that the takeaways benchmark waits for them to finish."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine_cpu() -> tuple[int, int]:
    """Busy and stolen jiffies of the whole machine (all cores), from the first line of /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return user + nice + system + irq + softirq, steal


def forks() -> int:
    """Processes and threads created on the machine so far (the "processes" line of /proc/stat)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("processes "):
            return int(line.split()[1])
    return 0


def _stat(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name: [0] is field 3 (state)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()


def process_cpu(pid: int) -> int:
    """utime + stime of one process, all its threads, in jiffies."""
    fields = _stat(pid)
    return int(fields[11]) + int(fields[12])


def descendants(pid: int) -> list[int]:
    """The process and all its descendants, parents before children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue  # gone meanwhile
    found, index = [pid], 0
    while index < len(found):
        found.extend(children.get(found[index], []))
        index += 1
    return found


def tree_cpu(pid: int) -> int:
    """CPU so far, in jiffies, of the process and its descendants, running or exited and reaped.

    Running ones count utime + stime, exited ones are in their parent's cutime + cstime. Children
    are read before their parent: one that exits and is reaped meanwhile is then found in its
    parent's figures instead of being missed (read parent first, it was missed now and then, and
    a difference came out negative). PostgreSQL forks a backend per connection, and a server's pool
    opens and closes connections under load, so processes come and go between two readings.
    """
    total = 0
    for member in reversed(descendants(pid)):
        try:
            fields = _stat(member)
        except OSError:
            continue
        total += sum(int(fields[k]) for k in (11, 12, 13, 14))
    return total


def oldest_process(name: str) -> int | None:
    """The oldest process with this command name (PostgreSQL's postmaster for "postgres")."""
    best: tuple[int, int] | None = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != name:
                continue
            started = int(_stat(int(entry.name))[19])
        except (OSError, IndexError):
            continue
        if best is None or started < best[0]:
            best = (started, int(entry.name))
    return None if best is None else best[1]


def wait_quiet(limit: int) -> None:
    """Until the whole machine used under 0.15 of a core for 5 s, at most ``limit`` seconds."""
    waited, busy = 0, 0.0
    while waited < limit:
        before = machine_cpu()[0]
        time.sleep(5)
        waited += 5
        busy = (machine_cpu()[0] - before) / CLOCK_TICKS / 5
        if busy < QUIET_CORES:
            if waited > 5:
                say(f"  the machine was busy; waited {waited}s for it to calm down")
            return
    if limit:
        say(f"  the machine is still busy ({busy:.2f} cores) after {limit}s; measuring anyway")


def _command_lines() -> list[tuple[int, list[str]]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                found.append((int(entry.name), (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")))
            except OSError:
                continue
    return found


def _another_benchmark() -> bool:
    for _, words in _command_lines():
        joined = " ".join(words)
        if any(f"-m bench {name}" in joined for name in OTHER_BENCHMARKS):
            return True
    return False


def _a_test_run() -> bool:
    return any("pytest" in " ".join(words) for _, words in _command_lines())


def others_running(limit: int) -> None:
    """Let other benchmarks (up to ``limit`` seconds) and test runs (up to 300) finish first."""
    for busy, what, most in (
        (_another_benchmark, "another benchmark", limit),
        (_a_test_run, "a test run", min(limit, 300)),
    ):
        waited = 0
        while waited < most and busy():
            if waited == 0:
                say(f"waiting for {what} to finish")
            time.sleep(20)
            waited += 20
