"""The models the live differential tests start, read from the conformance suite's test/conformance/models.json.

One server per model per implementation; `env` is given to both implementations alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict

MODELS_JSON = Path(__file__).resolve().parents[1] / "conformance" / "models.json"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    class_name: str
    service_type: str = "MODEL"
    env: Dict[str, str] = field(default_factory=dict)
    path: str = ""  # under servers.MODELS_DIR (test/conformance/models/python)


def _load() -> Dict[str, ModelSpec]:
    entries = json.loads(MODELS_JSON.read_text())
    return {e["name"]: ModelSpec(e["name"], e["model_name"], e["service_type"], e.get("env", {}), e["directory"])
            for e in entries}


SPECS = _load()
