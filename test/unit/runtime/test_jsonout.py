"""jsonout.dumps must equal the reference's Flask-jsonify bytes (json.dumps sorted/compact/ASCII + \n)."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seldon_s2i.runtime import jsonout


def reference(obj):
    def default(o):
        return o.tolist()
    return (json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=default) + "\n").encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_matches_reference_for_any_json(value):
    assert jsonout.dumps({"jsonData": value, "meta": {}}) == reference({"jsonData": value, "meta": {}})


def test_non_ascii_and_del_escaped_like_reference():
    value = {"s": "caf\u00e9 \U0001f600 \x7f \u2028 \x01"}
    assert jsonout.dumps(value) == reference(value)


def test_nan_and_tiny_floats_exact():
    arr = np.array([math.nan, 1.5e-7, 0.5, -math.inf])
    assert jsonout.dumps({"v": jsonout.to_json_array(arr)}) == reference({"v": arr.tolist()})
    big = np.linspace(0, 1, 1000)
    big[500] = 3e-6
    assert jsonout.dumps({"v": jsonout.to_json_array(big)}) == reference({"v": big.tolist()})


def test_numpy_arrays_match_tolist():
    rng = np.random.default_rng(1)
    for arr in (rng.integers(0, 255, (4, 5, 3), dtype=np.uint8), rng.random((3, 3)),
                rng.random(5).astype(np.float32), np.array([True, False]), rng.integers(-5, 5, 7),
                rng.random((4, 4))[:, ::-1]):
        assert jsonout.dumps({"a": jsonout.to_json_array(arr)}) == reference({"a": arr.tolist()})


def test_float32_widened_like_reference():
    out = jsonout.dumps({"a": jsonout.to_json_array(np.array([0.1], dtype=np.float32))})
    assert out == b'{"a":[0.10000000149011612]}\n'
