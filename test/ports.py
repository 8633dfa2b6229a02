"""A free TCP port on 127.0.0.1, for servers the tests start (all traffic stays on loopback).

Shared by the unit, integration and compat folders: pytest puts test/ on sys.path because
test/conftest.py lives there.
"""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it; it is released before returning)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
