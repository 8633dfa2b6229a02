"""Helpers for the deployment unit tests: model source directories (no engine needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest


@pytest.fixture
def source_dir(tmp_path: Path) -> Callable[..., Path]:
    """source_dir(name, SERVICE_TYPE=..., API_TYPE=...): a directory with that .s2i/environment."""

    def make(name: str, **env: str) -> Path:
        directory = tmp_path / name
        (directory / ".s2i").mkdir(parents=True)
        lines = [f"MODEL_NAME={name.title().replace('-', '')}", *(f"{key}={value}" for key, value in env.items())]
        (directory / ".s2i" / "environment").write_text("\n".join(lines) + "\n")
        return directory

    return make
