"""The REST worker: gunicorn's gthread worker whose event loop reads every request completely before
a request thread (or, with one thread, the loop itself) handles it.

Why: gunicorn's workers read a request on the thread that then runs the application. A client that
sends half a request (some headers, or a Content-Length with half its body) and waits blocks that
thread; with the default of one thread per worker (the model sees one request at a time, as under
the reference's `sync` worker), every other client waits until it gives up. Here the event loop
reads each connection without blocking into a buffer (request_scan.RequestScanner says when the
first request in it is complete) and hands over only complete requests: gunicorn's own parser then
reads them from that buffer, never from the socket. A request whose head has not arrived
`client_timeout` seconds (SELDON_S2I_CLIENT_TIMEOUT, default 60 as nginx's client_header_timeout
and client_body_timeout) after its first byte, or whose body makes no progress for as long, gets a
408 Seldon status and the connection is closed (a new connection that sends nothing for as long is
closed without an answer); a head over 64 KiB gets 431, a body over SELDON_S2I_MAX_REQUEST_BYTES
413 (before it is read).

With one thread (the default) the request runs on the event loop's thread (InlineExecutor):
gthread's hand-off to a pool thread and back costs two thread switches per request, more than the
request itself for small predictions (bench/serve.py). Keep-alive, worker timeouts, graceful shutdown
and max-requests stay gthread's own. Not covered: a client that reads its response slowly still
holds the thread while the response is written (the reference's sync worker does the same).
Works with gunicorn 23 (Python 3.9's lock) and 27: it overrides only `enqueue_req`, where every
connection with something to read arrives, and `murder_keepalived`, which both call once a second
(and once more after SIGTERM: there the connections queued on the listeners are accepted and
answered, not reset), and on gunicorn >= 24 `set_accept_enabled` for the same. On gunicorn 23 (the
Python 3.9 images) `finish_request` also hands a kept-alive connection whose next request is already
buffered (pipelined) back to the event loop through a wake-up socket: 23 waits for the socket to become
readable, which it never does, and dropped those requests at the keep-alive timeout.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import io
import selectors
import socket
import time
from concurrent import futures
from functools import partial
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

import gunicorn
from gunicorn import util as gunicorn_util
from gunicorn.http import message as gunicorn_message
from gunicorn.http import unreader as gunicorn_unreader
from gunicorn.http import wsgi as gunicorn_wsgi
from gunicorn.workers.gthread import TConn, ThreadWorker

from seldon_s2i.runtime import jsonout
from seldon_s2i.runtime.errors import BAD_DATA, status_body
from seldon_s2i.runtime.request_scan import RequestRejected, RequestScanner
from seldon_s2i.runtime.rest.common import TOO_LARGE
from seldon_s2i.runtime.v2.json_codec import error_body

RECV_BYTES = 256 * 1024
# The worker's heartbeat to the arbiter (gunicorn touches a file on every turn of its loop: a system call
# per request or two) is sent at most this often, or a quarter of the worker timeout if that is shorter.
HEARTBEAT_SECONDS = 1.0
# gunicorn < 24 (the Python 3.9 lock's 23) needs three workarounds: it re-arms a kept-alive connection for
# readability only, so a request pipelined behind the last one, already in the parser's buffer, waited for
# the keep-alive timeout and was dropped (served through a wake-up instead, whose stale read events are
# then ignored); and its buffer copies quadratically (requests go through _InMemoryUnreader).
GUNICORN_BEFORE_24 = gunicorn.version_info < (24,)
CLOSED = "closed"
REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 431: "Request Header Fields Too Large"}


class OneWriteResponse(gunicorn_wsgi.Response):
    """gunicorn's response, sending the head and a body of known length in one `sendall` (gunicorn
    sends the head, then each body chunk): one system call and one TCP segment fewer per answer
    (with the Date cache below, ~10 % less worker CPU per tiny prediction, bench/serve_v2.py).
    Anything else (chunked, HEAD, a body longer than its Content-Length, sendfile) is gunicorn's own path."""

    def write(self, arg: bytes) -> None:
        if (self.headers_sent or self.chunked or not isinstance(arg, bytes) or not arg
                or self.response_length is None or len(arg) > self.response_length
                or self.req.method == "HEAD" or getattr(self, "_omits_body", False)):
            super().write(arg)
            return
        head = self.default_headers()
        head.extend([f"{name}: {value}\r\n" for name, value in self.headers])
        self.headers_sent = True
        self.sent += len(arg)
        gunicorn_util.write(self.sock, gunicorn_util.to_bytestring("".join(head) + "\r\n", "latin-1") + arg)


gunicorn_wsgi.Response = OneWriteResponse  # type: ignore[misc]  # what gunicorn.http.wsgi.create() makes

_format_http_date = gunicorn_util.http_date
_http_date: Tuple[int, str] = (0, "")


def http_date(timestamp: Optional[float] = None) -> str:
    """gunicorn's `util.http_date` (the Date header), formatted once per second, not per answer
    (email.utils.formatdate was ~3 % of a tiny prediction's worker time), as nginx and uvicorn do."""
    global _http_date
    if timestamp is not None:
        return _format_http_date(timestamp)
    now = int(time.time())
    cached = _http_date
    if cached[0] != now:
        cached = _http_date = (now, _format_http_date(now))
    return cached[1]


gunicorn_util.http_date = http_date

# gunicorn >= 25 decides per request whether the peer may set X-Forwarded-* headers by parsing its address
# with the ipaddress module (~4 % of a tiny prediction's worker time): the answer for an address is
# remembered, keyed by the configured networks' list (the Config caches it, so its identity is stable).
_ip_in_allow_list = getattr(gunicorn_message, "_ip_in_allow_list", None)
_peer_allowed: Dict[Tuple[str, int], bool] = {}


def _remembered_ip_in_allow_list(ip_str: str, allow_list: Any, networks: Any) -> bool:
    """gunicorn.http.message._ip_in_allow_list, each answer remembered (at most 1024 addresses)."""
    key = (ip_str, id(networks))
    allowed = _peer_allowed.get(key)
    if allowed is None:
        if len(_peer_allowed) >= 1024:
            _peer_allowed.clear()
        allowed = _peer_allowed[key] = bool(_ip_in_allow_list(ip_str, allow_list, networks))  # type: ignore[misc]
    return allowed


if _ip_in_allow_list is not None:
    gunicorn_message._ip_in_allow_list = _remembered_ip_in_allow_list  # type: ignore[attr-defined]


class InlineExecutor(futures.Executor):
    """An executor that runs each call at once in the submitting thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> futures.Future[Any]:
        future: futures.Future[Any] = futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - as a pool thread would, the future carries it
            future.set_exception(exc)
        return future


def rejection(status: int, info: str, v2: bool = False) -> bytes:
    """A complete `Connection: close` HTTP/1.1 response with a Seldon status body (errors.status_body),
    or with `v2` the Open Inference error body `{"error": info}` (MLServer's)."""
    body = error_body(info) if v2 else jsonout.dumps(status_body(info, BAD_DATA))
    head = (f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("latin-1") + body


def _discard_unread_body(parser: Any) -> bool:
    """Read and drop what the application left unread of the last request's body; False when that
    fails (a malformed chunk): where the next request starts is then unknown.

    Never waits for the socket: the whole request is in the parser's buffer (the scanner said so
    before it was handed over)."""
    mesg = getattr(parser, "mesg", None)
    if mesg is None:
        return True
    try:
        while mesg.body.read(RECV_BYTES):
            pass
    except Exception:  # noqa: BLE001 - gunicorn's body readers raise their own errors (bad chunks)
        return False
    return True


class _InMemoryUnreader(gunicorn_unreader.SocketUnreader):
    """gunicorn 23's unreader over a request the worker already holds: its bytes are handed out in
    socket-sized chunks. Unread into gunicorn 23's buffer whole, every 1 KiB its body reader took copied
    all the rest (a 24 MB body: 56 s to read); gunicorn >= 24 reads its buffer without that."""

    def __init__(self, sock: Any, data: bytes) -> None:
        super().__init__(sock)
        self.pending, self.offset = data, 0

    def chunk(self) -> bytes:
        if self.offset < len(self.pending):
            piece = self.pending[self.offset:self.offset + self.mxchunk]
            self.offset += len(piece)
            return piece
        return super().chunk()  # not reached for a complete request

    def take_pending(self) -> bytes:
        """What was not handed out yet (pipelined requests), removed."""
        rest = self.pending[self.offset:]
        self.pending, self.offset = b"", 0
        return rest


def _buffered(unreader: Any) -> bool:
    """Whether gunicorn's unreader holds bytes it read ahead of the last request (a pipelined request)."""
    return bool(unreader.buf.getvalue()) or (
        isinstance(unreader, _InMemoryUnreader) and unreader.offset < len(unreader.pending))


def _take_buffered(conn: Any) -> Optional[bytes]:
    """Bytes gunicorn's parser read ahead of the last request (a pipelined request), taken out of it
    (gunicorn 27 has `Unreader.take_buffered`; 23 does not); None when where the next request
    starts is unknown (the connection must close).

    First the part of the last request's body that the application did not read is discarded (an
    unknown route answered without reading a 1 MB body): the whole request is in the buffer (the
    scanner said so before it was handed over), so this never waits for the socket. Left there, it
    was taken for the next request's head and that request was dropped."""
    if conn.parser is None:
        return b""
    if not _discard_unread_body(conn.parser):
        return None
    unreader = conn.parser.unreader
    data = unreader.buf.getvalue()
    unreader.buf = io.BytesIO()
    if isinstance(unreader, _InMemoryUnreader):
        data += unreader.take_pending()
    return data


class _Reading:
    """A connection whose next request is still arriving."""

    def __init__(self, conn: Any, max_body: int, timeout: float) -> None:
        self.conn, self.timeout = conn, timeout
        self.scanner = RequestScanner(max_body)
        self.started_at: Optional[float] = None  # when the request's first byte came
        self.waiting_since = self.last_byte_at = time.monotonic()
        self.continue_sent = False
        self.outcome: Any = None  # None (reading or complete), CLOSED, or a RequestRejected

    def expired(self, now: float) -> bool:
        """Whether the head took longer than the timeout (counted from the connection's turn to
        send, when nothing came yet), or the body paused as long."""
        if not self.scanner.head_complete:
            return now - (self.started_at or self.waiting_since) > self.timeout
        return now - self.last_byte_at > self.timeout


class BufferedWorker(ThreadWorker):
    """gthread reading each request completely in its event loop (see the module docstring).

    `max_body` (bytes), `client_timeout` (seconds) and `protocol` are set by `worker_class`;
    GUNICORN_THREADS=1 runs requests inline."""

    max_body = 256 * 1024 * 1024
    client_timeout = 60.0
    protocol = "v1"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading: Dict[Any, _Reading] = {}
        self._backlog_taken = False
        self._heartbeat_at = -HEARTBEAT_SECONDS
        self._inline: Deque[Any] = collections.deque()
        self._inline_running = False

    def notify(self) -> None:
        """gunicorn's heartbeat, at most once per HEARTBEAT_SECONDS (or timeout / 4)."""
        now = time.monotonic()
        interval = min(HEARTBEAT_SECONDS, self.cfg.timeout / 4) if self.cfg.timeout else HEARTBEAT_SECONDS
        if now - self._heartbeat_at >= interval:
            self._heartbeat_at = now
            super().notify()

    @property
    def _poller_lock(self) -> Any:
        """gunicorn 23 registers kept-alive sockets from pool threads under `_lock` (made in
        init_process); 27 only from the event loop, with no lock."""
        return getattr(self, "_lock", None) or contextlib.nullcontext()

    # ---- gunicorn < 24: a pipelined request already buffered is served at once (GUNICORN_BEFORE_24)

    def run(self) -> None:
        if GUNICORN_BEFORE_24:
            self._pipelined: List[Any] = []
            wake_read, self._wake = socket.socketpair()
            wake_read.setblocking(False)
            self._wake.setblocking(False)
            with self._poller_lock:
                self.poller.register(wake_read, selectors.EVENT_READ, self._serve_pipelined)
        super().run()

    def finish_request(self, *args: Any) -> None:
        super().finish_request(*args)  # gunicorn 23: (fs); 27: (conn, fs)
        if not GUNICORN_BEFORE_24:
            return
        conn = getattr(args[-1], "conn", None)
        kept = vars(self).get("_keep", ())  # gunicorn 23's kept-alive connections (27 has none)
        if conn is not None and conn in kept and conn.parser is not None and _buffered(conn.parser.unreader):
            self._pipelined.append(conn)  # served by the event loop, not here (no recursion per pipelined request)
            with contextlib.suppress(BlockingIOError):
                self._wake.send(b"\0")

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        """gunicorn 23: an event for a connection served meanwhile in the same turn of the loop (its
        pipelined requests handed over through the wake-up, then closed or waiting for its next request
        under another callback) is stale: 23 unregistered the closed socket (fd -1) and the worker died."""
        if GUNICORN_BEFORE_24:
            try:
                key = self.poller.get_key(client)
            except (KeyError, ValueError):  # not registered any more / closed
                return
            data = key.data
            if getattr(data, "args", (None,))[:1] != (conn,) or getattr(getattr(data, "func", None), "__name__", "") \
                    != "on_client_socket_readable":
                return
        super().on_client_socket_readable(conn, client)

    def _serve_pipelined(self, wake_read: Any) -> None:
        with contextlib.suppress(BlockingIOError):
            while wake_read.recv(4096):
                pass
        ready, self._pipelined = self._pipelined, []
        kept = vars(self)["_keep"]
        for conn in ready:
            with self._poller_lock:
                if conn not in kept:  # closed meanwhile (keep-alive timeout, shutdown)
                    continue
                kept.remove(conn)
                self.poller.unregister(conn.sock)
            self.enqueue_req(conn)

    # gunicorn types it ThreadPoolExecutor, but only ever calls submit() and shutdown().
    def get_thread_pool(self) -> futures.Executor:  # type: ignore[override]
        if self.cfg.threads == 1:
            return InlineExecutor()
        return super().get_thread_pool()

    def _keepalive_after(self, conn: Any, keepalive: bool) -> bool:
        """gunicorn >= 27 drains an unread body before keep-alive, but gives up (closing the
        connection it has just answered with `Connection: keep-alive`) past 64 KiB, so the client's
        next request was lost: here the body is in memory already, so all of it is dropped."""
        return keepalive and _discard_unread_body(conn.parser)

    # ---- every connection with something to read comes here (accept, keep-alive, read-ahead)

    def enqueue_req(self, conn: Any) -> None:
        state = _Reading(conn, self.max_body, self.client_timeout)
        conn.sock.setblocking(False)
        leftover = _take_buffered(conn)
        if leftover is None:
            self._close(conn)
            return
        if (leftover and self._feed(state, leftover)) or self._receive(state):
            self._dispatch(state)
            return
        self._reading[conn] = state
        with self._poller_lock:
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, state))

    def _on_readable(self, state: _Reading, _sock: Any) -> None:
        if self._receive(state):
            self._forget(state)
            self._dispatch(state)

    def _receive(self, state: _Reading) -> bool:
        """Read what is there; True once the connection is done with reading (complete or closed)."""
        try:
            data = state.conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:  # the client went away
            state.outcome = CLOSED
            return True
        return self._feed(state, data)

    def _feed(self, state: _Reading, data: bytes) -> bool:
        """Buffer `data`; True once the request is complete (or rejected). Sends `100 Continue`
        once when the client waits for it before its body."""
        now = time.monotonic()
        state.last_byte_at = now
        if state.started_at is None:
            state.started_at = now
        try:
            complete = state.scanner.feed(data)
        except RequestRejected as exc:
            state.outcome = exc
            complete = True
        if not complete and state.scanner.expects_continue and not state.continue_sent:
            state.continue_sent = True
            self._send_quietly(state.conn, b"HTTP/1.1 100 Continue\r\n\r\n")
        return complete

    def _dispatch(self, state: _Reading) -> None:
        """Hand a complete request to gunicorn; or answer a rejected one; or close a closed one."""
        if state.outcome == CLOSED:
            self._close(state.conn)
        elif isinstance(state.outcome, RequestRejected):
            self.log.warning("rejected a request from %s: %s", state.conn.client, state.outcome)
            status = state.outcome.status
            self._reject(state.conn, status, TOO_LARGE if status == 413 else str(state.outcome),
                         self._speaks_v2(state.scanner.buf))
        else:
            conn = state.conn
            conn.init()  # creates the HTTP/1 parser (no TLS, no h2c here) and makes the socket blocking
            if GUNICORN_BEFORE_24:
                conn.parser.unreader = _InMemoryUnreader(conn.sock, state.scanner.take())
            else:
                conn.parser.unreader.unread(state.scanner.take())
            conn.data_ready = True  # gunicorn >= 24: do not wait for the socket, the bytes are here
            if isinstance(self.tpool, InlineExecutor) and hasattr(self, "method_queue"):
                self._run_inline(conn)
            else:
                super().enqueue_req(conn)

    def _run_inline(self, conn: Any) -> None:
        """gunicorn >= 24 with one thread: handle the request and finish it (keep-alive or close) here on
        the event loop's thread. gunicorn's own enqueue_req hands the finish to the loop through its
        method queue, a pipe: a write, a wake-up of the poller and a read per request. A request pipelined
        behind this one is queued and run by the outermost call, not by recursion (finish_request hands
        it back to enqueue_req at once)."""
        self._inline.append(conn)
        if self._inline_running:
            return
        self._inline_running = True
        try:
            while self._inline:
                conn = self._inline.popleft()
                self.finish_request(conn, self.tpool.submit(self.handle, conn))
        finally:
            self._inline_running = False

    # ---- timeouts and shutdown

    def set_accept_enabled(self, enabled: Optional[bool]) -> None:
        """gunicorn >= 24 stops accepting here once SIGTERM ended the loop: first take what is queued."""
        if not enabled and not self.alive:
            self._accept_backlog()
        super().set_accept_enabled(enabled)

    def _accept_backlog(self) -> None:
        """Accept every connection the kernel has queued on the listeners, so that they are answered
        in the graceful shutdown instead of reset when the listeners close.

        With one thread the model runs on the event loop, so connections that arrived while it ran
        wait in the backlog: the requests an orchestrator's SIGTERM finds in flight (the Seldon
        operator's pod contract, test_operator_contract.py). Connections made after this are refused.
        """
        if self._backlog_taken:
            return
        self._backlog_taken = True
        self._read_accepted()
        for listener in self.sockets:
            while True:
                try:
                    sock, address = listener.accept()
                except OSError:  # BlockingIOError: the queue is empty
                    break
                self.nr_conns += 1
                sock.setblocking(True)
                self.enqueue_req(TConn(self.cfg, sock, address, listener.getsockname()))

    def _read_accepted(self) -> None:
        """gunicorn 23 accepts a connection into its poller and reads it only when it becomes readable:
        hand over every accepted connection that waits there, unread (gunicorn 27 has none)."""
        with self._poller_lock:
            waiting = [key for key in self.poller.get_map().values()
                       if getattr(key.data, "func", None) is not None
                       and key.data.func.__name__ == "on_client_socket_readable"
                       and not key.data.args[0].initialized]
        for key in waiting:
            key.data(key.fileobj)

    def murder_keepalived(self, *args: Any, **kwargs: Any) -> None:
        if not self.alive:  # gunicorn 23 and 27 call this once more after SIGTERM, before closing the listeners
            self._accept_backlog()
        super().murder_keepalived(*args, **kwargs)
        now = time.monotonic()
        for state in list(self._reading.values()):
            if not self.alive and not state.scanner.started and self._receive(state):
                self._forget(state)  # its request was waiting unread (the loop ran a request): answer it
                self._dispatch(state)
            elif not state.scanner.started and (not self.alive or state.expired(now)):
                self._drop(state, None, "")  # nothing sent: close without an answer, as nginx does
            elif state.expired(now):
                self.log.warning("closing a connection from %s: its request stalled", state.conn.client)
                self._drop(state, 408, "request not received in time")

    def _forget(self, state: _Reading) -> None:
        """Stop watching a connection's socket for its request."""
        self._reading.pop(state.conn, None)
        with self._poller_lock:
            try:
                self.poller.unregister(state.conn.sock)
            except (KeyError, ValueError, OSError):
                pass  # closed already

    def _drop(self, state: _Reading, status: Optional[int], info: str) -> None:
        self._forget(state)
        if status is None:
            self._close(state.conn)
        else:
            self._reject(state.conn, status, info, self._speaks_v2(state.scanner.buf))

    def _speaks_v2(self, request: bytearray) -> bool:
        """Whether a request the worker answers itself gets a V2 error body: always with PROTOCOL=v2; with
        `both` when its target is a V2 route (/v2, /v2/...), as far as the request line has arrived."""
        if self.protocol != "both":
            return self.protocol == "v2"
        target = bytes(request[:request.find(b"\r\n") if b"\r\n" in request else 4096]).split(b" ")
        return len(target) > 1 and (target[1] == b"/v2" or target[1].startswith(b"/v2/"))

    def _reject(self, conn: Any, status: int, info: str, v2: bool = False) -> None:
        self._send_quietly(conn, rejection(status, info, v2))
        self._close(conn)

    def _send_quietly(self, conn: Any, data: bytes) -> None:
        try:
            conn.sock.send(data)  # small: fits the socket buffer; a client that reads nothing loses it
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.debug("could not answer %s: %s", conn.client, exc)

    def _close(self, conn: Any) -> None:
        self.nr_conns -= 1
        conn.close()


def worker_class(max_body_bytes: int, client_timeout: float, protocol: str = "v1") -> type:
    """The worker class for gunicorn's `worker_class` setting, with the body limit (bytes), the client
    timeout (seconds) and the protocol (v1, v2 or both: the body of the errors the worker answers itself)
    bound."""
    return type("BufferedWorker", (BufferedWorker,), {"max_body": max_body_bytes, "client_timeout": client_timeout,
                                                      "protocol": protocol})
