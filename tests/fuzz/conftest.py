"""The fuzz runs' marker, and a summary of the cases they sent per route at the end of the run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

_RUNS: list[FuzzRun] = []


@dataclass
class FuzzRun:
    backend: str
    credentials: str
    routes: dict[str, Counter[str]]
    """Requests per operation (``GET /events``), by status class."""
    passed: bool


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fuzz: schemathesis against the running app (a few minutes; deselect with -m 'not fuzz')"
    )


@pytest.fixture
def fuzz_runs() -> list[FuzzRun]:
    return _RUNS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Cases per route, per credential set: the CI log's record of what the fuzzing covered."""
    for run in _RUNS:
        total = sum(sum(counts.values()) for counts in run.routes.values())
        verdict = "passed" if run.passed else "FAILED"
        terminalreporter.write_sep("-", f"schemathesis on {run.backend} as {run.credentials}: {total} cases, {verdict}")
        for route in sorted(run.routes, key=lambda label: (label.split(" ", 1)[-1], label)):
            counts = run.routes[route]
            by_class = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
            terminalreporter.write_line(f"{sum(counts.values()):6d}  {route}  ({by_class})")
