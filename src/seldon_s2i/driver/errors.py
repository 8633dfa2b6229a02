"""The one exception type a user is meant to see.

Everything the user can cause (a missing directory, a typo in -e, a failed
assemble) is raised as BuildError and printed by the CLI as a single line, never
as a traceback. Bugs in the driver stay ordinary exceptions.
"""

from __future__ import annotations

from ..usererror import USAGE_EXIT


class BuildError(Exception):
    """A failure caused by the user's input or environment.

    `message` is printed as one line prefixed with "ERROR: "; `exit_code` is
    what the CLI exits with: 1 for a failed build (as s2i), 2 for a
    UsageError.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class UsageError(BuildError):
    """A command line that can never work (a missing TAG, a value of the wrong form).

    Exits 2 (`usererror.USAGE_EXIT`), like argparse's own errors, before anything runs.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=USAGE_EXIT)


class AssembleFailed(BuildError):
    """The assemble script exited non-zero.

    s2i prints "Build failed" and "ERROR: An error occurred: non-zero (13) exit code
    from <builder>", where 13 is an internal constant, not the script's status.
    We keep the text (scripts grep for it) and append the real status.
    """

    def __init__(self, builder: str, status: int) -> None:
        super().__init__(
            f"An error occurred: non-zero (13) exit code from {builder} "
            f"(assemble exited with status {status})"
        )
        self.builder = builder
        self.status = status
