"""Git facts about a source and clones for `--ref` and remote URLs.

Decision (docs/build-driver.md): s2i silently clones HEAD of a local repository,
so uncommitted and untracked files never reach the image (the most reported s2i
surprise). We build the working tree the user sees and warn when it differs
from HEAD; `--ref REF` gives s2i's behaviour (clone, check out REF, submodules).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from .errors import BuildError

_REMOTE = re.compile(r"^(?!file://)[a-z][a-z0-9+.-]*://|^[\w.-]+@[\w.-]+:")


@dataclass
class CommitInfo:
    """What s2i puts into the io.openshift.s2i.build.commit.* labels."""

    author: str = ""
    date: str = ""
    id: str = ""
    ref: str = ""
    message: str = ""
    location: str = ""


def is_remote_url(source: str) -> bool:
    """https://…, git://…, ssh://…, or scp-like user@host:path (not file://)."""
    return bool(_REMOTE.match(source))


def _git(args: List[str], cwd: Path) -> Optional[str]:
    """Run git; None when git is missing or the command fails."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip()


def is_repository_root(path: Path) -> bool:
    """True when path is the top of a non-bare git work tree (what s2i clones)."""
    return (path / ".git").exists() and is_inside_work_tree(path)


def is_inside_work_tree(path: Path) -> bool:
    return _git(["rev-parse", "--is-inside-work-tree"], path) == "true"


def working_tree_differs_from_head(path: Path) -> bool:
    """Uncommitted changes or untracked (not ignored) files under path."""
    status = _git(["status", "--porcelain", "--untracked-files=normal", "--", "."], path)
    return bool(status)


def commit_info(path: Path, location: str) -> CommitInfo:
    """HEAD's metadata, or an empty CommitInfo when path is not in a git work tree."""
    if not is_inside_work_tree(path):
        return CommitInfo()
    log = _git(["log", "-1", "--format=%an%x00%ae%x00%ad%x00%H%x00%s"], path)
    if not log:
        return CommitInfo(location=location)
    name, email, date, commit, message = (log.split("\x00") + [""] * 5)[:5]
    ref = _git(["rev-parse", "--abbrev-ref", "HEAD"], path) or ""
    origin = _git(["config", "--get", "remote.origin.url"], path)
    return CommitInfo(
        author=f"{name} <{email}>",
        date=date,
        id=commit,
        ref=ref,
        message=message,
        location=origin or location,
    )


def clone(source: str, destination: Path, ref: str) -> None:
    """Clone source (URL or local repository) at ref with its submodules, like s2i."""
    steps = [["clone", "--quiet", "--recurse-submodules", source, str(destination)]]
    if ref:
        steps.append(["checkout", "--quiet", ref])
        steps.append(["submodule", "update", "--quiet", "--init", "--recursive"])
    for args in steps:
        cwd = destination if args[0] != "clone" else destination.parent
        try:
            result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
        except OSError:
            raise BuildError("git is needed for --ref and remote sources but was not found") from None
        if result.returncode != 0:
            detail = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise BuildError(f"git {args[0]} failed for {source}: {detail}")
