"""Differential REST tests: every case of cases_rest.py sent to the reference and to ours; same status,
same Content-Type and CORS headers, same JSON body."""

from __future__ import annotations

import pytest

from cases_rest import CASES, RestCase
from compare import is_seldon_status, parsed, send
from differences import ALLOWED

PARAMS = [pytest.param(case, id=case.id, marks=pytest.mark.model(case.model)) for case in CASES]


@pytest.mark.parametrize("case", PARAMS)
def test_rest_case(case: RestCase, pair):
    drop_puid = not case.request_has_puid()
    reference = parsed(send(pair.reference.base_url, case), drop_puid)
    ours = parsed(send(pair.ours.base_url, case), drop_puid)
    difference = ALLOWED.get(case.id)
    if difference is None:
        assert ours == reference, f"ours differs from the reference (not listed in differences.py)"
        return
    assert ours != reference, f"listed as a difference ({difference.doc}) but both answer the same: remove the entry"
    assert ours[0] == difference.ours_status, f"{difference.doc}: ours answered {ours}"
    if ours[0] >= 400:
        assert is_seldon_status(ours[2]), ours
