"""`parameters.content_type: pd` (a pandas DataFrame) against MLServer 1.7.1's PandasCodec: the same request to
the `frame` model of both (ours: a seldon-core class that checks it got a DataFrame and returns it; MLServer:
PandasCodec.decode_request then encode_response), REST and gRPC. The user's predict receives one column per
input with the input's dtype (the outputs carry them back as datatypes); a DataFrame returned is one output per
column, shape [rows, 1], as MLServer writes it."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
import requests
from test_v2_differential import MLSERVER, NUMERIC_DTYPES, OURS, comparable, normalized, post
from v2_servers import IMPLEMENTATIONS

from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb

# (name, datatype, shape, data): [n] and [n, 1] inputs are both a column of n rows.
COLUMNS: List[Any] = [("a", "INT64", [2], [1, -(2 ** 40)]), ("b", "FP32", [2, 1], [0.5, 0.1]),
                      ("c", "BOOL", [2], [True, False]), ("d", "UINT8", [2], [0, 255]),
                      ("e", "FP64", [2], [1e300, -2.5]), ("f", "INT8", [2, 1], [-128, 127])]
FIELDS = {"INT64": "int64_contents", "FP32": "fp32_contents", "BOOL": "bool_contents", "UINT8": "uint_contents",
          "FP64": "fp64_contents", "INT8": "int_contents"}


def frame_body(columns: List[Any], request_id: str) -> Dict[str, Any]:
    return {"id": request_id, "parameters": {"content_type": "pd"},
            "inputs": [{"name": n, "datatype": d, "shape": s, "data": v} for n, d, s, v in columns]}


def test_rest_dataframe_round_trip_equals_mlservers_pandas_codec(servers):
    answers = {impl: post(servers, impl, "frame", frame_body(COLUMNS + [("g", "FP16", [2], [0.5, 1000])], "pd"))
               for impl in IMPLEMENTATIONS}
    assert answers[OURS].status_code == answers[MLSERVER].status_code == 200, answers[OURS].text
    ours = answers[OURS].json()
    assert normalized(ours) == normalized(answers[MLSERVER].json())
    assert ours["parameters"] == {"content_type": "pd"}
    assert [(o["name"], o["datatype"], o["shape"]) for o in ours["outputs"]] == \
        [(n, d, [2, 1]) for n, d, _, _ in COLUMNS] + [("g", "FP16", [2, 1])]
    assert all("parameters" not in o for o in ours["outputs"])  # numbers: no content_type, as PandasCodec
    assert np.array(ours["outputs"][1]["data"], dtype=NUMERIC_DTYPES["FP32"]).tolist() == \
        np.array([0.5, 0.1], dtype=np.float32).tolist()


def test_grpc_dataframe_round_trip_equals_mlservers_pandas_codec(servers):
    request = pb.ModelInferRequest(model_name="frame", id="gpd")
    request.parameters["content_type"].string_param = "pd"
    for name, datatype, shape, values in COLUMNS:
        getattr(request.inputs.add(name=name, datatype=datatype, shape=shape).contents, FIELDS[datatype]).extend(values)
    answers = {impl: servers.grpc(impl, "frame").infer(request) for impl in IMPLEMENTATIONS}
    assert comparable(answers[OURS]) == comparable(answers[MLSERVER])
    assert [(o.name, o.datatype, list(o.shape)) for o in answers[OURS].outputs] == \
        [(n, d, [2, 1]) for n, d, _, _ in COLUMNS]
    assert list(answers[OURS].outputs[0].contents.int64_contents) == [1, -(2 ** 40)]


def test_string_columns_come_back_as_bytes_with_content_type_str_where_mlserver_fails(servers):
    # MLServer 1.7.1's PandasCodec cannot encode pandas 3's str dtype (to_datatype: KeyError 'O' -> 500);
    # ours writes what it writes for an object column of str: BYTES, content_type str (docs/v2-protocol.md).
    body = frame_body([("n", "INT32", [2], [1, 2]),
                       ("t", "BYTES", [2], ["héllo", "x"]), ("u", "BYTES", [2], ["p", "q"])], "pds")
    body["inputs"][2]["parameters"] = {"content_type": "str"}
    answers = {impl: post(servers, impl, "frame", body) for impl in IMPLEMENTATIONS}
    assert answers[MLSERVER].status_code == 500  # when this passes no more, compare the two instead
    assert answers[OURS].status_code == 200, answers[OURS].text
    assert answers[OURS].json()["outputs"] == [
        {"name": "n", "shape": [2, 1], "datatype": "INT32", "data": [1, 2]},
        {"name": "t", "shape": [2, 1], "datatype": "BYTES", "parameters": {"content_type": "str"},
         "data": ["héllo", "x"]},
        {"name": "u", "shape": [2, 1], "datatype": "BYTES", "parameters": {"content_type": "str"}, "data": ["p", "q"]}]


def test_inputs_of_different_lengths_are_a_400_naming_the_table(servers):
    body = frame_body([("a", "INT64", [2], [1, 2]), ("b", "INT64", [3], [1, 2, 3])], "ragged")
    answer = requests.post(f"{servers.url(OURS, 'frame')}/v2/models/frame/infer", json=body, timeout=30)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("content_type pd: the inputs do not form a table")
    assert servers.ours["frame"].alive()
