"""Plenary's benchmarks: one program, ``python -m bench COMMAND``, one module per command.

Run from the repository root with the virtualenv active; ``python -m bench --help`` lists the
commands, ``python -m bench COMMAND --help`` their options. Results and raw outputs go to
bench/out/COMMAND/ (ignored by git); bench/RESULTS.md holds the figures and the commands that made
them. See bench/README.md for how to add a command.
"""
