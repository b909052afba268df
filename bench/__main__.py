"""``python -m bench COMMAND [options]``: the registry of benchmarks, and the entry point.

To add a benchmark, write bench/NAME.py with a docstring (its first line is the one-line help),
``add_arguments(parser)`` and ``run(args) -> int`` (the exit status), then add one line to
COMMANDS below. Only the chosen command's module is imported, so one command's imports (the
service's app, a database driver) never slow down or break another. bench/harness.py has what the
benchmarks share.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Protocol, cast

from bench.harness import BenchError

COMMANDS = {
    "schedule": "bench.schedule",
    "cached": "bench.cached",
    "feeds": "bench.feeds",
    "import": "bench.imports",
    "import-health": "bench.import_health",
    "takeaways": "bench.takeaways",
    "companion": "bench.companion",
    "live": "bench.live",
    "search": "bench.search",
    "exports": "bench.exports",
    "memory": "bench.memory",
    "growth": "bench.growth",
}
"""Command name: the module that implements it."""


class Benchmark(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def docstring(module_name: str) -> str:
    """A module's docstring, read from its source without importing it."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        raise BenchError(f"no module {module_name}")
    return ast.get_docstring(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))) or module_name


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Plenary's benchmarks. `python -m bench COMMAND --help` says what one measures and how.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    benchmark: Benchmark | None = None
    for name, module_name in COMMANDS.items():
        doc = docstring(module_name)
        sub = commands.add_parser(
            name, help=doc.split("\n", 1)[0], description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        if words and words[0] == name:
            benchmark = cast("Benchmark", importlib.import_module(module_name))
            benchmark.add_arguments(sub)
    args = parser.parse_args(words)
    if benchmark is None:
        parser.error("the command goes first")
    try:
        return benchmark.run(args)
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"python -m bench {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
