"""What a user method returns -> JSON values: ONE rule set for REST bodies and gRPC jsonData/ndarray.

seldon-core 1.17.1 serialises REST answers with Flask 2.2's JSON provider and gRPC answers with
protobuf's `ParseDict`/`ListValue.extend`, which accept far less; a model returning a datetime answers
200 over REST and UNKNOWN over gRPC. Here both transports use the rules below: `default` converts one
value the JSON standard library cannot write (it is json.dumps' `default=` hook in `jsonout`), and
`to_jsonable` applies it through a whole structure for protobuf.

The rules, in order (the reference is Flask 2.2's `DefaultJSONProvider.default`, flask/json/provider.py):

| Python value                        | JSON value                                   | reference (REST)   |
|-------------------------------------|----------------------------------------------|--------------------|
| str, int, float, bool, None         | itself; NaN/Infinity as json.dumps writes it | same               |
| list, tuple (and subclasses)        | array, elements converted                    | same               |
| dict (and subclasses)               | object; keys as json.dumps makes them        | same               |
| numpy.ndarray                       | `tolist()`, converted (float32 -> float64)   | 500 not JSON ...   |
| numpy scalar (numpy.generic)        | `item()`, converted                          | 500 not JSON ...   |
| datetime.date / datetime.datetime   | HTTP date, `Tue, 02 Jan 2024 03:04:05 GMT`   | same (naive = UTC) |
| decimal.Decimal, uuid.UUID          | `str(value)`                                 | same               |
| dataclass instance                  | `dataclasses.asdict(value)`, converted       | same               |
| object with `__html__`              | `str(value.__html__())`                      | same               |
| bytes, bytearray, memoryview        | base64 text (as protobuf's JSON for bytes)   | 500 not JSON ...   |
| datetime.time                       | ISO 8601, `03:04:05`                         | 500 not JSON ...   |
| anything else (set, complex, ...)   | TypeError `Object of type set is not JSON    | same               |
|                                     | serializable`: 500 / gRPC UNKNOWN            |                    |

numpy arrays and scalars matter inside dicts and lists (a returned array itself is a `data` payload,
encoded by `codec` and `jsonout` without this module). Sets are refused on purpose: their order depends on the
process' hash seed, so two workers would
give the same request different answers.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import decimal
import email.utils
import uuid
from typing import Any, Dict, List, Union

import numpy as np

JsonValue = Union[None, bool, int, float, str, List[Any], Dict[str, Any]]


def http_date(value: dt.date) -> str:
    """RFC 2822 date in GMT, as werkzeug.http.http_date (naive datetimes and plain dates are UTC)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=dt.timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    elif value.tzinfo != dt.timezone.utc:
        value = value.astimezone(dt.timezone.utc)
    return email.utils.format_datetime(value, usegmt=True)


def default(obj: Any) -> Any:
    """One step of conversion for a value json.dumps cannot write (see the table in the module doc).

    The result may itself need converting (json.dumps calls `default` again for it).
    Raises TypeError with Flask's message for anything the table does not cover.
    """
    if isinstance(obj, (np.ndarray, np.generic)):
        return obj.tolist() if isinstance(obj, np.ndarray) else obj.item()
    if isinstance(obj, dt.date):
        return http_date(obj)
    if isinstance(obj, (decimal.Decimal, uuid.UUID)):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if hasattr(obj, "__html__"):
        return str(obj.__html__())
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return base64.b64encode(obj).decode("ascii")
    if isinstance(obj, dt.time):
        return obj.isoformat()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def json_key(key: Any) -> str:
    """A dict key as json.dumps writes it (str as is, True -> "true", None -> "null", numbers by repr)."""
    if isinstance(key, str):
        return key
    if key is True or key is False:
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return float.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def to_jsonable(value: Any) -> JsonValue:
    """`value` as plain str/int/float/bool/None/list/dict, what json.dumps(value, default=default) would
    write; for protobuf's ParseDict and ListValue (the gRPC transport).

    Raises TypeError (unsupported type, or a key json.dumps refuses).
    """
    t = type(value)
    if t is str or t is float or t is int or t is bool or value is None:
        return value
    if t is list or t is tuple:
        return [to_jsonable(v) for v in value]
    if t is dict:
        return {json_key(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, str):  # subclasses (str enums, numpy.str_): their text, as json.dumps writes it
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict):
        return {json_key(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return to_jsonable(default(value))


def is_plain_array(arr: np.ndarray) -> bool:
    """True if `arr.tolist()` holds only JSON-native values (numbers and bools): no conversion needed."""
    return arr.dtype.kind in "biuf"
