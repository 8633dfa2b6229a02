"""Process model: a supervisor and its children (REST, gRPC workers, metrics, custom service).

The supervisor (the container's PID 1 child of `exec`) imports and constructs the user class once,
then forks one child per listener:

* REST: a gunicorn arbiter (programmatic BaseApplication) with its workers; each worker calls the
  user's `load()` after the fork, as in seldon-core;
* gRPC: GRPC_WORKERS processes sharing the port with SO_REUSEPORT, each calling `load()`;
* metrics: a small threaded WSGI server reading prometheus_client's multiprocess files;
* custom_service(), when the model defines one.

SIGTERM/SIGINT are forwarded to every child; gunicorn and gRPC finish in-flight requests; the
supervisor exits 0. If any child dies on its own, the others are stopped and the supervisor exits 1:
a service that answers on one port but not the other is worse than a restart.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
import traceback
from typing import Any, Callable, Dict, Optional

from seldon_s2i.runtime import loader
from seldon_s2i.runtime import metrics as metrics_mod
from seldon_s2i.runtime.settings import Settings, bind_address

logger = logging.getLogger(__name__)

GRACEFUL_TIMEOUT = 30
LOG_FORMAT = "%(asctime)s - %(name)s:%(funcName)s:%(lineno)s - %(levelname)s:  %(message)s"


class _Shutdown(Exception):
    pass


def _set_parent_death_signal() -> None:
    """Children die with the supervisor even if it is SIGKILLed (Linux only; best effort)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux, or no libc symbol: nothing to do
        pass


def fork_child(name: str, target: Callable[[], Optional[int]]) -> int:
    """Run `target` in a forked child; the child's exit code is target's return value (0 if None)."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _set_parent_death_signal()
        result = target()
        code = 0 if result is None else int(result)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except OSError as exc:  # typically a port already in use: one line is enough
        logger.error("%s process failed: %s", name, exc)
    except BaseException:  # noqa: BLE001 - report, then exit non-zero
        logger.error("%s process failed:\n%s", name, traceback.format_exc())
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# ----------------------------------------------------------------------------- per-process set-up


class WorkerContext:
    """What a serving process builds after the fork: load(), metrics recorder, component."""

    def __init__(self, settings: Settings, user: Any, metadata: Optional[Dict[str, Any]]) -> None:
        self.settings, self.user, self.metadata = settings, user, metadata

    def component(self) -> Any:
        from seldon_s2i.runtime.component import Component

        if not self.settings.preload:
            loader.call_load(self.user)
        recorder = metrics_mod.MetricsRecorder(self.settings.identity)
        return Component(self.user, self.settings, recorder), recorder

    def v2_plane(self, component: Any) -> Any:
        """The V2 data plane over `component` (PROTOCOL v2 or both)."""
        from seldon_s2i.runtime.v2.dataplane import DataPlane, model_name_for

        return DataPlane(component, model_name_for(self.settings.v2_model_name, self.user), self.metadata)

    def rest_app(self) -> Any:
        component, recorder = self.component()
        settings = self.settings
        v1 = None
        if settings.protocol != "v2":
            from seldon_s2i.runtime.rest.wsgi import create_app

            v1 = create_app(component, self.metadata, recorder, settings.max_request_bytes,
                            settings.payload_passthrough)
            if settings.protocol == "v1":
                return v1
        from seldon_s2i.runtime.v2.rest import V2App

        return V2App(self.v2_plane(component), v1, recorder, settings.max_request_bytes)


def gunicorn_options(settings: Settings) -> Dict[str, Any]:
    from seldon_s2i.runtime.gunicorn_worker import worker_class

    return {
        "bind": [bind_address(settings.host, settings.ports.of("http"))],
        "workers": settings.workers,
        "threads": settings.threads,
        # gthread (keep-alive), not the reference's sync worker: sync closes every connection and,
        # in gunicorn >= 24, waits for the client's FIN before the next accept. Its event loop reads
        # every request completely before the application sees it, so a stalled client blocks no
        # one; with one thread (the default) the request runs on the event-loop thread, so the model
        # still sees one request at a time, as with sync (gunicorn_worker.py). GUNICORN_KEEPALIVE=0
        # closes every connection again.
        "worker_class": worker_class(settings.max_request_bytes, settings.client_timeout, settings.protocol),
        "max_requests": settings.max_requests,
        "max_requests_jitter": settings.max_requests_jitter,
        "keepalive": settings.keepalive,
        "timeout": settings.timeout,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "pidfile": settings.pidfile,
        "accesslog": "-" if settings.access_log else None,
        "loglevel": settings.log_level.lower(),
        "worker_exit": lambda server, worker: metrics_mod.mark_process_dead(worker.pid),
    }


def run_rest(settings: Settings, context: WorkerContext) -> None:
    if settings.debug:  # werkzeug's development server, as Flask's app.run() in the reference
        from werkzeug.serving import run_simple

        run_simple(settings.host, settings.ports.of("http"), context.rest_app(), threaded=not settings.single_threaded)
        return
    from gunicorn.app.base import BaseApplication

    class RestApplication(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                if value is not None:
                    self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24 writes one to $HOME
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return context.rest_app()

    RestApplication().run()


# grpcio's experiments for the gRPC workers, unless GRPC_EXPERIMENTS is set already (then it is left as it is).
# grpcio 1.80/1.85 read and write a server's connections on EventEngine threads that hand every event over to
# grpc.aio's completion-queue poller thread; without that listener the connections are grpcio's iomgr TCP,
# served by the poller thread itself: ~15 % less server CPU per gRPC call (docs/v2-protocol.md, Speed). The
# other EventEngine experiments stay on: turning them off too saved nothing more, and once the server then
# stopped answering new connections.
GRPC_WORKER_EXPERIMENTS = "-event_engine_listener"


def run_grpc(settings: Settings, context: WorkerContext) -> None:
    # Before grpc is imported: grpc_init reads GRPC_EXPERIMENTS once.
    os.environ.setdefault("GRPC_EXPERIMENTS", GRPC_WORKER_EXPERIMENTS)
    from seldon_s2i.runtime import grpc_server

    component, recorder = context.component()
    servicer = grpc_server.Servicer(component, context.metadata, recorder) if settings.protocol != "v2" else None
    v2_servicer = None
    if settings.protocol != "v1":
        from seldon_s2i.runtime.v2.grpc_service import V2Servicer

        v2_servicer = V2Servicer(context.v2_plane(component), recorder)
    grpc_server.serve_forever(servicer, settings.ports.of("grpc"), settings.grpc_threads, settings.grpc_max_message,
                              settings.host, v2_servicer)


def run_metrics(settings: Settings) -> None:
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        allow_reuse_address = True
        address_family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    path = settings.metrics_path

    def app(environ: Dict[str, Any], start_response: Callable) -> Any:
        if environ.get("PATH_INFO") == path and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            body = metrics_mod.exposition()
            start_response("200 OK", [("Content-Type", metrics_mod.CONTENT_TYPE), ("Content-Length", str(len(body)))])
            return [body]
        body = b"Not Found\n"
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    httpd = make_server(settings.host, settings.ports.metrics, app, server_class=Server, handler_class=QuietHandler)

    def stop(*_: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    logger.info("metrics on port %d path %s", settings.ports.metrics, path)
    httpd.serve_forever()


# ----------------------------------------------------------------------------- supervisor


def _stop_children(children: Dict[int, str], deadline_seconds: float) -> None:
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + deadline_seconds
    while children and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:  # every child is already reaped
            children.clear()
            break
        if pid == 0:
            time.sleep(0.05)
        else:
            children.pop(pid, None)
    for pid, name in list(children.items()):
        logger.error("%s (pid %d) did not stop in time; killing it", name, pid)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        children.pop(pid, None)


def _exit_description(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


def _import_shared_modules(settings: Settings) -> None:
    """Import what several children need once, before the fork: they inherit the modules instead of
    each importing them at the same time on a few cores (start-up is a serial chain: supervisor ->
    gunicorn arbiter -> worker -> ready). Flask and grpc are not among them: the REST worker imports
    Flask after it is ready, and only gRPC workers need grpc."""
    import prometheus_client  # noqa: F401 - every child records or serves metrics

    if settings.ports.http is not None:
        import gunicorn.app.base  # noqa: F401

        import seldon_s2i.runtime.rest.wsgi  # noqa: F401 - with codec, numpy and protobuf

        if settings.protocol != "v1":
            import seldon_s2i.runtime.v2.rest  # noqa: F401


def _probe_bind(host: str, port: int) -> None:
    """Bind (and close) a listening-style socket on host:port; OSError if the kernel refuses.

    SO_REUSEADDR as gunicorn and grpc set it (a port whose old connections linger in TIME_WAIT is
    free), but not SO_REUSEPORT: a port another server listens on, even one that set SO_REUSEPORT
    itself (our gRPC workers do, to share their port), is refused."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)


def check_bindable(host: str, ports: Optional[Dict[str, Optional[int]]] = None) -> Optional[str]:
    """None if this process can listen on `host` (port 0: any free one) and on each of `ports`
    ({listener name: port or None when off}), else why not, in one line.

    Checked once before any fork, so a wrong `--host` (an address of another machine, IPv6 where the
    kernel has none, an unknown name) or a port another process listens on is one clear error instead
    of a failure in every child, or, for gRPC's shared ports, two services silently splitting the calls."""
    try:
        _probe_bind(host, 0)
    except OSError as exc:
        return f"cannot listen on host {host!r}: {exc.strerror or exc} (--host/SELDON_S2I_HOST must be an " \
               "address of this machine, e.g. 0.0.0.0, 127.0.0.1, :: or ::1)"
    for name, port in (ports or {}).items():
        if port is None:
            continue
        try:
            _probe_bind(host, port)
        except OSError as exc:
            return f"cannot listen on {name} port {port}: {exc.strerror or exc} (another process listens on it; " \
                   f"stop it or choose another port with PREDICTIVE_UNIT_{name.upper()}_SERVICE_PORT)"
    return None


def supervise(settings: Settings, user: Any, metadata: Optional[Dict[str, Any]]) -> int:
    """Start every child process and wait; returns the supervisor's exit code."""
    context = WorkerContext(settings, user, metadata)
    if settings.preload:
        loader.call_load(user)
    _import_shared_modules(settings)

    def on_signal(signum: int, frame: Any) -> None:
        raise _Shutdown()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    children: Dict[int, str] = {}
    optional_ok: Dict[int, bool] = {}
    failed = False
    try:
        custom_service = getattr(user, "custom_service", None)
        if callable(custom_service):
            pid = fork_child("custom_service", custom_service)
            children[pid] = "custom_service"
            optional_ok[pid] = True
        if settings.ports.http is not None:  # first: its start-up chain is the longest
            children[fork_child("REST", lambda: run_rest(settings, context))] = "REST server"
        if settings.ports.grpc is not None:
            for index in range(settings.grpc_workers):
                children[fork_child("gRPC", lambda: run_grpc(settings, context))] = f"gRPC worker {index}"
        children[fork_child("metrics", lambda: run_metrics(settings))] = "metrics server"
        logger.info("serving %s on %s (protocol %s): REST %s, gRPC %s, metrics %s%s", settings.interface_name,
                    settings.host, settings.protocol, settings.ports.http or "off", settings.ports.grpc or "off",
                    settings.ports.metrics, settings.metrics_path)
        while children:
            pid, status = os.wait()
            name = children.pop(pid, None)
            if name is None:
                continue
            if optional_ok.get(pid) and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
                logger.info("%s finished", name)
                continue
            logger.error("%s stopped unexpectedly (%s); stopping the service", name, _exit_description(status))
            failed = True
            break
    except _Shutdown:
        logger.info("shutting down: waiting for in-flight requests")
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _stop_children(children, GRACEFUL_TIMEOUT + 5)
    return 1 if failed else 0
