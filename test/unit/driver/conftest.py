"""Helpers for the build-driver unit tests (no engine needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest


def write_tree(root: Path, files: Dict[str, str]) -> Path:
    """Create files (relative path -> content) under root; return root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


@pytest.fixture
def tree(tmp_path: Path):
    def make(files: Dict[str, str], name: str = "src") -> Path:
        return write_tree(tmp_path / name, files)

    return make
