"""The gRPC worker over real sockets: a stalled client delays no one; the model keeps its thread limit.

The stalled clients speak raw HTTP/2 (a few frames packed with struct; HPACK literal fields), so
they can stop exactly where a slow or hostile client would: after the HEADERS of a unary call, or
in the middle of its message. Each other answer must arrive within ANSWER_BOUND seconds: a
generous bound that checks the worker does not wait for the 30 s stall, not a speed measurement.
"""

from __future__ import annotations

import signal
import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List, Tuple

import grpc
import pytest

from seldon_s2i.runtime.proto import prediction_pb2 as pb

ANSWER_BOUND = 5.0
STALL_SECONDS = 30.0
PREDICT = "/seldon.protos.Model/Predict"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, SETTINGS, PING = 0, 1, 4, 6
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1


# ------------------------------------------------------------------ raw HTTP/2 client
def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    """One HTTP/2 frame (RFC 9113 §4.1): 24-bit length, type, flags, 31-bit stream id."""
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", kind, flags, stream) + payload


def literal(name: str, value: str) -> bytes:
    """An HPACK literal header field without indexing, new name (RFC 7541 §6.2.2), short strings."""
    return b"\x00" + bytes([len(name)]) + name.encode() + bytes([len(value)]) + value.encode()


def grpc_message(message: bytes) -> bytes:
    """A gRPC length-prefixed message: uncompressed flag, 32-bit length, bytes."""
    return struct.pack(">BI", 0, len(message)) + message


class StalledClient:
    """A raw HTTP/2 connection that opens one unary Predict call on stream 1 and stops sending."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_BOUND)
        self.buffer = b""
        fields = [(":method", "POST"), (":scheme", "http"), (":path", PREDICT), (":authority", "127.0.0.1"),
                  ("content-type", "application/grpc"), ("te", "trailers")]
        block = b"".join(literal(name, value) for name, value in fields)
        self.sock.sendall(PREFACE + frame(SETTINGS, 0, 0) + frame(HEADERS, END_HEADERS, 1, block))

    def send_data(self, data: bytes, end: bool = False) -> None:
        self.sock.sendall(frame(DATA, END_STREAM if end else 0, 1, data))

    def frames(self, timeout: float) -> List[Tuple[int, int, int, bytes]]:
        """The frames received within `timeout` s (SETTINGS and PING acknowledged, as a client must)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self.buffer += chunk
        except socket.timeout:
            pass
        received = []
        while len(self.buffer) >= 9:
            length = struct.unpack(">I", b"\x00" + self.buffer[:3])[0]
            if len(self.buffer) < 9 + length:
                break
            kind, flags, stream = struct.unpack(">BBI", self.buffer[3:9])
            payload, self.buffer = self.buffer[9:9 + length], self.buffer[9 + length:]
            received.append((kind, flags, stream & 0x7FFFFFFF, payload))
            if kind in (SETTINGS, PING) and not flags & ACK:
                self.sock.sendall(frame(kind, ACK, 0, payload if kind == PING else b""))
        return received

    def stream_frames(self, timeout: float) -> List[Tuple[int, int, int, bytes]]:
        return [f for f in self.frames(timeout) if f[2] == 1]


# ------------------------------------------------------------------ ordinary clients
def predict(channel: grpc.Channel, text: str) -> pb.SeldonMessage:
    call = channel.unary_unary(PREDICT, request_serializer=pb.SeldonMessage.SerializeToString,
                               response_deserializer=pb.SeldonMessage.FromString)
    return call(pb.SeldonMessage(strData=text), timeout=ANSWER_BOUND)


def assert_answers_promptly(server, label: str, kept: grpc.Channel) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as fresh:
        for channel in (fresh, kept):  # a new connection, and a kept one
            assert predict(channel, label).strData == label


def test_grpc_clients_stalled_after_headers_and_mid_message_for_30_s_delay_no_other_client(start_server):
    server = start_server("EchoModel")  # the defaults: one gRPC worker, one thread
    message = pb.SeldonMessage(strData="stalled").SerializeToString()
    after_headers, mid_message = StalledClient(server.grpc_port), StalledClient(server.grpc_port)
    mid_message.send_data(grpc_message(message)[:8])
    kept = grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}")
    started, answered = time.monotonic(), 0
    while time.monotonic() - started < STALL_SECONDS:
        assert_answers_promptly(server, f"other-{answered}", kept)
        answered += 2
        for client in (after_headers, mid_message):  # keep the stalled connections serviced
            client.frames(0.25)
    assert answered >= 2 * STALL_SECONDS / 1.5
    for client in (after_headers, mid_message):  # still connected, still unanswered
        assert client.stream_frames(0.1) == []
    # The stalled calls complete normally once their message arrives.
    after_headers.send_data(grpc_message(message), end=True)
    mid_message.send_data(grpc_message(message)[8:], end=True)
    for client in (after_headers, mid_message):
        frames = client.stream_frames(ANSWER_BOUND)
        answer = b"".join(payload for kind, _, _, payload in frames if kind == DATA)
        assert pb.SeldonMessage.FromString(answer[5:]).strData == "stalled"
        assert any(kind == HEADERS and flags & END_STREAM for kind, flags, _, _ in frames)  # the trailers
    assert_answers_promptly(server, "after", kept)
    kept.close()
    assert server.proc.poll() is None and server.output().count("gRPC worker listening") == 1


@pytest.mark.parametrize("threads", [1, 3])
def test_the_model_never_sees_more_concurrent_grpc_calls_than_grpc_threads(start_server, threads):
    server = start_server("OverlapModel", env={"GRPC_THREADS": str(threads)})
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: predict(channel, str(i)), range(64)))
    most = max(int(answer.strData) for answer in answers)
    assert most == threads  # 8 clients at once: the limit is reached, and never passed


def test_sigterm_lets_an_in_flight_grpc_call_finish_and_the_service_exit_cleanly(start_server):
    server = start_server("FullModel")
    slow = pb.SeldonMessage()
    slow.data.ndarray.extend([[7, 1.5]])  # FullModel sleeps 1.5 s on it
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        call = channel.unary_unary(PREDICT, request_serializer=pb.SeldonMessage.SerializeToString,
                                   response_deserializer=pb.SeldonMessage.FromString)
        future = call.future(slow, timeout=30)
        time.sleep(0.5)
        server.proc.send_signal(signal.SIGTERM)
        answer = future.result()
    assert list(answer.data.ndarray[0]) == [7.0, 1.5]
    assert server.proc.wait(40) == 0


def test_two_grpc_workers_share_the_port_and_both_start(start_server):
    server = start_server("EchoModel", env={"GRPC_WORKERS": "2"})
    for index in range(20):  # a new connection each: the kernel spreads them over both workers
        with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
            assert predict(channel, f"call-{index}").strData == f"call-{index}"
    deadline = time.monotonic() + 30  # ready means one worker listens; the other may still be starting
    while server.output().count("gRPC worker listening") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.output().count("gRPC worker listening") == 2 and server.proc.poll() is None


@pytest.mark.parametrize("experiments, engine, not_engine", [
    (None, "tcp_posix.cc", "posix_endpoint.cc"),  # ours: grpcio's iomgr TCP, read by the poller thread
    ("", "posix_endpoint.cc", "tcp_posix.cc"),  # the operator's GRPC_EXPERIMENTS wins: grpcio's default
])
def test_the_grpc_worker_reads_its_connections_without_event_engine_threads_unless_grpc_experiments_is_set(
        start_server, monkeypatch, experiments, engine, not_engine):
    monkeypatch.delenv("GRPC_EXPERIMENTS", raising=False)
    env = {"GRPC_VERBOSITY": "debug", "GRPC_TRACE": "tcp,event_engine_endpoint"}  # each names its source file
    if experiments is not None:
        env["GRPC_EXPERIMENTS"] = experiments
    server = start_server("EchoModel", env=env)
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        assert predict(channel, "traced").strData == "traced"
    log = server.output()
    assert engine in log and not_engine not in log
