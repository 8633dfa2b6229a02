"""Write a small file tree for a test: {relative path: text} under a folder.

Shared by the unit and integration folders: pytest puts test/ on sys.path because
test/conftest.py lives there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict


def write_tree(root: Path, files: Dict[str, str]) -> Path:
    """Create files (relative path -> content) under root; return root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root
