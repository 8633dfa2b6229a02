"""The start-up differences list stays honest: every entry names a real start-up case and a section of the doc.

(The REST/gRPC deviations are checked by test/conformance/test_conformance.py.)"""

from pathlib import Path

import test_startup
from differences import ALLOWED

DOC = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"


def test_every_allowed_difference_names_a_startup_case():
    assert sorted(set(ALLOWED) - set(test_startup.CASES)) == []


def test_every_allowed_difference_points_at_the_compatibility_doc():
    text = DOC.read_text()
    for case_id, difference in ALLOWED.items():
        assert difference.doc.startswith("docs/compatibility.md § "), case_id
        section = difference.doc.split("§ ", 1)[1].split(":", 1)[0]
        assert f"## {section}" in text, f"{case_id}: no section '{section}' in {DOC.name}"
        assert difference.ours_start == "serves" or difference.ours_start.startswith("exit "), case_id
