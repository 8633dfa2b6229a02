"""Property-based fuzzing of OUR runtime only (hypothesis, derandomized: the same examples on every run).

Lives in test/compat to reuse its server harness; it needs no reference. Over 1000 generated requests (random JSON,
SeldonMessage-shaped dicts, random bytes, content types, methods and paths) against the Echo model, which never
raises, so any 5xx is the runtime's fault, except the reference's documented quirk that unknown routes and wrong
methods answer 500 (docs/compatibility.md, quirk 1). Every error body must be a Seldon status JSON, and afterwards
the server must still answer with the same process tree (no worker died and was replaced).
"""

from __future__ import annotations

import base64
import http.client
import json
import subprocess
import urllib.parse
from typing import Dict, Optional

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conformance.grpc_client import Client
from conformance.suite import is_seldon_status
from servers import MODELS_DIR, OURS, Server

EXAMPLES_PER_TEST = 220  # five REST tests: 1100 requests, plus the gRPC test
FUZZ_SETTINGS = settings(max_examples=EXAMPLES_PER_TEST, derandomize=True, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
                         suppress_health_check=list(HealthCheck))
ENDPOINTS = ["/predict", "/api/v0.1/predictions", "/api/v1.0/predictions", "/send-feedback", "/api/v1.0/feedback",
             "/transform-input", "/transform-output", "/route", "/aggregate", "/health/status", "/metadata"]
# gunicorn itself rejects longer request lines (HTML 400, before any application code): out of scope.
GUNICORN_REQUEST_LINE_LIMIT = 4000
ROUTING_QUIRK = ("404 Not Found", "405 Method Not Allowed")
sent = {"count": 0, "failed": 0}


def process_tree(session_id: int) -> Dict[int, str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--sid", str(session_id)], capture_output=True, text=True).stdout
    return {int(line.split(None, 1)[0]): line.split(None, 1)[1] for line in out.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def server(request):
    server = Server(OURS, MODELS_DIR / "echo", "Echo", env={"GUNICORN_WORKERS": "2"}).start()
    try:
        server.wait_ready()
        before = process_tree(server.proc.pid)
        yield server
        assert http_request(server, "GET", "/health/ping") == (200, b"pong")
        assert process_tree(server.proc.pid) == before, "a process of the runtime died or was replaced"
        selected = [item for item in request.session.items if item.module is request.module]
        whole_module = len(selected) == len([name for name in dir(request.module) if name.startswith("test_")])
        if whole_module and not sent["failed"]:  # a failing property stops early; that failure is the report
            assert sent["count"] >= 1000
    finally:
        server.stop()


def http_request(server: Server, method: str, path: str, body: Optional[bytes] = None,
            content_type: Optional[str] = None) -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        if content_type is not None:
            connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body or b"")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
        sent["count"] += 1


def check(server: Server, method: str, path: str, body: Optional[bytes], content_type: Optional[str]) -> None:
    try:
        check_one(server, method, path, body, content_type)
    except AssertionError:
        sent["failed"] += 1
        raise


def check_one(server: Server, method: str, path: str, body: Optional[bytes], content_type: Optional[str]) -> None:
    status, payload = http_request(server, method, path, body, content_type)
    if method == "HEAD":
        assert status < 500 or status == 500 and not payload, (status, payload)
        return
    if status == 200:
        return
    try:
        document = json.loads(payload)
    except ValueError:
        raise AssertionError(f"{method} {path} -> {status} with a non-JSON body {payload[:200]!r}") from None
    assert is_seldon_status(document), (method, path, status, document)
    if status >= 500:
        assert document["status"]["info"].startswith(ROUTING_QUIRK), (method, path, status, document)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25)
numbers = st.integers(-1000, 1000) | st.floats(allow_nan=False, width=64)
ndarrays = st.recursive(st.lists(numbers | st.text(max_size=5) | st.booleans() | st.none(), max_size=4),
                        lambda children: st.lists(children, max_size=3), max_leaves=20)
metric = st.fixed_dictionaries({"key": st.text(max_size=8), "type": st.sampled_from(["COUNTER", "GAUGE", "TIMER", "X"]),
                                "value": numbers | st.text(max_size=3)},
                               optional={"tags": st.dictionaries(st.text(max_size=5), json_values, max_size=3)})
meta = st.fixed_dictionaries({}, optional={
    "puid": st.text(max_size=10) | json_values, "tags": st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    "routing": st.dictionaries(st.text(max_size=5), st.integers(-3, 3) | json_values, max_size=2),
    "requestPath": st.dictionaries(st.text(max_size=5), st.text(max_size=5) | json_values, max_size=2),
    "metrics": st.lists(metric, max_size=3) | json_values})
default_data = st.fixed_dictionaries({}, optional={
    "names": st.lists(st.text(max_size=4), max_size=3) | json_values,
    "ndarray": ndarrays | json_values,
    "tensor": st.fixed_dictionaries({}, optional={"shape": st.lists(st.integers(-2, 6), max_size=4) | json_values,
                                                  "values": st.lists(numbers, max_size=12) | json_values}),
    "tftensor": json_values})
base64_text = st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode())
seldon_message = st.fixed_dictionaries({}, optional={
    "data": default_data | json_values, "binData": base64_text | st.text(max_size=12),
    "strData": st.text(max_size=12) | json_values, "jsonData": json_values, "meta": meta | json_values,
    "status": json_values})
feedback = st.fixed_dictionaries({}, optional={"request": seldon_message, "response": seldon_message,
                                               "truth": seldon_message, "reward": numbers | json_values})
content_types = st.sampled_from([None, "application/json", "application/json; charset=utf-8", "text/plain",
                                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
                                 "multipart/form-data", "application/octet-stream", "image/jpeg", "", "a/b; c=d"])
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])


@FUZZ_SETTINGS
@given(path=st.sampled_from(ENDPOINTS), body=json_values)
def test_random_json(server, path, body):
    check(server, "POST", path, json.dumps(body).encode(), "application/json")


@FUZZ_SETTINGS
@given(path=st.sampled_from(ENDPOINTS), body=seldon_message | st.lists(seldon_message, max_size=3)
       | st.fixed_dictionaries({"seldonMessages": st.lists(seldon_message, max_size=3)}))
def test_seldon_message_shaped(server, path, body):
    check(server, "POST", path, json.dumps(body).encode(), "application/json")


@FUZZ_SETTINGS
@given(path=st.sampled_from(["/send-feedback", "/api/v0.1/feedback", "/predict"]), body=feedback,
       how=st.sampled_from(["json", "form", "query"]))
def test_feedback_and_encodings(server, path, body, how):
    text = json.dumps(body)
    if how == "json":
        check(server, "POST", path, text.encode(), "application/json")
    elif how == "form":
        form = urllib.parse.urlencode({"json": text}).encode()
        check(server, "POST", path, form, "application/x-www-form-urlencoded")
    else:
        target = f"{path}?{urllib.parse.urlencode({'json': text})}"
        if len(target) < GUNICORN_REQUEST_LINE_LIMIT:
            check(server, "GET", target, None, None)
        else:
            check(server, "POST", path, urllib.parse.urlencode({"json": text}).encode(),
                  "application/x-www-form-urlencoded")


@FUZZ_SETTINGS
@given(path=st.sampled_from(ENDPOINTS), body=st.binary(max_size=200), content_type=content_types, method=methods)
def test_random_bytes_and_content_types(server, path, body, content_type, method):
    check(server, method, path, body, content_type)


@FUZZ_SETTINGS
@given(path=st.text(max_size=30), query=st.text(max_size=20), method=methods, body=st.binary(max_size=50))
def test_random_paths(server, path, query, method, body):
    target = "/" + urllib.parse.quote(path) + ("?" + urllib.parse.quote(query, safe="=&") if query else "")
    check(server, method, target, body, "application/json")


# gRPC: messages valid for the reference's proto (random JSON mostly is not), sent through every unit RPC.
finite32 = st.floats(width=32, allow_nan=False, allow_infinity=False)
proto_meta = st.fixed_dictionaries({}, optional={
    "puid": st.text(max_size=8), "tags": st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    "routing": st.dictionaries(st.text(max_size=5), st.integers(-2**31, 2**31 - 1), max_size=2),
    "requestPath": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    "metrics": st.lists(st.fixed_dictionaries(
        {"key": st.text(max_size=6), "type": st.sampled_from(["COUNTER", "GAUGE", "TIMER"]), "value": finite32},
        optional={"tags": st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2)}), max_size=2)})
proto_data = st.fixed_dictionaries({"names": st.lists(st.text(max_size=4), max_size=3)}) | st.one_of(
    st.fixed_dictionaries({"names": st.lists(st.text(max_size=4), max_size=3), "ndarray": ndarrays}),
    st.fixed_dictionaries({"tensor": st.fixed_dictionaries({"shape": st.lists(st.integers(-2, 6), max_size=4),
                                                            "values": st.lists(st.floats(width=64), max_size=12)})}))
proto_message = st.fixed_dictionaries({}, optional={"meta": proto_meta}).flatmap(lambda base: st.one_of(
    st.just(base), st.builds(lambda d: dict(base, data=d), proto_data),
    st.builds(lambda b: dict(base, binData=__import__("base64").b64encode(b).decode()), st.binary(max_size=40)),
    st.builds(lambda t: dict(base, strData=t), st.text(max_size=20)),
    st.builds(lambda j: dict(base, jsonData=j), json_values)))
UNIT_RPCS = [("Model", "Predict"), ("Generic", "TransformInput"), ("Generic", "TransformOutput"),
             ("Router", "Route"), ("Combiner", "Aggregate"), ("Model", "SendFeedback"), ("Model", "Metadata")]


@pytest.fixture(scope="module")
def grpc_client(server):
    client = Client(server.grpc_target)
    yield client
    client.close()


@FUZZ_SETTINGS
@given(rpc=st.sampled_from(UNIT_RPCS), message=proto_message, others=st.lists(proto_message, max_size=2),
       reward=finite32)
def test_grpc_random_messages(grpc_client, rpc, message, others, reward):
    if rpc[1] == "Aggregate":
        request = {"seldonMessages": [message, *others]}
    elif rpc[1] == "SendFeedback":
        request = {"request": message, "reward": reward, **({"truth": others[0]} if others else {})}
    elif rpc[1] == "Metadata":
        request = None
    else:
        request = message
    code, details, _ = grpc_client.call(*rpc, request)
    sent["count"] += 1
    if code not in ("OK", "INVALID_ARGUMENT"):
        sent["failed"] += 1
        raise AssertionError(f"{rpc} answered {code} {details!r} for {request!r}")
