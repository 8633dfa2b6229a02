"""Differential gRPC tests: same status code, details and response message (as JSON) from both implementations."""

from __future__ import annotations

import pytest

from cases_grpc import CASES, GrpcCase
from compare import without_addresses, without_puid
from differences import ALLOWED
from servers import OURS, REFERENCE

PARAMS = [pytest.param(case, id=case.id, marks=pytest.mark.model(case.model)) for case in CASES]


def answer(pair, impl: str, case: GrpcCase):
    code, details, body = pair.grpc(impl).call(case.service, case.rpc, case.request)
    if "puid" not in str(case.request):
        body = without_puid(body)
    return code, details, without_addresses(body)


@pytest.mark.parametrize("case", PARAMS)
def test_grpc_case(case: GrpcCase, pair):
    reference = answer(pair, REFERENCE, case)
    ours = answer(pair, OURS, case)
    difference = ALLOWED.get(case.id)
    if difference is None:
        assert ours == reference, "ours differs from the reference (not listed in differences.py)"
        return
    assert ours != reference, f"listed as a difference ({difference.doc}) but both answer the same: remove the entry"
    assert ours[0] == difference.ours_grpc_code, f"{difference.doc}: ours answered {ours}"
