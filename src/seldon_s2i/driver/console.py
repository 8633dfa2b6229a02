"""How the driver talks to the user.

Driver messages and warnings go to stderr so that stdout carries only the
assemble script's own output (which `-q/--quiet` suppresses, as in s2i).
"""

from __future__ import annotations

import sys

from .. import usererror


def info(message: str) -> None:
    """A progress line from the driver itself."""
    print(message, file=sys.stderr, flush=True)


def warn(message: str) -> None:
    """Something the user should know about but that does not stop the build."""
    print(f"WARNING: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    """The single line printed for a BuildError (the prefix every subcommand shares)."""
    usererror.report(message)
