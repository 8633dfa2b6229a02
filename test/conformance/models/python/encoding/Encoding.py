"""Returns every kind of Python value a user method may return, chosen by the request.

The kind is `data.names[0]` for a data request (so the request's data kind stays ndarray or tensor),
else strData itself, else jsonData["kind"].
"""
import dataclasses
import datetime as dt
import decimal
import uuid

import numpy as np


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str


class Html:
    def __html__(self):
        return "<b>bold</b>"


UTC_PLUS_2 = dt.timezone(dt.timedelta(hours=2))

OUTPUTS = {
    "mixed_rows": lambda: [[1, 0.7, True], [2, 0.4, False]],
    "mixed_strings_rows": lambda: [[1, "x"], [2, "y"]],
    "none_in_rows": lambda: [[1, None], [2, 3]],
    "flask_types": lambda: {"at": dt.datetime(2024, 1, 2, 3, 4, 5), "amount": decimal.Decimal("1.10"),
                            "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    "date": lambda: {"d": dt.date(2024, 1, 2)},
    "aware_datetime": lambda: {"t": dt.datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=UTC_PLUS_2)},
    "time": lambda: {"t": dt.time(3, 4, 5)},
    "dataclass": lambda: {"p": Point(1, 2.5, "x"), "ps": [Point(2, 0.5, "y")]},
    "dataclass_top": lambda: Point(1, 2.5, "x"),
    "html": lambda: {"h": Html()},
    "onnx": lambda: {"label": np.array([1, 0], dtype=np.int64),
                     "probabilities": np.array([[0.1, 0.9], [0.8, 0.2]], dtype=np.float32)},
    "numpy_scalars": lambda: {"i": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True), "u": np.uint8(7),
                              "s": np.str_("text"), "d": np.float64(0.25)},
    "numpy_in_rows": lambda: [np.array([1, 2]), np.array([3, 4])],
    "numpy_scalars_in_rows": lambda: [[np.float32(0.25), np.int64(2)], [np.float32(1.5), np.int64(3)]],
    "bytes_in_dict": lambda: {"b": b"\x00\x01binary\xff"},
    "tuple_in_dict": lambda: {"t": (1, "two", 3.0)},
    "set_in_dict": lambda: {"s": {1, 2}},
    "nan_in_dict": lambda: {"x": float("nan"), "y": float("inf"), "z": float("-inf")},
    "nan_in_rows": lambda: [[1.0, float("nan")]],
    "int_keys": lambda: {1: "a", 2: "b"},
    "nested": lambda: {"a": [{"b": np.arange(3)}, (decimal.Decimal("2.5"), dt.date(2020, 5, 17))],
                       "c": {"d": [np.float64(1e-7), None, True]}},
    "object_array": lambda: np.array([[dt.date(2024, 1, 2), decimal.Decimal("1.5")]], dtype=object),
    "complex_in_dict": lambda: {"c": 1 + 2j},
}


def _kind(X, names):
    if names:
        return names[0]
    if isinstance(X, str):
        return X
    return X["kind"]


class Encoding:
    def predict(self, X, features_names):
        return OUTPUTS[_kind(X, features_names)]()
