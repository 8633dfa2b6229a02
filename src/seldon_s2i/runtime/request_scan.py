"""When has a complete HTTP/1.x request arrived? A sans-IO scanner for the REST worker's event loop.

The worker (gunicorn_worker.py) buffers each request until this scanner says it is complete, and
only then hands it to gunicorn's own parser, which does all the real parsing and validation from
the buffer. So the scanner only needs to find where the first request ends: the blank line after
the headers, then `Content-Length` bytes or a chunked body up to its last chunk and trailers. Two
rewrites on the way (`take`): a chunked body is joined and given a Content-Length (gunicorn read the
chunks out of a whole buffered request quadratically), and `Expect: 100-continue`, answered by the
worker already, is dropped.
Whatever it cannot frame (a malformed or repeated length, a malformed chunk size, both framings at
once) it rejects with 400 itself, so the client gets a Seldon status body rather than gunicorn's
HTML page or a 500 from a body read inside the app. This layer does no IO.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

MAX_HEAD_BYTES = 64 * 1024  # request line + headers (gunicorn's own per-line limits apply after)
MAX_CHUNK_LINE_BYTES = 4096
HEX_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


def _is_expect_continue(line: bytes) -> bool:
    name, _, value = line.partition(b":")
    return name.strip().lower() == b"expect" and value.strip().lower() == b"100-continue"


class RequestRejected(Exception):
    """The request cannot be accepted whatever follows: `status` (400, 413 or 431) and a reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class RequestScanner:
    """Feed bytes as they arrive; `feed` returns True once the first request in them is complete.

    Scanning resumes where it stopped, so a large body costs O(n) in total. Raises RequestRejected
    for a head over MAX_HEAD_BYTES or a body over `max_body` bytes (declared or received).
    """

    def __init__(self, max_body: int) -> None:
        self.buf = bytearray()
        self.max_body = max_body
        self._head_searched = 0  # the blank line is not before this offset
        self._body_start: Optional[int] = None
        self._length: Optional[int] = None  # Content-Length framing: the body's size
        self._chunk_pos: Optional[int] = None  # chunked framing: where the next chunk-size line starts
        self.expects_continue = False
        self._expect_header = False
        self._chunks: List[Tuple[int, int]] = []  # chunked framing: (offset, size) of each chunk's data
        self._chunked_size = 0  # their total
        self._chunked_only = False  # Transfer-Encoding is exactly "chunked" (no other coding)
        self._end: Optional[int] = None  # chunked framing: where the request ends (after its trailers)

    @property
    def started(self) -> bool:
        """Whether any byte of a request has arrived."""
        return bool(self.buf)

    @property
    def head_complete(self) -> bool:
        return self._body_start is not None

    def feed(self, data: bytes) -> bool:
        self.buf += data
        if self._body_start is None and not self._scan_head():
            return False
        if self._length is not None:
            return len(self.buf) - self._body_start >= self._length  # type: ignore[operator]
        if self._chunk_pos is not None:
            return self._scan_chunks()
        return True

    def _scan_head(self) -> bool:
        end = self.buf.find(b"\r\n\r\n", self._head_searched)
        self._head_searched = max(0, len(self.buf) - 3)
        if end < 0 or end > MAX_HEAD_BYTES:
            if len(self.buf) > MAX_HEAD_BYTES:
                raise RequestRejected(431, f"request head larger than {MAX_HEAD_BYTES} bytes")
            return False
        self._body_start = end + 4
        self._frame(bytes(self.buf[:end]))
        return True

    def _frame(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        length: Optional[bytes] = None
        chunked = False
        codings: List[bytes] = []
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                if length is not None:
                    raise RequestRejected(400, "Content-Length given more than once")
                length = value.strip()
            elif name == b"transfer-encoding":
                chunked = chunked or b"chunked" in value.lower()
                codings.append(value.strip().lower())
            elif name == b"expect":
                self.expects_continue = value.strip().lower() == b"100-continue" and lines[0].endswith(b"/1.1")
                self._expect_header = True
        if chunked and length is not None:
            raise RequestRejected(400, "both Content-Length and Transfer-Encoding: chunked")
        if chunked:
            self._chunk_pos = self._body_start
            self._chunked_only = codings == [b"chunked"]
        elif length is not None:
            if not length.isdigit():
                raise RequestRejected(400, f"invalid Content-Length {length[:40].decode('latin-1')!r}")
            self._length = int(length)
            if self._length > self.max_body:
                raise RequestRejected(413, f"declared body of {self._length} bytes over the limit")

    def _scan_chunks(self) -> bool:
        pos = self._chunk_pos
        assert pos is not None and self._body_start is not None
        while True:
            line_end = self.buf.find(b"\r\n", pos)
            if line_end < 0:
                if len(self.buf) - pos > MAX_CHUNK_LINE_BYTES:
                    raise RequestRejected(400, f"chunk-size line longer than {MAX_CHUNK_LINE_BYTES} bytes")
                self._chunk_pos = pos
                return False
            size_text = bytes(self.buf[pos:line_end]).split(b";", 1)[0].strip()
            if not HEX_SIZE.fullmatch(size_text):
                raise RequestRejected(400, f"invalid chunk size {size_text[:40].decode('latin-1')!r}")
            size = int(size_text, 16)
            if size == 0:  # last chunk: trailers (possibly none) end with an empty line
                if self.buf[line_end + 2:line_end + 4] == b"\r\n":
                    self._end = line_end + 4
                    return True
                trailers_end = self.buf.find(b"\r\n\r\n", line_end)
                if trailers_end >= 0:
                    self._end = trailers_end + 4
                    return True
                self._chunk_pos = pos
                return False
            next_pos = line_end + 2 + size + 2
            if self._chunked_size + size > self.max_body:
                raise RequestRejected(413, "chunked body over the limit")
            if next_pos - self._body_start > 2 * self.max_body + MAX_HEAD_BYTES:  # mostly chunk-size lines
                raise RequestRejected(413, "chunked body's framing over twice the limit")
            if len(self.buf) < next_pos:
                self._chunk_pos = pos
                return False
            if self.buf[next_pos - 2:next_pos] != b"\r\n":
                raise RequestRejected(400, "chunk data not followed by CRLF")
            self._chunks.append((line_end + 2, size))
            self._chunked_size += size
            pos = next_pos

    def take(self) -> bytes:
        """Everything buffered (the complete request and any bytes pipelined behind it), without the
        request's `Expect` header: the worker has answered `100-continue` itself (or the body came
        without waiting for it), and gunicorn, once the body is here, would send its own again.
        Another expectation stays (gunicorn answers it 417)."""
        if self._chunked_only and self._end is not None:
            return self._take_dechunked()
        data = bytes(self.buf)
        self.buf = bytearray()
        if self._expect_header and self._body_start is not None:
            head_end = self._body_start - 4
            lines = data[:head_end].split(b"\r\n")
            kept = [lines[0]] + [line for line in lines[1:] if not _is_expect_continue(line)]
            data = b"\r\n".join(kept) + data[head_end:]
        return data

    def _take_dechunked(self) -> bytes:
        """take() for a complete chunked request: its body joined and sent on with a Content-Length
        instead of Transfer-Encoding (trailers dropped). gunicorn read the chunks one by one out of its
        buffer of the whole request, copying the rest each time: quadratic in the number of chunks
        (a 800 KB body in 7-byte chunks: 9 s on gunicorn 27)."""
        assert self._body_start is not None and self._end is not None
        buf, self.buf = self.buf, bytearray()
        lines = bytes(buf[:self._body_start - 4]).split(b"\r\n")
        kept = [lines[0]] + [line for line in lines[1:] if not _is_expect_continue(line)
                             and line.partition(b":")[0].strip().lower() != b"transfer-encoding"]
        body = b"".join(buf[start:start + size] for start, size in self._chunks)
        kept.append(b"Content-Length: %d" % len(body))
        return b"\r\n".join(kept) + b"\r\n\r\n" + body + bytes(buf[self._end:])
