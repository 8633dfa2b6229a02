"""V2 tensors as the user's code sees them, in both directions: the transport-neutral half of the codec.

`Tensor` is one V2 input or output (name, datatype, shape, parameters, data as a numpy array or a
list for BYTES). `user_arguments` turns request tensors into the `X, names` a seldon-core
`predict(X, names)` receives; `outputs_of` turns the user's return value into output tensors. The
rules are written down in docs/v2-protocol.md; the REST (JSON) and gRPC (protobuf) forms of a tensor
are in `json_codec` and `proto_codec`.

Conventions copied from MLServer 1.7.1 (mlserver/codecs): the `content_type` parameter values `np`,
`pd`, `str`, `base64`; default output names `output-1`, ...; strings returned as BYTES with
content_type `str`.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

# V2 datatype -> numpy dtype (BYTES: object arrays of str or bytes).
DATATYPES: Dict[str, Any] = {
    "BOOL": np.dtype(np.bool_), "UINT8": np.dtype(np.uint8), "UINT16": np.dtype(np.uint16),
    "UINT32": np.dtype(np.uint32), "UINT64": np.dtype(np.uint64), "INT8": np.dtype(np.int8),
    "INT16": np.dtype(np.int16), "INT32": np.dtype(np.int32), "INT64": np.dtype(np.int64),
    "FP16": np.dtype(np.float16), "FP32": np.dtype(np.float32), "FP64": np.dtype(np.float64),
    "BYTES": np.dtype(object),
}
_NUMPY_TO_V2 = {dtype: name for name, dtype in DATATYPES.items() if name != "BYTES"}
CONTENT_TYPE = "content_type"
DEFAULT_OUTPUT_PREFIX = "output-"


class V2Error(Exception):
    """A request the V2 protocol refuses: `status` is the HTTP status (400, 404, 500); gRPC maps it
    to INVALID_ARGUMENT, NOT_FOUND or INTERNAL."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Tensor:
    """One V2 input or output: `data` is a numpy array of the datatype's dtype, shaped `shape`
    (BYTES: an object array of str or bytes)."""

    name: str
    datatype: str
    shape: Tuple[int, ...]
    data: Any
    parameters: Dict[str, Any] = field(default_factory=dict)

    @property
    def content_type(self) -> Optional[str]:
        value = self.parameters.get(CONTENT_TYPE)
        return value if isinstance(value, str) else None


def check_datatype(datatype: Any, where: str) -> Any:
    """The numpy dtype of a V2 datatype name; V2Error 400 for an unknown one."""
    dtype = DATATYPES.get(datatype) if isinstance(datatype, str) else None
    if dtype is None:
        raise V2Error(f"{where}: unknown datatype {datatype!r} (expected one of {', '.join(DATATYPES)})")
    return dtype


def check_shape(shape: Any, where: str) -> Tuple[int, ...]:
    """The shape as a tuple of non-negative ints; V2Error 400 otherwise."""
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise V2Error(f"{where}: shape must be a list of non-negative integers, got {shape!r}")
    return tuple(shape)


def make_array(name: str, datatype: str, shape: Tuple[int, ...], values: Sequence[Any]) -> np.ndarray:
    """A flat sequence of values as an array of `datatype` shaped `shape`.

    V2Error 400 when the number of values is not the product of the shape, or a value does not fit
    the datatype (a string in a numeric tensor, 300 as UINT8, a float as INT32)."""
    where = f"input {name!r}"
    dtype = check_datatype(datatype, where)
    expected = math.prod(shape)
    if len(values) != expected:
        raise V2Error(f"{where}: data has {len(values)} elements but shape {list(shape)} needs {expected}")
    if datatype == "BYTES":
        arr = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            if not isinstance(value, (str, bytes)):
                raise V2Error(f"{where}: BYTES elements must be strings, got {value!r}")
            arr[i] = value
        return arr.reshape(shape)
    if dtype.kind != "b" and not isinstance(values, np.ndarray) and any(type(v) is bool for v in values):
        # numpy would take [1, true] as [1, 1] (but [true, false] as booleans, refused below): refused alike
        raise V2Error(f"{where}: data does not fit datatype {datatype}: got boolean values")
    try:  # an array comes from json_codec's simdjson path: flat float64, int64 or uint64
        inferred = values if isinstance(values, np.ndarray) else np.array(values)
    except (ValueError, OverflowError) as exc:
        raise V2Error(f"{where}: data does not fit datatype {datatype}: {exc}") from None
    if dtype.kind in "iu" and len(values) and inferred.dtype.kind in "fO" and all(
            isinstance(v, int) and not isinstance(v, bool) for v in values):
        inferred = _exact_ints(values, where, datatype)  # beyond int64's range: numpy guessed float or object
    if len(values) and inferred.dtype.kind not in _ACCEPTED_KINDS[dtype.kind]:
        raise V2Error(f"{where}: data does not fit datatype {datatype}: got {_kind_word(inferred)} values")
    if dtype.kind in "iu" and len(values):
        info = np.iinfo(dtype)
        if int(inferred.min()) < info.min or int(inferred.max()) > info.max:
            raise V2Error(f"{where}: data does not fit datatype {datatype}: values outside {info.min}..{info.max}")
    with np.errstate(over="ignore"):  # an overflow is refused just below, not warned about
        converted = inferred.astype(dtype, copy=False)
    if dtype.kind == "f" and len(values):
        if converted.size <= 16:  # a numpy reduction costs ~2 us, more than the values in Python
            overflowed = any(math.isinf(c) and not math.isinf(i)
                             for c, i in zip(converted.ravel().tolist(), inferred.ravel().tolist()))
        else:
            infinite = np.isinf(converted)
            with np.errstate(invalid="ignore"):
                overflowed = bool(infinite.any()) and bool(np.any(
                    infinite & np.isfinite(inferred.astype(np.float64, copy=False))))
        if overflowed:  # 1e300 as FP32/FP16 would be written back as inf (null in JSON)
            raise V2Error(f"{where}: data does not fit datatype {datatype}: values outside its range")
    return converted.reshape(shape)


def _exact_ints(values: Sequence[int], where: str, datatype: str) -> np.ndarray:
    try:
        return np.array(values, dtype=np.uint64 if min(values) >= 0 else np.int64)
    except OverflowError:
        raise V2Error(f"{where}: data does not fit datatype {datatype}: values out of range") from None


# numpy's inferred kind of a JSON list -> the datatype kinds it may fill (ints fill floats; not the reverse).
_ACCEPTED_KINDS = {"b": "b", "i": "iu", "u": "iu", "f": "iuf"}


def _kind_word(arr: np.ndarray) -> str:
    return {"b": "boolean", "i": "integer", "u": "integer", "f": "floating-point", "U": "string"}.get(
        arr.dtype.kind, "mixed")


def _decode_base64(value: Any, where: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise V2Error(f"{where}: content_type base64 but an element is not base64") from None


def _as_text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def decode_input(tensor: Tensor) -> Any:
    """What one input becomes for the user's code, by its `content_type` parameter (MLServer's codecs):
    none or `np`: the numpy array; `str`: a list of str; `base64`: a list of bytes (decoded)."""
    content_type = tensor.content_type
    if content_type in (None, "np", "nplist"):
        return tensor.data
    flat = tensor.data.ravel().tolist()
    if content_type == "str":
        return [_as_text(v) for v in flat]
    if content_type == "base64":
        return [_decode_base64(v, f"input {tensor.name!r}") for v in flat]
    raise V2Error(f"input {tensor.name!r}: unsupported content_type {content_type!r} (np, str, base64; "
                  "pd on the request)")


def _dataframe(inputs: List[Tensor]) -> Any:
    try:
        pd = importlib.import_module("pandas")  # only the model's own requirements bring pandas
    except ImportError:
        raise V2Error("content_type pd needs pandas: add it to the model's requirements") from None
    columns = {}
    for tensor in inputs:
        value = decode_input(tensor)
        columns[tensor.name] = value.reshape(len(value), -1)[:, 0] if isinstance(value, np.ndarray) and \
            value.ndim == 2 and value.shape[1] == 1 else value
    try:
        return pd.DataFrame(columns)
    except ValueError as exc:
        raise V2Error(f"content_type pd: the inputs do not form a table: {exc}") from None


def user_arguments(inputs: List[Tensor], request_parameters: Dict[str, Any]) -> Tuple[Any, List[str]]:
    """(X, names) for the user's method: one input -> its decoded value and [its name]; several ->
    a dict {name: decoded value} in request order and the names; request content_type `pd` -> a
    pandas DataFrame with one column per input, names = the columns."""
    names = [tensor.name for tensor in inputs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:  # a dict by name would silently drop one of them
        raise V2Error(f"input name {twice[0]!r} is given more than once")
    if request_parameters.get(CONTENT_TYPE) == "pd":
        return _dataframe(inputs), names
    if len(inputs) == 1:
        return decode_input(inputs[0]), names
    return {tensor.name: decode_input(tensor) for tensor in inputs}, names


# ----------------------------------------------------------------------------------- outputs


def _bytes_tensor(name: str, values: List[Any], shape: Tuple[int, ...], content_type: str) -> Tensor:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return Tensor(name, "BYTES", shape, arr.reshape(shape), {CONTENT_TYPE: content_type})


def _array_tensor(name: str, arr: np.ndarray) -> Tensor:
    datatype = _NUMPY_TO_V2.get(arr.dtype)
    if datatype is not None:
        return Tensor(name, datatype, arr.shape, arr, {CONTENT_TYPE: "np"})
    if arr.dtype.kind in "USO":
        flat = arr.ravel().tolist()
        if all(isinstance(v, (str, bytes)) for v in flat):
            return _bytes_tensor(name, flat, arr.shape, "np")
    raise V2Error(f"output {name!r}: cannot send a numpy array of dtype {arr.dtype} over V2 "
                  "(return numbers, booleans, strings or bytes)", 500)


def encode_value(name: str, value: Any) -> Tensor:
    """One user value as one output tensor: numpy arrays keep dtype and shape; a str is BYTES [1]
    (content_type str); bytes BYTES [1] (base64); a list of str or bytes likewise [n]; other lists
    and Python scalars go through numpy (scalars as shape [1]). V2Error 500 for anything else."""
    if isinstance(value, np.ndarray):
        return _array_tensor(name, value)
    if isinstance(value, str):
        return _bytes_tensor(name, [value], (1,), "str")
    if isinstance(value, (bytes, bytearray)):
        return _bytes_tensor(name, [base64.b64encode(bytes(value))], (1,), "base64")
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return _bytes_tensor(name, list(value), (len(value),), "str")
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (bytes, bytearray)) for v in value):
        return _bytes_tensor(name, [base64.b64encode(bytes(v)) for v in value], (len(value),), "base64")
    if isinstance(value, (list, tuple, int, float, bool, np.generic)):
        try:
            arr = np.asarray(value)
        except ValueError:
            arr = np.empty(0, dtype=object)
        if arr.dtype == object and (not isinstance(value, (list, tuple)) or value):
            raise V2Error(f"output {name!r}: a ragged or mixed list cannot be a V2 tensor", 500)
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.dtype == object:  # an empty list
            arr = arr.astype(np.float64)
        return _array_tensor(name, arr)
    raise V2Error(f"output {name!r}: cannot send a {type(value).__name__} over V2 (return a numpy array, "
                  "list, str, bytes, or a dict of them)", 500)


def is_dataframe(value: Any) -> bool:
    """Whether `value` is a pandas DataFrame (told without importing pandas, which the runtime lacks)."""
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns") and hasattr(value, "to_numpy")


def _column_tensor(name: str, column: Any) -> Tensor:
    """One DataFrame column as MLServer 1.7.1's PandasCodec writes it (mlserver/codecs/pandas.py,
    `_to_response_output`): shape [rows, 1]; numbers with no content_type; strings or bytes (pandas'
    str dtype too) BYTES with content_type `str`."""
    values = column.to_numpy()
    if values.dtype.kind in "OUS":
        flat = values.tolist()
        if all(isinstance(v, (str, bytes)) for v in flat):
            return _bytes_tensor(name, flat, (len(flat), 1), "str")
    tensor = encode_value(name, values.reshape(-1, 1))
    tensor.parameters.pop(CONTENT_TYPE, None)
    return tensor


def outputs_of(result: Any, class_names: Callable[[], Optional[List[str]]]) -> List[Tensor]:
    """The user's return value as output tensors.

    None -> no outputs; a dict -> one output per key (in order); a pandas DataFrame -> one output
    per column, shape [rows, 1] (`_column_tensor`); a 2-D array or list whose column count equals the model's
    `class_names` -> one output per class, named by it, shape [rows, 1]; anything else -> one output
    `output-1`. V2Error 500 for values no V2 tensor can hold."""
    if result is None:
        return []
    if isinstance(result, dict):
        return [encode_value(str(key), value) for key, value in result.items()]
    if is_dataframe(result):
        return [_column_tensor(str(col), result[col]) for col in result.columns]
    tensor = encode_value(DEFAULT_OUTPUT_PREFIX + "1", result)
    if tensor.datatype != "BYTES" and len(tensor.shape) == 2:
        names = class_names()
        if names is not None and len(names) == tensor.shape[1] and len(names) > 0:
            return [Tensor(str(n), tensor.datatype, (tensor.shape[0], 1), tensor.data[:, i:i + 1],
                           dict(tensor.parameters)) for i, n in enumerate(names)]
    return [tensor]
