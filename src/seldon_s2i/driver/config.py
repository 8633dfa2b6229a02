"""Every option of `seldon-s2i build`, in one place.

The CLI fills a BuildConfig; the driver and the Dockerfile generator only read it.
Parsing helpers for the repeatable flags (-e, -i) live here so that a bad value
is reported with the flag's name before anything touches the engine, as a
UsageError (exit 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from .errors import UsageError

DEFAULT_EXCLUDE = r"(^|/)\.git(/|$)"
PULL_POLICIES = ("always", "never", "if-not-present")
DEFAULT_IMAGE_SCRIPTS_URL = "image:///usr/libexec/s2i"

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Injection:
    """`-i SRC:DST`: a host file or directory visible only while assemble runs."""

    source: str
    destination: str


@dataclass
class BuildConfig:
    source: str
    builder: str
    tag: str
    env: List[Tuple[str, str]] = field(default_factory=list)
    environment_files: List[str] = field(default_factory=list)
    incremental: bool = False
    incremental_pull_policy: str = "if-not-present"
    injections: List[Injection] = field(default_factory=list)
    network: Optional[str] = None
    pull_policy: str = "if-not-present"
    context_dir: str = ""
    assemble_user: str = ""
    scripts_url: str = ""
    image_scripts_url: str = DEFAULT_IMAGE_SCRIPTS_URL
    destination: str = ""
    exclude: str = DEFAULT_EXCLUDE
    copy: bool = False
    ref: str = ""
    remove_previous: bool = False
    quiet: bool = False
    description: str = ""
    application_name: str = ""
    as_dockerfile: str = ""


def parse_env_flag(value: str) -> Tuple[str, str]:
    """Parse one `-e NAME=VALUE`. The value is kept literally, as s2i does."""
    name, sep, rest = value.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UsageError(f"-e/--env expects NAME=VALUE, got {value!r}")
    if not _ENV_NAME.match(name):
        raise UsageError(f"-e/--env: {name!r} is not a valid variable name")
    return name, rest


def parse_injection(value: str) -> Injection:
    """Parse one `-i SRC:DST` (DST defaults to "." = the builder's WORKDIR)."""
    source, sep, destination = value.partition(":")
    if not source:
        raise UsageError(f"-i/--inject expects SRC:DST, got {value!r}")
    return Injection(source=source, destination=destination if sep and destination else ".")


def check_pull_policy(flag: str, value: str) -> str:
    if value not in PULL_POLICIES:
        raise UsageError(f"{flag} must be one of {', '.join(PULL_POLICIES)}, got {value!r}")
    return value


def compile_exclude(pattern: str) -> Optional[re.Pattern[str]]:
    """The --exclude regex; an empty pattern excludes nothing (s2i semantics)."""
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"--exclude is not a valid regular expression: {exc}") from None
