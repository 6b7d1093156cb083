"""The `pgqrs` console script: runs the command-line tool built with the package (pgqrs/_bin/pgqrs).

The tool is the C++ binary (docs/cli.md); this only replaces the Python process with it, passing the arguments
through, so its output, exit codes and signals are the binary's own.
"""

from __future__ import annotations

import os
import pathlib
import sys


def binary() -> pathlib.Path:
    """Where the wheel installed the tool."""
    return pathlib.Path(__file__).resolve().parent / "_bin" / "pgqrs"


def main() -> None:
    path = binary()
    if not os.access(path, os.X_OK):
        sys.stderr.write(f"pgqrs: the command-line tool is missing from this installation ({path})\n")
        sys.exit(1)
    os.execv(path, [str(path), *sys.argv[1:]])
