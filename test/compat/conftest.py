"""Fixtures of the differential suite: one server per model per implementation, started on demand.

Starting ~2x23 servers at once would take ~15 GB, so tests are ordered by model (pytest_collection_modifyitems)
and the pool keeps only the models still needed: it starts the next models ahead (their start-up overlaps the
current tests) and stops a model's pair of servers after its last test.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import pytest

from conformance.grpc_client import Client
from models import SPECS
from servers import IMPLEMENTATIONS, MODELS_DIR, OURS, REFERENCE, Server

PREFETCH = 2  # models started ahead of the one under test


def model_of(item) -> str:
    marker = item.get_closest_marker("model")
    if marker is None:
        raise pytest.UsageError(f"{item.nodeid}: every compat test needs @pytest.mark.model(name)")
    return marker.args[0]


def pytest_configure(config):
    config.addinivalue_line("markers",
                            "model(name): the test/compat/models.py model (test/conformance/models.json) the test uses")


def pytest_collection_modifyitems(session, config, items):
    compat = [item for item in items if item.get_closest_marker("model")]
    if not compat:
        return
    first_seen: Dict[str, int] = {}
    for index, item in enumerate(compat):
        first_seen.setdefault(model_of(item), index)
    compat_sorted = sorted(compat, key=lambda item: first_seen[model_of(item)])  # stable within a model
    # The compat block stays where its first test was; the other tests keep their order around it.
    start = items.index(compat[0])
    others = [item for item in items if not item.get_closest_marker("model")]
    before = [item for item in others if items.index(item) < start]
    items[:] = before + compat_sorted + [item for item in others if items.index(item) > start]
    config._compat_model_order = [model_of(item) for item in compat_sorted]
    config._compat_positions = {item.nodeid: index for index, item in enumerate(compat_sorted)}


class ServerPool:
    """Pairs of servers (reference, ours) per model, started ahead and stopped when no longer needed."""

    def __init__(self, order: List[str]):
        self.order = order  # model name of every remaining test, in run order
        self.position = 0
        self.running: Dict[str, Dict[str, Server]] = {}
        self.ready: set = set()
        self.clients: Dict[Tuple[str, str], Client] = {}

    def _start(self, name: str) -> None:
        if name in self.running:
            return
        spec = SPECS[name]
        self.running[name] = {impl: Server(impl, MODELS_DIR / spec.path, spec.class_name, spec.service_type,
                                           dict(spec.env)).start() for impl in IMPLEMENTATIONS}

    def _stop(self, name: str) -> None:
        for impl in IMPLEMENTATIONS:
            client = self.clients.pop((name, impl), None)
            if client:
                client.close()
        for server in self.running.pop(name, {}).values():
            server.stop()
        self.ready.discard(name)

    def servers(self, name: str, position: int) -> Dict[str, Server]:
        remaining = self.order[position:]
        for running in list(self.running):
            if running not in remaining:
                self._stop(running)
        self._start(name)
        if name not in self.ready:
            for server in self.running[name].values():
                server.wait_ready()
            self.ready.add(name)
        upcoming = []
        for next_name in remaining:
            if next_name not in upcoming and next_name != name:
                upcoming.append(next_name)
            if len(upcoming) == PREFETCH:
                break
        for next_name in upcoming:
            self._start(next_name)
        return self.running[name]

    def client(self, name: str, impl: str) -> Client:
        key = (name, impl)
        if key not in self.clients:
            self.clients[key] = Client(self.running[name][impl].grpc_target)
        return self.clients[key]

    def close(self) -> None:
        for name in list(self.running):
            self._stop(name)


@pytest.fixture(scope="session")
def server_pool(request):
    pool = ServerPool(getattr(request.config, "_compat_model_order", []))
    yield pool
    pool.close()


class Pair:
    """The reference's and our server for one model, with gRPC clients."""

    def __init__(self, pool: ServerPool, name: str, servers: Dict[str, Server]):
        self.pool, self.name = pool, name
        self.reference, self.ours = servers[REFERENCE], servers[OURS]

    def grpc(self, impl: str) -> Client:
        return self.pool.client(self.name, impl)


@pytest.fixture
def pair(request, server_pool) -> Pair:
    name = model_of(request.node)
    position = request.config._compat_positions[request.node.nodeid]
    return Pair(server_pool, name, server_pool.servers(name, position))
