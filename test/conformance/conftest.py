"""The conformance runner's options and its server pool: one wrapper process per model, started on demand.

    pytest test/conformance                          # our Python wrapper, local processes (wrappers/python.json)
    pytest test/conformance --wrapper python-image [--wrapper-image seldon-python313]
    pytest test/conformance --wrapper wrappers/nodejs.json    # another language's profile
    pytest test/conformance --wrapper-command '...{model_dir}...'   # a one-off command, the profile's cases
    CONFORMANCE_WRAPPER_IMAGE=seldon-python313 pytest test       # the same, as variables, for a whole-tree run

Tests are ordered by model; the pool starts the next models ahead (their start-up overlaps the current tests) and
stops a model's wrapper after its last test. Cases the profile declares unsupported are deselected and listed in
the terminal summary with their reasons (an explicit, reviewed list; never a silent skip).
"""

from __future__ import annotations

import os
from typing import Dict, List

import pytest

from conformance import suite
from conformance.grpc_client import Client
from conformance.wrapper import WrapperProcess

PREFETCH = 2  # models started ahead of the one under test
MARKER = "conformance_model"


def pytest_addoption(parser):
    group = parser.getgroup("conformance", "the Seldon v1 protocol conformance suite (test/conformance)")
    group.addoption("--wrapper", default=None,
                    help="profile under test/conformance/wrappers/ (name) or a path to one; default: python")
    group.addoption("--wrapper-command", default=None, help="start command template (overrides the profile's)")
    group.addoption("--wrapper-image", default=None,
                    help="image for the profile's {image} (default profile then: python-image)")


def option(config, name: str) -> str:
    """A command-line option, else its environment variable (CONFORMANCE_WRAPPER...): pytest accepts this folder's
    options only when the folder is named on the command line, the variables work for `pytest test` too."""
    return config.getoption(name) or os.environ.get("CONFORMANCE_" + name.lstrip("-").replace("-", "_").upper(), "")


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}(name): the models.json model a conformance case talks to")
    image = option(config, "--wrapper-image")
    profile = suite.profile(option(config, "--wrapper") or ("python-image" if image else "python"))
    config._conformance_profile = profile
    config._conformance_command = option(config, "--wrapper-command") or profile.command
    config._conformance_image = image or profile.image


def model_of(item) -> str:
    return item.get_closest_marker(MARKER).args[0]


def pytest_collection_modifyitems(session, config, items):
    ours = [item for item in items if item.get_closest_marker(MARKER)]
    if not ours:
        return
    profile = config._conformance_profile
    unsupported = {item.nodeid: profile.unsupported_reason(item.callspec.id) for item in ours}
    dropped = [item for item in ours if unsupported[item.nodeid]]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        config._conformance_unsupported = [(item.callspec.id, unsupported[item.nodeid]) for item in dropped]
    kept = [item for item in ours if not unsupported[item.nodeid]]
    first_seen: Dict[str, int] = {}
    for index, item in enumerate(kept):
        first_seen.setdefault(model_of(item), index)
    kept.sort(key=lambda item: first_seen[model_of(item)])  # stable within a model
    start = items.index(ours[0])
    others = [item for item in items if not item.get_closest_marker(MARKER)]
    before = [item for item in others if items.index(item) < start]
    after = [item for item in others if items.index(item) > start]
    items[:] = before + kept + after
    config._conformance_order = [model_of(item) for item in kept]
    config._conformance_positions = {item.nodeid: index for index, item in enumerate(kept)}
    config._conformance_apis = {}
    for item in kept:
        config._conformance_apis.setdefault(model_of(item), set()).add(item.callspec.params["case"].api)


def pytest_terminal_summary(terminalreporter, config):
    unsupported = getattr(config, "_conformance_unsupported", [])
    if unsupported:
        profile = config._conformance_profile
        terminalreporter.section(f"conformance: {len(unsupported)} cases declared unsupported by "
                                 f"wrappers/{profile.name}.json")
        for case_id, reason in unsupported:
            terminalreporter.write_line(f"{case_id}: {reason}")


class WrapperPool:
    """One wrapper process per model, started ahead and stopped when no remaining test needs it."""

    def __init__(self, config):
        self.profile = config._conformance_profile
        self.command, self.image = config._conformance_command, config._conformance_image
        self.order: List[str] = getattr(config, "_conformance_order", [])
        self.apis: Dict[str, set] = getattr(config, "_conformance_apis", {})
        self.models = suite.models()
        self.running: Dict[str, WrapperProcess] = {}
        self.ready: set = set()
        self.clients: Dict[str, Client] = {}

    def _start(self, name: str) -> None:
        if name not in self.running:
            model = self.models[name]
            self.running[name] = WrapperProcess(self.command, model, model.path(self.profile.language),
                                                self.image, self.profile.stop_command).start()

    def _stop(self, name: str) -> None:
        client = self.clients.pop(name, None)
        if client:
            client.close()
        server = self.running.pop(name, None)
        if server:
            server.stop()
        self.ready.discard(name)

    def server(self, name: str, position: int) -> WrapperProcess:
        remaining = self.order[position:]
        for running in list(self.running):
            if running not in remaining:
                self._stop(running)
        self._start(name)
        if name not in self.ready:
            apis = self.apis.get(name, set())
            self.running[name].wait_ready(rest="rest" in apis, grpc_too="grpc" in apis)
            self.ready.add(name)
        upcoming = list(dict.fromkeys(n for n in remaining if n != name))[:PREFETCH]
        for next_name in upcoming:
            self._start(next_name)
        return self.running[name]

    def client(self, name: str) -> Client:
        if name not in self.clients:
            self.clients[name] = Client(self.running[name].grpc_target)
        return self.clients[name]

    def close(self) -> None:
        for name in list(self.running):
            self._stop(name)


@pytest.fixture(scope="session")
def wrapper_pool(request):
    pool = WrapperPool(request.config)
    yield pool
    pool.close()


@pytest.fixture
def profile(request) -> suite.Profile:
    return request.config._conformance_profile


@pytest.fixture
def wrapper(request, wrapper_pool):
    """(base URL, gRPC client) of the running wrapper for the test's model."""
    name = model_of(request.node)
    server = wrapper_pool.server(name, request.config._conformance_positions[request.node.nodeid])
    return server.base_url, wrapper_pool.client(name)
