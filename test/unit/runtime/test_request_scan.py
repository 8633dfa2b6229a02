"""The request scanner: complete exactly when the first request's last byte has arrived."""

from __future__ import annotations

import pytest

from seldon_s2i.runtime.request_scan import MAX_HEAD_BYTES, RequestRejected, RequestScanner

COMPLETE_REQUESTS = [
    b"GET /health/ping HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /predict HTTP/1.1\r\nHost: x\r\ncontent-length: 11\r\n\r\n{\"a\": [1]}\n",
    b"POST /predict HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab\r\n\r\n3;ext=1\r\ncde\r\n0\r\n\r\n",
    b"POST /p HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n1\r\nx\r\n0\r\nX-Trailer: 1\r\n\r\n",
]


# take() hands a chunked request on with its body joined and a Content-Length.
DECHUNKED = {b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab\r\n\r\n3;ext=1\r\ncde\r\n0\r\n\r\n":
             b"POST /p HTTP/1.1\r\nContent-Length: 7\r\n\r\nab\r\ncde"}


@pytest.mark.parametrize("request_bytes", COMPLETE_REQUESTS)
def test_fed_byte_by_byte_a_request_is_complete_at_its_last_byte_and_not_before(request_bytes):
    scanner = RequestScanner(max_body=1 << 20)
    states = [scanner.feed(request_bytes[i:i + 1]) for i in range(len(request_bytes))]
    assert states == [False] * (len(request_bytes) - 1) + [True]
    assert scanner.take() == DECHUNKED.get(request_bytes, request_bytes)


@pytest.mark.parametrize("request_bytes", COMPLETE_REQUESTS)
def test_a_request_with_the_next_one_pipelined_behind_it_is_complete(request_bytes):
    scanner = RequestScanner(max_body=1 << 20)
    assert scanner.feed(request_bytes + b"POST /predict HTTP/1.1\r\nContent-Le")


UNFRAMEABLE = [
    b"POST /p HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",  # malformed length
    b"POST /p HTTP/1.1\r\nContent-Length: -1\r\n\r\n",  # negative length
    b"POST /p HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",  # repeated
    b"POST /p HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",  # both framings
    b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # malformed chunk size
    b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n",  # negative chunk size
    b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 5000,  # endless chunk-size line
]


@pytest.mark.parametrize("request_bytes", UNFRAMEABLE)
def test_a_request_whose_body_cannot_be_framed_is_rejected_with_400_without_waiting(request_bytes):
    with pytest.raises(RequestRejected) as info:
        RequestScanner(max_body=1 << 20).feed(request_bytes)
    assert info.value.status == 400


def test_a_head_over_the_limit_is_rejected_with_431():
    scanner = RequestScanner(max_body=1 << 20)
    with pytest.raises(RequestRejected) as info:
        scanner.feed(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * MAX_HEAD_BYTES)
    assert info.value.status == 431


def test_a_declared_or_chunked_body_over_the_limit_is_rejected_with_413_before_it_arrives():
    with pytest.raises(RequestRejected) as info:
        RequestScanner(max_body=100).feed(b"POST /p HTTP/1.1\r\nContent-Length: 101\r\n\r\n")
    assert info.value.status == 413
    with pytest.raises(RequestRejected) as info:
        RequestScanner(max_body=100).feed(b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n")
    assert info.value.status == 413


def test_expect_100_continue_is_noticed_for_http_1_1_only():
    scanner = RequestScanner(max_body=100)
    assert not scanner.feed(b"POST /p HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n")
    assert scanner.expects_continue
    old = RequestScanner(max_body=100)
    assert not old.feed(b"POST /p HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
    assert not old.expects_continue


def test_take_drops_the_first_requests_expect_100_continue_and_keeps_everything_else():
    scanner = RequestScanner(max_body=100)
    assert scanner.feed(b"POST /p HTTP/1.1\r\nExpect: 100-Continue\r\nExpect: x\r\nContent-Length: 2\r\n\r\nab"
                        b"GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")
    assert scanner.take() == (b"POST /p HTTP/1.1\r\nExpect: x\r\nContent-Length: 2\r\n\r\nab"
                              b"GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")


def test_a_chunked_request_is_handed_on_with_a_content_length_trailers_dropped_and_the_next_request_kept():
    scanner = RequestScanner(max_body=100)
    assert scanner.feed(b"POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                        + b"1\r\na\r\n" * 60 + b"0\r\nX-Trailer: t\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    assert scanner.take() == (b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n\r\n" + b"a" * 60
                              + b"GET / HTTP/1.1\r\n\r\n")


def test_the_limit_counts_a_chunked_bodys_data_not_its_framing():
    framed = b"".join(b"a\r\n" + b"x" * 10 + b"\r\n" for _ in range(10)) + b"0\r\n\r\n"  # 100 bytes of data
    assert RequestScanner(max_body=100).feed(b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + framed)
    with pytest.raises(RequestRejected) as info:
        RequestScanner(max_body=99).feed(b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + framed)
    assert info.value.status == 413


def test_chunk_data_not_followed_by_crlf_is_a_400_and_another_coding_is_left_to_gunicorn():
    with pytest.raises(RequestRejected) as info:
        RequestScanner(max_body=100).feed(b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          b"2\r\nabc\r\n0\r\n\r\n")
    assert info.value.status == 400
    gzipped = b"POST /p HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"
    scanner = RequestScanner(max_body=100)
    assert scanner.feed(gzipped) and scanner.take() == gzipped
