"""The start-up cases where our runtime deliberately behaves differently from seldon-core 1.17.1.

Deviations of REST and gRPC answers live with their cases, as data (test/conformance/cases/*.json, key
`deviation`): one source of truth for every wrapper of the family. Start-up needs the live reference, so its few
deviations stay here. Each entry points at the paragraph of docs/compatibility.md that documents it; test_startup.py
asserts that the two outcomes DO differ (a stale entry fails) and that ours is what the doc promises.
"""

from __future__ import annotations

from dataclasses import dataclass

DOC = "docs/compatibility.md"


@dataclass(frozen=True)
class Difference:
    doc: str  # where in docs/compatibility.md
    reason: str
    ours_start: str  # what ours must do: "serves" or "exit N"


ALLOWED = {
    "startup-output-transformer": Difference(
        f"{DOC} § The spec's quirks (§9): kept or dropped (quirk 7)",
        "the reference's argparse rejects OUTPUT_TRANSFORMER (exit 2); ours accepts it", "serves"),
    "startup-legacy-api-type": Difference(
        f"{DOC} § Process model, metrics, start-up: 'Legacy positional API type'",
        "the reference exits 255 on `MyModel REST`; ours reads it as API_TYPE", "serves"),
}
