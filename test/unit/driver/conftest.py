"""Helpers for the build-driver unit tests (no engine needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from filetree import write_tree


@pytest.fixture
def tree(tmp_path: Path):
    def make(files: Dict[str, str], name: str = "src") -> Path:
        return write_tree(tmp_path / name, files)

    return make
