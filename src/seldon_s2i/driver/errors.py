"""The one exception type a user is meant to see.

Everything the user can cause (a missing directory, a typo in -e, a failed
assemble) is raised as BuildError and printed by the CLI as a single line, never
as a traceback. Bugs in the driver stay ordinary exceptions.
"""

from __future__ import annotations


class BuildError(Exception):
    """A failure caused by the user's input or environment.

    `message` is printed as one line prefixed with "ERROR: "; `exit_code` is
    what the CLI exits with (s2i exits 1 for almost everything).
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


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
