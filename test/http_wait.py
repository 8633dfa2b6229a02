"""Waiting for a server the tests started to answer HTTP (shared by the integration and compat folders:
pytest puts test/ on sys.path because test/conftest.py lives there)."""

from __future__ import annotations

import time
from typing import Callable, Optional

import requests


def wait_for_http(url: str, timeout: float = 90, died: Optional[Callable[[], Optional[str]]] = None,
                  logs: Optional[Callable[[], str]] = None) -> requests.Response:
    """Poll GET `url` every 0.3 s until it answers 200 and return that response.

    `died()` is asked each round and returns a message once the server is gone (then there is no point
    waiting); `logs()` is appended to the failure. Raises AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        try:
            response = requests.get(url, timeout=5)
            if response.status_code == 200:
                return response
            last_error = f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            last_error = str(exc)
        gone = died() if died is not None else None
        if gone:
            raise AssertionError(f"{gone} before {url} answered:\n{logs() if logs else ''}")
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer 200 within {timeout}s ({last_error})\n{logs() if logs else ''}")
