"""Fixtures of the V2 differential suite: MLServer 1.7.1 with every model in one process, ours with one
process per model (PROTOCOL=v2), all started once per session, side by side."""

from __future__ import annotations

from typing import Dict

import pytest
from v2_servers import CLASSES, OURS, Process, V2Client, start_mlserver, start_ours


class Servers:
    """Both implementations' servers; `url(impl, model)` and `grpc(impl, model)` reach a model."""

    def __init__(self) -> None:
        self.mlserver = start_mlserver()
        self.ours: Dict[str, Process] = {model: start_ours(model) for model in CLASSES}
        self.clients: Dict[int, V2Client] = {}

    def wait_ready(self) -> None:
        for model, process in self.ours.items():
            process.wait_ready(model)
        for model in CLASSES:
            self.mlserver.wait_ready(model)

    def process(self, impl: str, model: str) -> Process:
        return self.ours[model] if impl == OURS else self.mlserver

    def url(self, impl: str, model: str) -> str:
        return self.process(impl, model).base_url

    def grpc(self, impl: str, model: str) -> V2Client:
        process = self.process(impl, model)
        if process.grpc_port not in self.clients:
            self.clients[process.grpc_port] = V2Client(process.grpc_target)
        return self.clients[process.grpc_port]

    def stop(self) -> None:
        for client in self.clients.values():
            client.close()
        for process in [self.mlserver, *self.ours.values()]:
            process.stop()


@pytest.fixture(scope="session")
def servers():
    both = Servers()
    try:
        both.wait_ready()
        yield both
    finally:
        both.stop()



