"""JSON bodies byte-identical to Flask 2.2 `jsonify` (what seldon-core 1.17.1 sends), but fast.

The reference output is `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`
plus a trailing newline, after numpy arrays were turned into Python lists. That costs ~0.9 s for
the walkthrough's 3.7 M-value image. orjson serialises numpy arrays directly in a few ms, and its
output equals the reference's except in three places, each handled here:

* non-ASCII characters are emitted raw (reference: `\\uXXXX`, surrogate pairs above U+FFFF, and
  U+007F escaped too): fixed by a post-pass that escapes them, which is exact because such bytes
  can only occur inside JSON strings;
* NaN/Infinity become `null` (reference: bare `NaN`/`Infinity`), and floats that Python writes in
  exponent notation (0 < |x| < 1e-4 or |x| >= 1e16) are spelled differently, and differently again
  by other orjson versions (`1.5e-7` vs `1.5e-07`, `0.00001` vs `1e-05`, `1e16` vs `1e+16`): such
  documents take the exact (stdlib json) path; the check is vectorised for numpy arrays;
* float32/float16 arrays are printed by orjson at their own precision (`0.1`); the reference widens
  them to Python floats first (`0.10000000149011612`): `to_json_array` widens them too.

Anything orjson refuses (ints beyond 64 bits, non-string keys, exotic numpy dtypes) also takes the
exact path, so the two paths never disagree about what is valid. Values JSON has no type for
(numpy values, datetimes, Decimal, UUID, dataclasses, bytes, ...) take the exact path too, where
`encoding.default` converts them: the same rules as the gRPC transport.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import orjson

from seldon_s2i.runtime import encoding

_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_TINY = 1e-4
_HUGE = 1e16
_SMALL_ARRAY = 64
_NON_ASCII = re.compile("[\x7f-\U0010ffff]")
# dtypes orjson serialises natively with the same digits as Python's float()/int() of each element.
_ORJSON_NATIVE_KINDS = frozenset("iub")


def to_json_array(arr: np.ndarray) -> np.ndarray:
    """Return an array orjson can serialise exactly like `arr.tolist()` would be by json.dumps.

    orjson needs C-contiguous arrays of a supported dtype; narrower floats are widened to float64
    because the reference prints their float64 value.
    """
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype != np.float64:
        if arr.dtype.itemsize > 8:  # long double: no exact float64 form; let the exact path decide
            return arr
        arr = arr.astype(np.float64)
    elif kind not in _ORJSON_NATIVE_KINDS and kind != "f":
        return arr  # strings, objects, complex: serialised through tolist() on the exact path
    return np.ascontiguousarray(arr)


def _float_needs_exact(x: float) -> bool:
    """Outside 1e-4 <= |x| < 1e16 Python switches to exponent notation, which orjson versions spell
    differently (`1e-07` vs `1e-7`, `1e+16` vs `1e16`); NaN/Infinity are `null` in orjson."""
    if x == 0.0:
        return False
    magnitude = abs(x)
    return not _TINY <= magnitude < _HUGE  # also true for NaN and infinities


def _needs_exact(obj: Any) -> bool:
    """True if orjson's output could differ from json.dumps' for this object."""
    t = type(obj)
    if t is str or t is int or t is bool or obj is None:
        return False
    if t is float:
        return _float_needs_exact(obj)
    if t is dict:
        for value in obj.values():
            if _needs_exact(value):
                return True
        return False
    if t is list or t is tuple:
        for value in obj:
            if _needs_exact(value):
                return True
        return False
    if t is np.ndarray:
        kind = obj.dtype.kind
        if kind in _ORJSON_NATIVE_KINDS:
            return False
        if kind == "f" and obj.dtype == np.float64 and obj.flags.c_contiguous:
            if obj.size <= _SMALL_ARRAY:  # numpy's per-call overhead beats a Python loop only for big arrays
                return any(_float_needs_exact(x) for x in obj.ravel().tolist())
            if not np.isfinite(obj).all():
                return True
            magnitude = np.abs(obj)
            return bool((((magnitude < _TINY) & (magnitude > 0)) | (magnitude >= _HUGE)).any())
        return True
    if isinstance(obj, float):  # numpy float scalars
        return _float_needs_exact(float(obj))
    return True


def _escape_non_ascii(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps_exact(obj: Any) -> bytes:
    """The reference's bytes, produced with the standard library (slow, always right).

    Raises TypeError for a value `encoding.default` cannot convert (Flask's message)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=encoding.default)
    return text.encode("ascii") + b"\n"


def dumps(obj: Any) -> bytes:
    """Serialise a response body exactly as Flask 2.2 `jsonify` would, fast when possible."""
    if _needs_exact(obj):
        return dumps_exact(obj)
    try:
        out = orjson.dumps(obj, option=_ORJSON_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return dumps_exact(obj)
    if out.isascii() and b"\x7f" not in out:
        return out
    return _NON_ASCII.sub(_escape_non_ascii, out.decode("utf-8")).encode("ascii")
