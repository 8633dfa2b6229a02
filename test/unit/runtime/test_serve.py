"""`seldon-s2i serve DIR`: a local server that listens on loopback unless told otherwise."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Set

import pytest
import requests

from ports import free_port

from .conftest import MODELS


def listening_addresses(port: int) -> Set[str]:
    """Local addresses with a TCP socket LISTENing on `port`, read from the kernel's tables."""
    addresses = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with open(table) as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                address, _, hex_port = fields[1].partition(":")
                if fields[3] == "0A" and int(hex_port, 16) == port and len(address) == width:
                    addresses.add(_decode(address))
    return addresses


def _decode(address: str) -> str:
    import ipaddress

    raw = bytes.fromhex(address)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # each 32-bit word is host-endian
    return str(ipaddress.ip_address(words))


def model_dir(tmp_path: Path) -> Path:
    shutil.copy(MODELS / "EchoModel.py", tmp_path)
    (tmp_path / ".s2i").mkdir()
    (tmp_path / ".s2i" / "environment").write_text("MODEL_NAME=EchoModel\nSERVICE_TYPE=MODEL\n")
    return tmp_path


def run_serve(directory: Path, *flags: str, env_extra=None) -> tuple:
    http, metrics = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SELDON_S2I_HOST", "PROMETHEUS_MULTIPROC_DIR")}
    env.update({"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http), "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics),
                "GRPC_WORKERS": "0", **(env_extra or {})})
    proc = subprocess.Popen([sys.executable, "-c", "from seldon_s2i.cli import main; raise SystemExit(main())",
                             "serve", str(directory), *flags], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, http, metrics


def wait_listening(proc: subprocess.Popen, port: int) -> Set[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        found = listening_addresses(port)
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}: {proc.stderr.read().decode() if proc.poll() is not None else ''}")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(40)


def test_serve_listens_on_loopback_only_by_default(tmp_path):
    proc, http, metrics = run_serve(model_dir(tmp_path))
    try:
        assert wait_listening(proc, http) == {"127.0.0.1"}
        assert wait_listening(proc, metrics) == {"127.0.0.1"}
        assert requests.get(f"http://127.0.0.1:{http}/health/ping", timeout=5).text == "pong"
    finally:
        stop(proc)


def test_serve_host_flag_and_env_choose_the_address(tmp_path):
    directory = model_dir(tmp_path)
    for flags, env in ((("--host", "0.0.0.0"), None), ((), {"SELDON_S2I_HOST": "0.0.0.0"})):
        proc, http, metrics = run_serve(directory, *flags, env_extra=env)
        try:
            assert wait_listening(proc, http) == {"0.0.0.0"}
            assert wait_listening(proc, metrics) == {"0.0.0.0"}
        finally:
            stop(proc)


def test_serve_of_a_missing_directory_is_one_error_line(tmp_path):
    proc, _, _ = run_serve(tmp_path / "nope")
    assert proc.wait(30) == 2
    assert proc.stderr.read().decode().splitlines() == [f"ERROR: {tmp_path / 'nope'} is not a directory: "
                                                       "give the model's source directory"]


SETTINGS_MISTAKES = [
    ("MODEL_NAME=EchoModel\nAPI_TYPE=REST\n", "SERVICE_TYPE is not set: add a line SERVICE_TYPE=MODEL (one of"),
    ("MODEL_NAME=EchoModel\nSERVICE_TYPE=BOGUS\n", "SERVICE_TYPE=BOGUS is not one of MODEL, ROUTER"),
    ("MODEL_NAME=EchoModel\nSERVICE_TYPE=MODEL\nAPI_TYPE=SOAP\n", "API_TYPE=SOAP: expected REST, GRPC or both"),
    ('MODEL_NAME="EchoModel"\nSERVICE_TYPE=MODEL\n', 'MODEL_NAME="EchoModel" contains quotes'),
    ("SERVICE_TYPE=MODEL\n", "MODEL_NAME is not set: add a line MODEL_NAME=<YourClass> (or package.module.Class)"),
]


@pytest.mark.parametrize("environment, error", SETTINGS_MISTAKES)
def test_serve_refuses_the_settings_a_build_refuses_in_one_error_line(tmp_path, environment, error):
    shutil.copy(MODELS / "EchoModel.py", tmp_path)
    (tmp_path / ".s2i").mkdir()
    (tmp_path / ".s2i" / "environment").write_text(environment)
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL_NAME", "SERVICE_TYPE", "API_TYPE")}
    done = subprocess.run([sys.executable, "-m", "seldon_s2i.cli", "serve", str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("ERROR: " + error), done.stderr
