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


def test_an_environment_file_that_is_not_utf8_is_one_error_line_for_serve_and_deployment(tmp_path):
    """UTF-16 (a Windows editor's "Unicode") was a UnicodeDecodeError traceback from serve and deployment."""
    shutil.copy(MODELS / "EchoModel.py", tmp_path)
    (tmp_path / ".s2i").mkdir()
    (tmp_path / ".s2i" / "environment").write_bytes("MODEL_NAME=EchoModel\n".encode("utf-16"))
    for argv, where in ((["serve", str(tmp_path)], str(tmp_path / ".s2i" / "environment")),
                        (["deployment", f"my-model:0.1={tmp_path}"], str(tmp_path / ".s2i" / "environment"))):
        done = subprocess.run([sys.executable, "-m", "seldon_s2i.cli", *argv], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode != 0 and done.stderr.strip().splitlines() == [
            f"ERROR: {where} is not UTF-8 text (byte 0xff at offset 0): save it as UTF-8, NAME=VALUE per line"]


def test_an_environment_file_with_a_byte_order_mark_is_one_error_line_naming_it(tmp_path):
    """A BOM (and CRLF, which is fine) was "MODEL_NAME is not set" from serve, and accepted by deployment."""
    shutil.copy(MODELS / "EchoModel.py", tmp_path)
    (tmp_path / ".s2i").mkdir()
    (tmp_path / ".s2i" / "environment").write_bytes(b"\xef\xbb\xbfMODEL_NAME=EchoModel\r\nSERVICE_TYPE=MODEL\r\n")
    for argv in (["serve", str(tmp_path)], ["deployment", f"my-model:0.1={tmp_path}"]):
        done = subprocess.run([sys.executable, "-m", "seldon_s2i.cli", *argv], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode != 0 and done.stderr.strip().splitlines() == [
            f"ERROR: {tmp_path / '.s2i' / 'environment'} starts with a byte order mark (UTF-8 BOM): s2i would take "
            "it as part of the first variable's name; save the file without BOM"]


# --- runtime flags before or after DIR; where a bad setting comes from ---------------------------------

@pytest.mark.parametrize("argv", [
    ["--protocol", "v2", "DIR", "--workers", "2"],
    ["DIR", "--protocol", "v2", "--workers", "2"],
    ["--protocol=v2", "--workers", "2", "DIR"],
    ["--workers", "2", "DIR", "--protocol", "v2"],
])
def test_runtime_flags_may_come_before_or_after_the_directory(argv):
    from seldon_s2i.runtime.serve import _read_arguments

    args, flags = _read_arguments(argv)
    assert args.directory == "DIR"
    assert sorted(flags) == ["--protocol=v2", "--workers=2"]


def test_a_flag_without_its_value_keeps_its_const_and_a_value_starting_with_a_dash_survives():
    from seldon_s2i.runtime.serve import _read_arguments

    args, flags = _read_arguments(["--parameters=-1", "DIR", "--debug", "--host", "::1"])
    assert (args.directory, args.host, flags) == ("DIR", "::1", ["--parameters=-1", "--debug"])


def test_serve_with_the_protocol_flag_before_the_directory_serves_v2(tmp_path):
    directory = model_dir(tmp_path)
    (directory / ".s2i" / "environment").write_text("MODEL_NAME=EchoModel\nPROTOCOL=v1\n")  # the flags win
    http, metrics = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("SELDON_S2I_HOST", "PROMETHEUS_MULTIPROC_DIR", "PROTOCOL", "SERVICE_TYPE")}
    env.update({"PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics), "GRPC_WORKERS": "0"})
    proc = subprocess.Popen([sys.executable, "-m", "seldon_s2i.cli", "serve", "--protocol", "v2",
                             "--service-type", "model", "--http-port", str(http), str(directory)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(proc, http)
        assert requests.get(f"http://127.0.0.1:{http}/v2/models/EchoModel/ready", timeout=5).status_code == 200
        assert requests.get(f"http://127.0.0.1:{http}/health/ping", timeout=5).status_code == 404  # v2 only
    finally:
        stop(proc)


@pytest.mark.parametrize("argv, shell, error", [
    (["--protocl", "v2", "{dir}"], {},
     "ERROR: unrecognized arguments: --protocl {dir} (see `seldon-s2i serve --help`)"),
    (["{dir}"], {"PROTOCOL": "v9"}, "ERROR: PROTOCOL=v9 is not one of v1, v2, both (set in the environment "
                                    "seldon-s2i serve runs in, which wins over .s2i/environment)"),
    (["{dir}", "--protocol", "v3"], {"PROTOCOL": "v2"}, "ERROR: PROTOCOL=v3 is not one of v1, v2, both "
                                                        "(given as --protocol)"),
    (["{dir}"], {"SERVICE_TYPE": "BOGUS"}, "ERROR: SERVICE_TYPE=BOGUS is not one of MODEL, ROUTER, TRANSFORMER, "
                                           "OUTPUT_TRANSFORMER, COMBINER, OUTLIER_DETECTOR (set in the environment "
                                           "seldon-s2i serve runs in, which wins over .s2i/environment)"),
    (["{dir}", "--service-type", "predictor"], {}, "ERROR: SERVICE_TYPE=PREDICTOR is not one of MODEL, ROUTER, "
                                                   "TRANSFORMER, OUTPUT_TRANSFORMER, COMBINER, OUTLIER_DETECTOR "
                                                   "(given as --service-type)"),
    (["{dir}"], {"file": "PROTOCOL=v9\n"}, "ERROR: PROTOCOL=v9 is not one of v1, v2, both (set in "
                                             "{dir}/.s2i/environment)"),
])
def test_a_bad_setting_or_flag_is_one_error_line_naming_where_it_comes_from(tmp_path, argv, shell, error):
    directory = model_dir(tmp_path)
    shell = dict(shell)
    if "file" in shell:
        with open(directory / ".s2i" / "environment", "a") as handle:
            handle.write(shell.pop("file"))
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL_NAME", "SERVICE_TYPE", "API_TYPE", "PROTOCOL")}
    done = subprocess.run([sys.executable, "-m", "seldon_s2i.cli", "serve", *[a.format(dir=directory) for a in argv]],
                          env={**env, **shell}, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr.splitlines()) == (2, [error.format(dir=directory)])
