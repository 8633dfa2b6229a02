#!/usr/bin/env python3
"""Trim seldon-core's SeldonDeployment CRD to the schema `seldon-s2i deployment --check` validates with.

    .venv/bin/python scripts/trim-crd-schema.py path/to/seldondeployments.crd.yaml

The CRD (seldon-core v1.17.1, `operator/config/crd/bases/machinelearning.seldon.io_seldondeployments.yaml`,
Apache-2.0) is 2.5 MB, mostly descriptions. This keeps, for each served version, only the
`openAPIV3Schema` keywords validation reads (KEPT below), checks that the versions' trimmed schemas
are identical (they are in 1.17.1: v1, v1alpha2 and v1alpha3 differ only in `served`/`storage`)
and writes one schema for all of them, with the CRD's sha256, to
src/seldon_s2i/deployment/schema/seldondeployment.json. The licence stays beside it (LICENSE).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUTPUT = Path(__file__).resolve().parents[1] / "src" / "seldon_s2i" / "deployment" / "schema" / "seldondeployment.json"
SOURCE = "seldon-core v1.17.1 operator/config/crd/bases/machinelearning.seldon.io_seldondeployments.yaml (Apache-2.0)"
KEPT = {"type", "properties", "items", "required", "additionalProperties", "anyOf", "pattern", "format",
        "nullable", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"}


def trim(node: Any) -> Any:
    """The schema with only KEPT keywords (a `properties` map keeps every field name)."""
    if isinstance(node, list):
        return [trim(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "properties":
            result[key] = {name: trim(child) for name, child in value.items()}
        elif key in KEPT:
            result[key] = trim(value)
    return result


def main(argv: list) -> int:
    if len(argv) != 1:
        print("ERROR: usage: trim-crd-schema.py path/to/seldondeployments.crd.yaml", file=sys.stderr)
        return 2
    raw = Path(argv[0]).read_bytes()
    crd = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    versions = [v for v in crd["spec"]["versions"] if v.get("served")]
    schemas = {v["name"]: trim(v["schema"]["openAPIV3Schema"]) for v in versions}
    first = next(iter(schemas.values()))
    if any(schema != first for schema in schemas.values()):
        print("ERROR: the CRD's versions have different schemas: store one per version", file=sys.stderr)
        return 1
    document = {"source": SOURCE, "crd_sha256": hashlib.sha256(raw).hexdigest(),
                "group": crd["spec"]["group"], "kind": crd["spec"]["names"]["kind"],
                "versions": sorted(schemas), "openAPIV3Schema": first}
    OUTPUT.write_text(json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes) for {', '.join(sorted(schemas))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
