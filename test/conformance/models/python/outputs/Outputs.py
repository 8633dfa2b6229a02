"""Returns different Python types, chosen by strData (or the request's type for other payloads)."""
import datetime

import numpy as np

OUTPUTS = {
    "strings": lambda: np.array([["a", "b"], ["c", "d"]]),
    "strings_list": lambda: [["a", "b"]],
    "mixed": lambda: np.array([[1, "x"]], dtype=object),
    "mixed_list": lambda: [[1, "x", 2.5, None, True]],
    "bools": lambda: np.array([[True, False]]),
    "dict": lambda: {"b": 2, "a": [1, 2.5, "three"], "nested": {"é": "ü", "none": None}},
    "str": lambda: "héllo wörld",
    "bytes": lambda: b"\x00\x01binary\xff",
    "bytearray": lambda: bytearray(b"abc"),
    "ints": lambda: np.array([[1, 2], [3, 4]], dtype=np.int64),
    "floats32": lambda: np.array([[0.1, 0.2]], dtype=np.float32),
    "uint8": lambda: np.arange(12, dtype=np.uint8).reshape(2, 2, 3),
    "1d": lambda: np.array([1.5, 2.5]),
    "3d": lambda: np.zeros((1, 3, 2)),
    "empty": lambda: np.array([]),
    "empty_list": lambda: [],
    "list_floats": lambda: [[1.0, 2.0], [3.0, 4.0]],
    "big_small_floats": lambda: np.array([[1e-05, 1e20, 123456.789, -0.0]]),
    "unicode_list": lambda: [["\u20ac", "\U0001F600"]],
    # return values whose encoding differs between implementations more easily
    "ints_floats_list": lambda: [[1, 2.5], [3, 4]],
    "mixed_1d_list": lambda: [1, "a", 2.5],
    "list_of_dicts": lambda: [{"a": 1}, {"b": [1, 2]}],
    "list_with_array": lambda: [np.array([1, 2]), np.array([3, 4])],
    "dict_numpy": lambda: {"array": np.array([1.5, 2.5]), "f32": np.float32(0.5), "i64": np.int64(3),
                           "bool": np.bool_(True)},
    "dict_datetime": lambda: {"when": datetime.datetime(2024, 5, 6, 7, 8, 9)},
    "dict_date": lambda: {"day": datetime.date(2024, 5, 6)},
    "np_float_scalar": lambda: np.float64(2.5),
    "np_int_scalar": lambda: np.int64(7),
    "int": lambda: 42,
    "float": lambda: 0.25,
    "bool": lambda: True,
    "none_in_dict": lambda: {"a": None, "b": [None]},
}


class Outputs:
    def predict(self, X, features_names):
        if isinstance(X, str):
            return OUTPUTS[X]()
        if isinstance(X, dict):
            return OUTPUTS[X["kind"]]()
        return X
