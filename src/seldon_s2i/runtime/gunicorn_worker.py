"""The default REST worker: gunicorn's gthread worker, with its one request thread folded into the
event loop's own thread.

gthread hands every request from the event-loop thread to a pool thread and the result back through
a pipe: two thread switches per request, which cost more than the request itself for small
predictions (measured with bench/serve.py, wrk, one keep-alive client). With one thread, the
default, nothing runs in parallel anyway, so the worker runs each request where it is picked up,
through the executor hook gthread offers for this (`get_thread_pool`). Keep-alive, timeouts,
graceful shutdown and max-requests are gthread's own. Blocking while a request is read or handled
is what gunicorn's `sync` worker (the reference's default) does too.
"""

from __future__ import annotations

from concurrent import futures
from typing import Any, Callable

from gunicorn.workers.gthread import ThreadWorker


class InlineExecutor(futures.Executor):
    """An executor that runs each call at once in the submitting thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> "futures.Future[Any]":
        future: "futures.Future[Any]" = futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - as a pool thread would, the future carries it
            future.set_exception(exc)
        return future


class SingleThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gthread with one thread, run inline (used when GUNICORN_THREADS is 1)."""

    def get_thread_pool(self) -> futures.Executor:
        return InlineExecutor()
