"""Raw hooks: get the whole message (dict over REST, proto over gRPC) and return one."""
from google.protobuf import json_format

from seldon_core.user_model import SeldonNotImplementedError


def as_dict(msg):
    if isinstance(msg, (dict, list)):
        return msg, False
    return json_format.MessageToDict(msg), True


def back(result, proto_in, template):
    if not proto_in:
        return result
    out = type(template)()
    json_format.ParseDict(result, out)
    return out


class Raw:
    def predict_raw(self, msg):
        body, proto = as_dict(msg)
        if body.get("strData") == "fallback":
            raise SeldonNotImplementedError("use the normal path")
        if body.get("strData") == "status":
            return {"status": {"code": 422, "info": "raw says no", "reason": "RAW", "status": "FAILURE"}}
        result = {"jsonData": {"raw": "predict", "keys": sorted(body)},
                  "meta": {"metrics": [{"type": "COUNTER", "key": "raw_counter", "value": 1}]}}
        return back(result, proto, msg)

    def predict(self, X, features_names):
        return {"normal": "path"}

    def transform_input_raw(self, msg):
        body, proto = as_dict(msg)
        return back({"strData": "raw transform-input", "meta": body.get("meta", {})}, proto, msg)

    def transform_output_raw(self, msg):
        body, proto = as_dict(msg)
        return back({"strData": "raw transform-output"}, proto, msg)

    def route_raw(self, msg):
        body, proto = as_dict(msg)
        return back({"data": {"ndarray": [[3]]}}, proto, msg)

    def aggregate_raw(self, msgs):
        if isinstance(msgs, list):
            return {"jsonData": {"count": len(msgs), "kind": "list"}}
        if isinstance(msgs, dict):
            return {"jsonData": {"count": len(msgs.get("seldonMessages", [])), "kind": "dict"}}
        from seldon_core.proto import prediction_pb2
        return json_format.ParseDict({"jsonData": {"count": len(msgs.seldonMessages), "kind": "proto"}},
                                     prediction_pb2.SeldonMessage())
