"""One line, one prefix for every user-facing failure of every subcommand (STYLE.md item 8).

`build`, `usage` (seldon_s2i.driver) and `serve` (seldon_s2i.runtime.serve) all report a user's
mistake as a single `ERROR: <cause and fix>` line on stderr and exit non-zero, never a traceback.
This module has no dependencies, so both wings may import it without importing each other.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

PREFIX = "ERROR: "
# Exit status of a command-line usage error (argparse's own).
USAGE_EXIT = 2


def report(message: str) -> None:
    """Print MESSAGE as the single `ERROR: ...` line on stderr."""
    print(f"{PREFIX}{message}", file=sys.stderr, flush=True)


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but an error is one `ERROR:` line (argparse prints the usage first) and exit 2."""

    def error(self, message: str) -> NoReturn:
        report(f"{message} (see `{self.prog} --help`)")
        sys.exit(USAGE_EXIT)
