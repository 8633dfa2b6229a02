"""Calling user methods and merging meta (spec §3.5), on both codecs, without servers."""

from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import json_format

from seldon_core.user_model import SeldonComponent, SeldonNotImplementedError, SeldonResponse
from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime.component import Component
from seldon_s2i.runtime.errors import SeldonError
from seldon_s2i.runtime.proto import prediction_pb2 as pb
from seldon_s2i.runtime.settings import parse_settings

REST = c.RestCodec
GRPC = c.ProtoCodec


def make(user, env=None):
    return Component(user, parse_settings(["X"], env or {}))


class Tagged:
    def predict(self, X, names, meta=None):
        self.meta = meta
        return SeldonResponse(X, tags={"rt": 1, "both": "runtime"},
                              metrics=[{"type": "GAUGE", "key": "g", "value": 2, "tags": {"a": "b"}}])

    def tags(self):
        return {"model": "m", "both": "model"}

    def metrics(self):
        return [{"type": "COUNTER", "key": "c", "value": 1}]


def test_meta_merge_order_and_method_tag():
    comp = make(Tagged(), {"PREDICTIVE_UNIT_ID": "unit", "PREDICTIVE_UNIT_IMAGE": "repo/img:1.0"})
    request = {"data": {"ndarray": [[1, 2]]}, "meta": {
        "puid": "p1", "tags": {"req": True, "both": "request"}, "routing": {"x": 1},
        "requestPath": {"other": "img:2"}, "metrics": [{"type": "COUNTER", "key": "in", "value": 3}]}}
    out = comp.predict(request, REST)
    meta = out["meta"]
    assert meta["puid"] == "p1"
    assert meta["tags"] == {"req": True, "both": "runtime", "model": "m", "rt": 1}
    assert meta["requestPath"] == {"unit": "repo/img:1.0", "other": "img:2"}
    assert "routing" not in meta
    assert meta["metrics"] == [{"type": "COUNTER", "key": "in", "value": 3},
                               {"type": "COUNTER", "key": "c", "value": 1},
                               {"type": "GAUGE", "key": "g", "value": 2, "tags": {"a": "b", "method": "predict"}}]
    assert out["data"]["ndarray"].tolist() == [[1, 2]] and out["data"]["names"] == ["t:0", "t:1"]


def test_metrics_excluded_from_response_when_configured():
    comp = make(Tagged(), {"INCLUDE_METRICS_IN_CLIENT_RESPONSE": "false"})
    metrics = [{"type": "GAUGE", "key": "i", "value": 1}]
    out = comp.predict({"data": {"ndarray": [1]}, "meta": {"metrics": metrics}}, REST)
    assert out["meta"]["metrics"] == [{"type": "GAUGE", "key": "i", "value": 1}]


def test_rest_meta_none_grpc_meta_dict():
    user = Tagged()
    make(user).predict({"strData": "x"}, REST)
    assert user.meta is None
    make(user).predict(pb.SeldonMessage(strData="x"), GRPC)
    assert user.meta == {}


def test_typeerror_inside_user_code_runs_once():
    class Counting:
        calls = 0

        def predict(self, X, names, meta=None):
            Counting.calls += 1
            raise TypeError("user bug")

    with pytest.raises(TypeError):
        make(Counting()).predict({"strData": "x"}, REST)
    assert Counting.calls == 1


def test_predict_without_meta_parameter():
    class NoMeta:
        def predict(self, X, features_names):
            return X

    assert make(NoMeta()).predict({"strData": "x"}, REST)["strData"] == "x"


def test_missing_predict_returns_empty_data():
    out = make(object()).predict({"data": {"ndarray": [1]}}, REST)
    assert out["data"]["ndarray"] == [] and out["meta"] == {}


def test_seldon_component_stubs_fall_back():
    class Base(SeldonComponent):
        def predict(self, X, names, meta=None):
            return X

    out = make(Base()).predict({"data": {"ndarray": [[1, 2]]}}, REST)
    assert out["meta"] == {} and out["data"]["names"] == ["t:0", "t:1"]


def test_transform_defaults_to_identity_and_names_are_not_echoed():
    out = make(object()).transform_input({"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}}, REST)
    assert out["data"]["names"] == ["t:0", "t:1"]


def test_route_int_rule():
    class Router:
        def __init__(self, value):
            self.value = value

        def route(self, X, names):
            return self.value

    out = make(Router(1)).route({"data": {"ndarray": [[1]]}, "meta": {"puid": "p", "tags": {"x": 1}}}, REST)
    assert out["data"]["ndarray"] == [[1]] and out["meta"] == {"puid": "p"}
    assert make(Router(-1)).route({"strData": "x"}, REST)["data"]["tensor"]["values"].tolist() == [-1]
    with pytest.raises(SeldonError, match="Routing response must be int but got 1"):
        make(Router(np.int64(1))).route({"strData": "x"}, REST)
    with pytest.raises(SeldonError, match="Route not defined"):
        make(object()).route({"strData": "x"}, REST)


def test_aggregate_merges_metas_and_uses_first_kind():
    class Combiner:
        def aggregate(self, features_list, names_list):
            return np.concatenate([np.ravel(f) for f in features_list])

    msgs = [{"data": {"tensor": {"shape": [1], "values": [1]}}, "meta": {"puid": "a", "tags": {"x": 1}}},
            {"data": {"ndarray": [2]}, "meta": {"puid": "b", "tags": {"x": 2, "y": 3},
                                                "metrics": [{"type": "GAUGE", "key": "k", "value": 1}]}}]
    out = make(Combiner()).aggregate(msgs, REST)
    assert "tensor" in out["data"]
    assert out["meta"]["puid"] == "a" and out["meta"]["tags"] == {"x": 2, "y": 3}
    assert out["meta"]["metrics"] == [{"type": "GAUGE", "key": "k", "value": 1}]
    with pytest.raises(SeldonError, match="Aggregate not defined"):
        make(object()).aggregate(msgs, REST)


def test_feedback_args_and_default():
    class Learner:
        def send_feedback(self, features, feature_names, reward, truth, routing=None):
            self.args = (features.tolist(), feature_names, reward, truth.tolist(), routing)

    user = Learner()
    fb = json_format.ParseDict({"request": {"data": {"names": ["a"], "ndarray": [[1]]}},
                                "response": {"meta": {"routing": {"unit": 2}}},
                                "reward": 0.5, "truth": {"data": {"ndarray": [[0]]}}}, pb.Feedback())
    out = make(user, {"PREDICTIVE_UNIT_ID": "unit"}).send_feedback(fb)
    assert user.args == ([[1.0]], ["a"], 0.5, [[0.0]], 2)
    assert json_format.MessageToDict(out) == {
        "data": {"ndarray": []}, "meta": {"requestPath": {"unit": "NOT_IMPLEMENTED:NOT_IMPLEMENTED"}}}
    out = make(object()).send_feedback(json_format.ParseDict({"request": {"binData": "AA=="}}, pb.Feedback()))
    assert json_format.MessageToDict(out) == {"data": {"tensor": {"shape": [0]}}, "meta": {}}


def test_health_status_variants():
    assert make(object()).health_status(REST) == {"strData": "healthy", "meta": {}}

    class NotImpl:
        def health_status(self):
            raise SeldonNotImplementedError("no")

    assert make(NotImpl()).health_status(REST)["strData"] == "not implemented - assuming healthy"

    class Raw:
        def health_status_raw(self):
            return {"custom": True}

    assert make(Raw()).health_status(REST) == {"custom": True}


def test_raw_hook_not_implemented_falls_back():
    class Fallback:
        def predict_raw(self, msg):
            raise SeldonNotImplementedError("use predict")

        def predict(self, X, names):
            return "normal"

    assert make(Fallback()).predict({"strData": "x"}, REST)["strData"] == "normal"


def test_bad_metric_is_500():
    class BadMetric:
        def predict(self, X, names):
            return X

        def metrics(self):
            return [{"type": "HISTOGRAM", "key": "k", "value": 1}]

    with pytest.raises(SeldonError) as info:
        make(BadMetric()).predict({"strData": "x"}, REST)
    assert info.value.status_code == 500 and info.value.reason == "MICROSERVICE_BAD_METRIC"


def test_class_names_attribute():
    class Attr:
        class_names = ["p", "q"]

        def predict(self, X, names):
            return X

    assert make(Attr()).predict({"data": {"ndarray": [[1, 2]]}}, REST)["data"]["names"] == ["p", "q"]
