"""Produce `upload/src`: the exact tree that lands in `<destination>/src`.

Order, as in s2i: obtain the source (working tree, or a clone for --ref and
remote URLs), descend into --context-dir, copy while skipping paths that match
--exclude (default: any `.git`), then apply `.s2iignore`.
The --exclude regex is matched against `/`-separated paths relative to the
context directory (s2i matches absolute host paths; the default behaves the same).
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

from . import console, gitsource
from .config import BuildConfig, compile_exclude
from .errors import BuildError
from .gitsource import CommitInfo
from .ignore import apply_s2iignore


@dataclass
class PreparedSource:
    commit: CommitInfo
    location: str



def _not_a_directory(path: Path, given: str) -> str:
    """The one-line cause for a SRC that is not a directory: missing, or a file."""
    if path.exists():
        return f"source {given} is not a directory: give the model's source directory (or a Git URL)"
    return f"source directory not found: {given}"

def _strip_file_scheme(source: str) -> str:
    return source[len("file://"):] if source.startswith("file://") else source


def _copy_tree(root: Path, target: Path, exclude_pattern: str) -> None:
    exclude = compile_exclude(exclude_pattern)

    def skipped(directory: str, names: List[str]) -> List[str]:
        result = []
        for name in names:
            full = os.path.join(directory, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            mode = os.lstat(full).st_mode
            special = not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode))
            if special or (exclude is not None and exclude.search(rel)):
                result.append(name)
        return result

    try:
        shutil.copytree(root, target, symlinks=True, ignore=skipped, dirs_exist_ok=True)
    except shutil.Error as exc:  # one (source, target, reason) per file that failed
        failures = exc.args[0]
        first_source, _, reason = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise BuildError(f"cannot copy the source {root}: {first_source}: {reason}{more}; "
                         "check that you may read every file of the source") from None
    except OSError as exc:
        raise BuildError(f"cannot copy the source {root}: {exc.filename}: {exc.strerror}; "
                         "check that you may read every file of the source") from None


def _warn_if_dirty(path: Path) -> None:
    if gitsource.is_repository_root(path) and gitsource.working_tree_differs_from_head(path):
        console.warn(
            f"{path} has uncommitted changes or untracked files: building the working tree "
            "as it is (s2i would build the last commit only; use --ref HEAD for that)"
        )


def obtain_source(config: BuildConfig, work_dir: Path) -> Tuple[Path, str]:
    """Return (root directory to build from, source location for the labels)."""
    source = _strip_file_scheme(config.source)
    if gitsource.is_remote_url(source):
        clone_dir = work_dir / "clone"
        gitsource.clone(source, clone_dir, config.ref)
        return clone_dir, source
    path = Path(source).expanduser()
    if not path.is_dir():
        raise BuildError(_not_a_directory(path, config.source))
    path = path.resolve()
    if config.ref:
        if not gitsource.is_repository_root(path):
            raise BuildError(f"--ref needs a git repository, and {path} is not the top of one")
        clone_dir = work_dir / "clone"
        gitsource.clone(str(path), clone_dir, config.ref)
        return clone_dir, str(path)
    if not config.copy:
        _warn_if_dirty(path)
    return path, str(path)


def prepare_source(config: BuildConfig, work_dir: Path, upload_src: Path) -> PreparedSource:
    """Fill upload_src from the configured source; return it with git facts."""
    root, location = obtain_source(config, work_dir)
    commit = gitsource.commit_info(root, location)
    context = root
    if config.context_dir:
        context = (root / config.context_dir).resolve()
        if not context.is_dir() or root.resolve() not in (context, *context.parents):
            raise BuildError(f"context directory not found in the source: {config.context_dir}")
    upload_src.mkdir(parents=True, exist_ok=True)
    _copy_tree(context, upload_src, config.exclude)
    apply_s2iignore(upload_src)
    return PreparedSource(commit=commit, location=location)


def preflight(config: BuildConfig) -> None:
    """Check the user's local inputs before contacting the engine (fast, clear errors)."""
    source = _strip_file_scheme(config.source)
    if not gitsource.is_remote_url(source):
        path = Path(source).expanduser()
        if not path.is_dir():
            raise BuildError(_not_a_directory(path, config.source))
        if config.context_dir and not config.ref and not (path / config.context_dir).is_dir():
            raise BuildError(f"context directory not found in the source: {config.context_dir}")
    for injection in config.injections:
        if not os.path.exists(injection.source):
            raise BuildError(f"inject source not found: {injection.source}")
    for env_file in config.environment_files:
        if Path(env_file).is_dir():
            raise BuildError(f"environment file {env_file} is a directory: -E takes a file of NAME=VALUE lines")
        if not Path(env_file).is_file():
            raise BuildError(f"environment file not found: {env_file}")
