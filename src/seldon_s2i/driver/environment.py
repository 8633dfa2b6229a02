"""The build environment: `.s2i/environment`, then `-e`, then `-E` (last wins).

Parsing is seldon_s2i.envfile's job (s2i-exact, literal values). This module
only decides the precedence, reads the files with clear errors, and lints values
that look quoted, because s2i keeps the quotes as part of the value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

from .. import envfile
from . import console
from .errors import BuildError

EnvList = envfile.EnvList


def _looks_quoted(value: str) -> bool:
    return len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'"


def lint(origin: str, variables: Iterable[Tuple[str, str]]) -> List[str]:
    """Warnings for values wrapped in quotes (s2i passes the quotes through)."""
    return [
        f"{origin}: {name}={value} keeps its quotes (s2i passes values literally)"
        for name, value in variables
        if _looks_quoted(value)
    ]


def read_environment_file(path: str) -> EnvList:
    """Read one `-E/--environment-file`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"environment file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(f"cannot read environment file {path}: {exc}") from None
    return envfile.parse_environment_file_option(text)


def read_source_environment(source_dir: Path) -> EnvList:
    """Read `<source>/.s2i/environment` (after --context-dir), if present."""
    try:
        # named as the user knows it, not by the path of the build's copy
        return envfile.read_source_environment(source_dir, shown="the source's .s2i/environment")
    except envfile.EnvironmentFileError as exc:
        raise BuildError(str(exc)) from None


def build_environment(source_dir: Path, cli_env: EnvList, environment_files: Sequence[str]) -> EnvList:
    """Merge the three sources in s2i's order and print lint warnings."""
    from_source = read_source_environment(source_dir)
    from_files: EnvList = []
    for path in environment_files:
        from_files.extend(read_environment_file(path))
    for warning in lint(".s2i/environment", from_source) + lint("-E", from_files):
        console.warn(warning)
    return envfile.merge(from_source, cli_env, from_files)
