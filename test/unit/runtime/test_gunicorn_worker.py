"""The REST worker over real sockets: a stalled client delays no one, and is answered or dropped.

Each answer must arrive within ANSWER_BOUND seconds: a generous bound that checks the worker does
not block on a stalled client (it would then wait for the 30 s stall), not a speed measurement.
"""

from __future__ import annotations

import json
import re
import socket
import time

import pytest
import requests

ANSWER_BOUND = 5.0
STALL_SECONDS = 30.0
HALF_HEAD = b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appli"
BODY = b'{"strData": "stalled"}'
HALF_BODY_REQUEST = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY[:10])


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.http_port), timeout=ANSWER_BOUND)
    return sock


def read_response(sock: socket.socket) -> bytes:
    """Everything until the server closes, or one response's head + Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    length = lengths[0] if lengths else 0
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def assert_answers_promptly(server, label: str, session: requests.Session) -> None:
    for client in (requests, session):  # a new connection, and a kept-alive one
        response = client.post(server.url + "/predict", json={"strData": label}, timeout=ANSWER_BOUND)
        assert response.status_code == 200 and response.json()["strData"] == label


def test_clients_stalled_mid_head_and_mid_body_for_30_s_delay_no_other_client(start_server):
    server = start_server("EchoModel", grpc=False)  # the defaults: one worker, one thread
    stalled_head, stalled_body = connect(server), connect(server)
    stalled_head.sendall(HALF_HEAD)
    stalled_body.sendall(HALF_BODY_REQUEST)
    session = requests.Session()
    started, answered = time.monotonic(), 0
    while time.monotonic() - started < STALL_SECONDS:
        assert_answers_promptly(server, f"other-{answered}", session)
        answered += 2
        time.sleep(0.5)
    assert answered >= 2 * STALL_SECONDS / 1.5
    for sock in (stalled_head, stalled_body):  # still connected, still unanswered
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.recv(1)
        sock.settimeout(ANSWER_BOUND)
    # The stalled requests end as bad requests, which get the Seldon 400 status.
    stalled_head.sendall(b"cation/json\r\nContent-Length: 3\r\n\r\nnot")
    stalled_body.sendall(b"x" * (len(BODY) - 10))
    for sock in (stalled_head, stalled_body):
        response = read_response(sock)
        assert status_of(response) == 400 and b'"reason":"MICROSERVICE_BAD_DATA"' in response
    assert_answers_promptly(server, "after", session)
    assert server.proc.poll() is None and server.output().count("Booting worker") == 1


def test_a_request_stalled_past_the_client_timeout_gets_408_and_an_idle_connection_is_closed(start_server):
    server = start_server("EchoModel", grpc=False, env={"SELDON_S2I_CLIENT_TIMEOUT": "1"})
    stalled_head, stalled_body, idle = connect(server), connect(server), connect(server)
    stalled_head.sendall(HALF_HEAD)
    stalled_body.sendall(HALF_BODY_REQUEST)
    for sock in (stalled_head, stalled_body):
        response = read_response(sock)  # the timeout is checked once a second
        assert status_of(response) == 408 and b"Connection: close" in response
        assert json.loads(response.partition(b"\r\n\r\n")[2])["status"]["reason"] == "MICROSERVICE_BAD_DATA"
        assert sock.recv(1) == b""  # closed
    assert idle.recv(1) == b""  # a connection that sent nothing is closed without an answer
    assert_answers_promptly(server, "after", requests.Session())


def test_a_declared_body_over_the_limit_gets_413_before_it_is_sent(start_server):
    server = start_server("EchoModel", grpc=False, env={"SELDON_S2I_MAX_REQUEST_BYTES": "1000"})
    sock = connect(server)
    sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n")
    response = read_response(sock)
    assert status_of(response) == 413 and b"SELDON_S2I_MAX_REQUEST_BYTES" in response
    assert_answers_promptly(server, "after", requests.Session())


def test_a_body_that_cannot_be_framed_gets_a_400_seldon_status_and_the_worker_serves_on(start_server):
    server = start_server("EchoModel", grpc=False)
    for head in (b"Content-Length: -3\r\n", b"Content-Length: 2\r\nContent-Length: 3\r\n",
                 b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nab\r\n0\r\n"):
        sock = connect(server)
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + head + b"\r\n")
        response = read_response(sock)
        sock.close()
        body = json.loads(response.partition(b"\r\n\r\n")[2])
        assert status_of(response) == 400 and body["status"]["reason"] == "MICROSERVICE_BAD_DATA", response
    assert_answers_promptly(server, "after", requests.Session())


def test_json_nested_deeper_than_any_parser_allows_is_a_400_not_a_500(start_server):
    server = start_server("EchoModel", grpc=False)
    response = requests.post(server.url + "/predict", data=b"[" * 100_000 + b"]" * 100_000,
                             headers={"Content-Type": "application/json"}, timeout=ANSWER_BOUND)
    assert response.status_code == 400 and response.json()["status"]["info"] == "Can't find JSON in data"


def request_bytes(label: str) -> bytes:
    body = json.dumps({"strData": label}).encode()
    return (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % len(body)) + body


def test_pipelined_requests_are_answered_in_order_even_when_the_second_arrives_in_pieces(start_server):
    server = start_server("EchoModel", grpc=False)
    sock = connect(server)
    second = request_bytes("second")
    sock.sendall(request_bytes("first") + second[:20])
    assert b'"strData":"first"' in read_response(sock)
    assert_answers_promptly(server, "meanwhile", requests.Session())
    sock.sendall(second[20:])
    assert b'"strData":"second"' in read_response(sock)


def test_a_client_expecting_100_continue_gets_it_before_sending_its_body(start_server):
    server = start_server("EchoModel", grpc=False)
    sock = connect(server)
    body = json.dumps({"strData": "continued"}).encode()
    sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body))
    assert sock.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(body)
    response = read_response(sock)  # the final answer, with no second 100 Continue (gunicorn's own) before it
    assert status_of(response) == 200 and b'"strData":"continued"' in response


def test_with_several_threads_a_stalled_client_delays_no_one_either(start_server):
    server = start_server("EchoModel", grpc=False, env={"GUNICORN_THREADS": "2"})
    stalled = [connect(server) for _ in range(3)]  # more than the threads
    for sock in stalled:
        sock.sendall(HALF_BODY_REQUEST)
    assert_answers_promptly(server, "threads", requests.Session())


@pytest.mark.parametrize("size", [10, 100_000, 2_000_000])
def test_a_body_the_application_did_not_read_does_not_cost_the_next_request_on_the_connection(start_server, size):
    """An unknown route answers without reading the body; gunicorn >= 27 gives up draining past
    64 KiB and closed the kept-alive connection it had just answered, so the next request was lost."""
    server = start_server("EchoModel", grpc=False)
    session = requests.Session()
    for _ in range(2):
        response = session.post(server.url + "/no-such-route", data=b"x" * size,
                                headers={"Content-Type": "application/json"}, timeout=ANSWER_BOUND)
        assert response.status_code == 500 and response.headers["Connection"] == "keep-alive"
        assert_answers_promptly(server, f"after-{size}", session)
    # The same with the next request pipelined behind the unread body on one socket.
    sock = connect(server)
    following = b'{"strData": "next"}'
    sock.sendall(b"POST /no-such-route HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % size + b"x" * size
                 + b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(following) + following)
    received = b""
    while chunk := sock.recv(65536):  # both answers, until the server closes after the second
        received += chunk
    first, second = received.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"500 ") and second.startswith(b"200 ")
    assert json.loads(second.split(b"\r\n\r\n", 1)[1])["strData"] == "next"
    assert server.proc.poll() is None


def test_answers_carry_the_current_date_and_arrive_whole_in_one_write(start_server):
    """The worker formats Date once per second and sends head and body in one sendall: the Date
    must still move with the clock, and every header and byte of the body must be there."""
    from email.utils import parsedate_to_datetime

    server = start_server("EchoModel", grpc=False)
    session = requests.Session()
    dates = []
    for label in ("first", "second"):
        response = session.post(server.url + "/predict", json={"strData": label}, timeout=ANSWER_BOUND)
        assert response.status_code == 200 and response.json()["strData"] == label
        assert int(response.headers["Content-Length"]) == len(response.content)
        dates.append(parsedate_to_datetime(response.headers["Date"]).timestamp())
        assert abs(dates[-1] - time.time()) < 2
        time.sleep(1.1)
    assert dates[1] > dates[0]


def test_hundreds_of_requests_pipelined_in_one_send_are_all_answered_in_order(start_server):
    server = start_server("EchoModel", grpc=False)  # one thread: requests run on the event loop's thread
    sock = connect(server)
    count = 400  # each pipelined request finished by recursion would need ~6 frames: past Python's limit
    last = request_bytes(f"r{count - 1}").replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n")
    sock.sendall(b"".join(request_bytes(f"r{i}") for i in range(count - 1)) + last)
    data = b""
    while chunk := sock.recv(1 << 16):  # the last request asks the server to close after its answer
        data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == count, server.output()[-2000:]
    assert re.findall(rb'"strData":"(r\d+)"', data) == [f"r{i}".encode() for i in range(count)]
    assert_answers_promptly(server, "after", requests.Session())


def test_the_worker_keeps_its_heartbeat_while_idle_and_busy(start_server):
    server = start_server("EchoModel", grpc=False, env={"GUNICORN_TIMEOUT": "2"})  # killed after 2 s without one
    session = requests.Session()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        assert_answers_promptly(server, "beat", session)
        time.sleep(1.5)
    assert "WORKER TIMEOUT" not in server.output() and "Booting worker" in server.output()
    assert server.output().count("Booting worker") == 1
