"""`.s2iignore`: remove files from the uploaded source before the build.

Semantics of s2i's pkg/ignore (a .dockerignore look-alike, *not* .gitignore):
- one pattern per line, trimmed of spaces; lines starting with `#` are comments;
- a pattern is a Go `filepath.Glob` relative to the source root: `*` and `?` never
  cross `/`, and patterns are NOT recursive (`*.pyc` only matches top-level files;
  write `sub/*.pyc` for a sub directory);
- `!pattern` keeps files that an *earlier* line selected (a later positive line
  can select them again);
- every selected path is removed with everything under it.
We skip empty lines (an empty pattern in s2i selects the whole source directory).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from pathlib import Path
from typing import Dict, List

IGNORE_FILE = ".s2iignore"


def _components(pattern: str) -> List[str]:
    """Split a pattern like filepath.Join would clean it ("./a//b/" -> [a, b])."""
    return [part for part in pattern.split("/") if part not in ("", ".")]


def _component_matches(pattern: str, name: str) -> bool:
    # Go negates a class with `[^...]`, fnmatch with `[!...]`.
    return fnmatch.fnmatchcase(name, pattern.replace("[^", "[!"))


def _has_magic(part: str) -> bool:
    return any(ch in part for ch in "*?[")


def glob_relative(root: Path, pattern: str) -> List[str]:
    """Paths (relative, `/`-separated) under root matching a Go-style glob."""
    parts = _components(pattern)
    if not parts or ".." in parts:
        return []
    candidates = [""]
    for part in parts:
        next_candidates = []
        for rel in candidates:
            directory = root / rel if rel else root
            if not _has_magic(part):
                if os.path.lexists(directory / part):
                    next_candidates.append(f"{rel}/{part}" if rel else part)
                continue
            if not directory.is_dir() or directory.is_symlink():
                continue
            for name in sorted(os.listdir(directory)):
                if _component_matches(part, name):
                    next_candidates.append(f"{rel}/{name}" if rel else name)
        candidates = next_candidates
    return candidates


def path_matches(pattern: str, rel_path: str) -> bool:
    """Go filepath.Match of a whole relative path: same depth, each part matches."""
    pattern_parts = _components(pattern)
    path_parts = rel_path.split("/")
    return len(pattern_parts) == len(path_parts) and all(
        _component_matches(p, n) for p, n in zip(pattern_parts, path_parts)
    )


def files_to_ignore(root: Path, text: str) -> List[str]:
    """Apply the lines of a .s2iignore to the tree at root; return what to remove."""
    selected: Dict[str, None] = {}
    for raw in text.splitlines():
        spec = raw.strip(" ")
        if not spec or spec.startswith("#"):
            continue
        if spec.startswith("!"):
            keep = spec[1:]
            for candidate in [c for c in selected if path_matches(keep, c)]:
                del selected[candidate]
            continue
        for match in glob_relative(root, spec):
            selected[match] = None
    return list(selected)


def apply_s2iignore(root: Path) -> List[str]:
    """Remove what `<root>/.s2iignore` selects; return the removed relative paths."""
    ignore_file = root / IGNORE_FILE
    if not ignore_file.is_file():
        return []
    removed = files_to_ignore(root, ignore_file.read_text(encoding="utf-8", errors="replace"))
    for rel in removed:
        path = root / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path):
            path.unlink()
    return removed
