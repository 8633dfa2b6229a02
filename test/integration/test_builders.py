"""The builder images on a real engine: image contract, usage, users, and real builds of the test apps.

Apps are built with the project's s2i-compatible driver (`seldon-s2i build`), each app/builder pair
once per session. Builds that install from the package index get the host CA bundle injected with
`-i` at test time only (our machines reach PyPI through a TLS-intercepting proxy); the tests check
that it does not survive in the image.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import numpy as np
import pytest
import requests

from dockercli import docker, env_dict, image_exists, inspect_config, inspect_image
from seldon_s2i.envfile import parse_environment

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "test" / "apps"
SELDON_S2I = str(Path(sys.executable).parent / "seldon-s2i")
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
CA_DIR = "/tmp/ca"  # the builder's default CA_BUNDLE location


def read_matrix() -> List[Dict[str, str]]:
    """The python rows of builders/matrix (read by builders/matrix.sh, the one reader of the file)."""
    rows = []
    listed = subprocess.run([str(ROOT / "builders" / "matrix.sh")],
                            env={"PATH": "/usr/bin:/bin", "LANGUAGES": "python"},
                            capture_output=True, text=True, check=True).stdout
    for line in listed.splitlines():
        _language, python, suite, _glibc, _packages, _from, image, aliases = line.split()
        rows.append({"python": python, "suite": suite, "image": image, "aliases": aliases})
    return rows


MATRIX = read_matrix()
BUILDERS = [row["image"] for row in MATRIX]
PYTHON_OF = {row["image"]: row["python"] for row in MATRIX}
DEFAULT_BUILDER = "seldon-python311"


def run_in(image: str, *command: str, user: Optional[str] = None) -> str:
    """Run a command in a throw-away container of `image` (no network) and return its output."""
    args = ["run", "--rm", "--network", "none"] + (["--user", user] if user else []) + [image, *command]
    return docker(*args).stdout.decode()


@dataclass
class Build:
    returncode: int
    log: str
    tag: str


def seldon_s2i_build(app: Path, builder: str, tag: str, *extra: str, ca: bool = True) -> Build:
    args = [SELDON_S2I, "build", str(app), builder, tag, "--network", "host", "--pull-policy", "never", *extra]
    if ca:
        args += ["-i", f"{HOST_CA_BUNDLE}:{CA_DIR}"]
    result = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1200)
    return Build(result.returncode, result.stdout.decode(errors="replace"), tag)


class AppImages:
    """Builds each (app, builder) once per session; removes every image it tagged at the end."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self.tags: List[str] = []
        self.built: Dict[tuple, Build] = {}

    def new_tag(self, name: str) -> str:
        tag = f"seldon-s2i-test-{name}:{self.run_id}-{len(self.tags)}"
        self.tags.append(tag)
        return tag

    def build(self, app: str, builder: str = DEFAULT_BUILDER, *extra: str) -> Build:
        key = (app, builder, extra)
        if key not in self.built:
            self.built[key] = seldon_s2i_build(APPS / app, builder, self.new_tag(app), *extra)
        return self.built[key]

    def image(self, app: str, builder: str = DEFAULT_BUILDER) -> str:
        build = self.build(app, builder)
        assert build.returncode == 0, f"building {app} with {builder} failed:\n{build.log}"
        return build.tag

    def cleanup(self) -> None:
        existing = [tag for tag in self.tags if image_exists(tag)]
        if existing:
            docker("rmi", "-f", *existing, check=False)
        # Images a rebuild replaced under one of our tags lost the tag but keep the label s2i
        # gives every build (io.k8s.display-name = the tag): remove those too.
        for tag in self.tags:
            replaced = docker("images", "-q", "-f", "dangling=true", "-f", f"label=io.k8s.display-name={tag}",
                              check=False).stdout.decode().split()
            if replaced:
                docker("rmi", "-f", *replaced, check=False)


@pytest.fixture(scope="session")
def builders() -> List[str]:
    missing = [image for image in BUILDERS + ["seldon-python3"] if not image_exists(image)]
    if missing:
        pytest.fail(f"builder images missing: {missing} (run `make build`)")
    return BUILDERS


@pytest.fixture(scope="session")
def apps(builders: List[str]) -> Iterator[AppImages]:
    images = AppImages()
    yield images
    images.cleanup()


@pytest.fixture
def serve(run_container: Callable, free_port: Callable, wait_for_http: Callable) -> Callable[..., str]:
    """serve(image, user=None, env=None) -> base URL of its REST server on 127.0.0.1 (host network)."""

    def start(image: str, user: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> str:
        http, metrics = free_port(), free_port()
        ports = {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http), "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics)}
        container = run_container(image, env={**ports, **(env or {})}, user=user)
        base = f"http://127.0.0.1:{http}"
        wait_for_http(f"{base}/health/ping", container)
        return base

    return start


# --- the builder images themselves -----------------------------------------------------------------

@pytest.mark.parametrize("image", BUILDERS)
def test_builder_labels_follow_the_s2i_and_openshift_conventions(builders: List[str], image: str) -> None:
    labels = inspect_config(image)["Labels"]
    python = PYTHON_OF[image]
    assert labels["io.openshift.s2i.scripts-url"] == "image:///usr/libexec/s2i"
    assert labels["io.openshift.s2i.destination"] == "/tmp"
    assert labels["usage"] == f"s2i build <SOURCE-REPOSITORY> {image} <APP-NAME>"
    tags = labels["io.openshift.tags"].split(",")
    assert {"builder", "python", "seldon", f"python{python}"} <= set(tags)
    assert python in labels["io.k8s.display-name"] and python in labels["io.k8s.description"]
    assert "5000:http" in labels["io.openshift.expose-services"]


@pytest.mark.parametrize("image", BUILDERS)
def test_builder_config_runs_as_1001_from_microservice(builders: List[str], image: str) -> None:
    config = inspect_config(image)
    env = env_dict(config)
    assert config["User"] == "1001"
    assert config["WorkingDir"] == "/microservice"
    assert config["Cmd"] == ["/usr/libexec/s2i/usage"]
    assert env["PATH"].startswith("/opt/seldon/venv/bin:")
    assert env["HOME"] == "/microservice"
    assert set(config["ExposedPorts"]) == {"5000/tcp", "9000/tcp", "6000/tcp"}


@pytest.mark.parametrize("image", BUILDERS)
def test_builder_has_python_of_its_matrix_row_and_the_tools_s2i_needs(builders: List[str], image: str) -> None:
    report = run_in(image, "/bin/sh", "-c",
                    "python -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'; id -u; id -g; "
                    "command -v tar; command -v truncate; getent passwd 1001 | cut -d: -f1,4,6; "
                    "stat -c %A /microservice /opt/seldon/venv/lib/python*/site-packages; "
                    "python -m pip --version >/dev/null && uv --version >/dev/null && echo installers-ok")
    lines = report.split()
    assert lines[0] == PYTHON_OF[image]
    assert lines[1:3] == ["1001", "0"]
    assert any(line.endswith("/tar") for line in lines) and any(line.endswith("/truncate") for line in lines)
    assert "default:0:/microservice" in lines
    assert lines.count("drwxrwxr-x") == 2, report  # group-writable app dir and site-packages
    assert lines[-1] == "installers-ok"


def test_default_builder_is_the_311_image(builders: List[str]) -> None:
    assert inspect_image("seldon-python3")["Id"] == inspect_image("seldon-python311")["Id"]


@pytest.mark.parametrize("image", BUILDERS)
def test_docker_run_of_a_builder_prints_usage(builders: List[str], image: str) -> None:
    result = docker("run", "--rm", "--network", "none", image)
    out = result.stdout.decode()
    assert f"s2i build <SOURCE-REPOSITORY> {image} <APP-NAME>" in out
    assert f"Python {PYTHON_OF[image]}." in out


def test_s2i_usage_runs_the_usage_script_through_the_untar_wrapper(builders: List[str]) -> None:
    result = subprocess.run([SELDON_S2I, "usage", DEFAULT_BUILDER, "--pull-policy", "never"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "MODEL_NAME=MyModel" in result.stdout and "CA_BUNDLE" in result.stdout


# --- the walkthrough --------------------------------------------------------------------------------

def walkthrough_jpeg() -> bytes:
    """A 1280x960 JPEG like the article's photo (patterned, so every pixel matters)."""
    from PIL import Image

    rows, cols = np.indices((960, 1280))
    pixels = np.stack([(rows + cols) % 256, (rows * 3) % 256, (cols * 7) % 256], axis=-1).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize("path", ["/api/v0.1/predictions", "/predict"])
def test_walkthrough_returns_the_image_as_a_tensor(apps: AppImages, serve: Callable, path: str) -> None:
    from PIL import Image

    base = serve(apps.image("image-model"))
    jpeg = walkthrough_jpeg()
    response = requests.post(base + path, json={"binData": base64.b64encode(jpeg).decode()}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    tensor = response.json()["data"]["tensor"]
    assert tensor["shape"] == [960, 1280, 3]
    expected = np.array(Image.open(io.BytesIO(jpeg)).convert("RGB"))
    assert np.array_equal(np.array(tensor["values"]).reshape(960, 1280, 3), expected)


def test_built_image_runs_the_s2i_run_script_as_1001(apps: AppImages) -> None:
    config = inspect_config(apps.image("image-model"))
    env = env_dict(config)
    assert config["Cmd"] == ["/usr/libexec/s2i/run"]
    assert config["User"] == "1001"
    assert (env["MODEL_NAME"], env["SERVICE_TYPE"], env["API_TYPE"]) == ("MyModel", "MODEL", "REST")


def test_injected_ca_does_not_survive_in_the_image(apps: AppImages) -> None:
    image = apps.image("image-model")
    env = inspect_config(image)["Env"]
    assert not [item for item in env if item.split("=")[0] in ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE")]
    sizes = run_in(image, "/bin/sh", "-c",
                   f"find {CA_DIR} -type f -printf '%s\\n'; ls /tmp | grep -c seldon-s2i || true")
    file_sizes, leftovers = sizes.split()[:-1], sizes.split()[-1]
    assert file_sizes == ["0"], sizes  # the injected bundle is the file /tmp/ca (as s2i injects a file)
    assert leftovers == "0"


def test_licence_report_lists_the_installed_packages(apps: AppImages) -> None:
    report = run_in(apps.image("image-model"), "cat", "/microservice/licenses/license_info.csv")
    names = {line.split(",")[0].lower() for line in report.splitlines()[1:]}
    assert {"pillow", "numpy", "flask", "seldon-s2i"} <= names


def test_save_artifacts_writes_only_a_tar_of_the_cache(apps: AppImages) -> None:
    output = docker("run", "--rm", "--network", "none", apps.image("image-model"),
                    "/usr/libexec/s2i/save-artifacts").stdout
    with tarfile.open(fileobj=io.BytesIO(output)) as tar:
        names = tar.getnames()
    assert "key" in names
    assert any(name.startswith("uv/") for name in names)
    assert {name.split("/")[0] for name in names} == {"key", "uv", "pyc"}
    # the bytecode this image's build compiled (Pillow's), not the builder's own (Flask's)
    bytecode = [name for name in names if name.startswith("pyc/")]
    assert all(name.endswith(".pyc") for name in bytecode)
    assert any("/site-packages/PIL/__pycache__/" in name for name in bytecode)
    assert not any("/site-packages/flask/" in name for name in bytecode)


# --- Kubernetes/OpenShift settings ------------------------------------------------------------------

@pytest.mark.parametrize("user", ["12345:0", "100001"])
def test_image_serves_under_an_arbitrary_uid(apps: AppImages, serve: Callable, user: str) -> None:
    base = serve(apps.image("ndarray-model"), user=user)
    response = requests.post(f"{base}/api/v1.0/predictions", json={"data": {"ndarray": [[1, 2]]}}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["ndarray"] == [[2, 4]]


# --- every kind of unit, and packaging variants, on the default builder ----------------------------

MATRIX_APPS = [
    ("router-app", "/route", {"data": {"ndarray": [[1, 2]]}}, lambda r: r["data"]["ndarray"] == [[1]]),
    ("transformer-app", "/transform-input", {"data": {"ndarray": [[1, 2]]}},
     lambda r: r["data"]["ndarray"] == [[2, 3]]),
    ("output-transformer-app", "/transform-output", {"data": {"ndarray": [[1, 2]]}},
     lambda r: r["data"]["ndarray"] == [[10, 20]]),
    ("combiner-app", "/aggregate",
     {"seldonMessages": [{"data": {"ndarray": [1, 2]}}, {"data": {"ndarray": [3, 6]}}]},
     lambda r: r["data"]["ndarray"] == [2.0, 4.0]),
    ("outlier-detector-app", "/transform-input", {"data": {"ndarray": [[1, -5, 2]]}},
     lambda r: r["data"]["ndarray"] == [[1, -5, 2]] and r["meta"]["tags"]["outlierScore"] == 5.0),
    ("ndarray-model", "/api/v1.0/predictions", {"data": {"ndarray": [[1.5]]}},
     lambda r: r["data"]["ndarray"] == [[3.0]]),
    ("pyproject-app", "/api/v1.0/predictions", {"data": {"ndarray": [[7]]}},
     lambda r: r["data"]["ndarray"] == [[7]] and r["meta"]["tags"]["module"] == "greeter.model"
     and r["meta"]["tags"]["six"]),
    ("setup-py-app", "/api/v1.0/predictions", {"data": {"ndarray": [[7]]}},
     lambda r: r["data"]["ndarray"] == [[7]] and r["meta"]["tags"]["six"]),
]


@pytest.mark.parametrize("app,path,payload,check", MATRIX_APPS, ids=[row[0] for row in MATRIX_APPS])
def test_app_answers_its_endpoint(apps: AppImages, serve: Callable, app: str, path: str,
                                  payload: Dict[str, Any], check: Callable[[Dict[str, Any]], bool]) -> None:
    base = serve(apps.image(app))
    response = requests.post(base + path, json=payload, timeout=30)
    assert response.status_code == 200, response.text
    assert check(response.json()), response.text


@pytest.mark.parametrize("builder", ["seldon-python39", "seldon-python313"])
def test_smoke_model_on_every_python(apps: AppImages, serve: Callable, builder: str) -> None:
    base = serve(apps.image("ndarray-model", builder))
    response = requests.post(f"{base}/api/v1.0/predictions", json={"data": {"ndarray": [[1, 2]]}}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["ndarray"] == [[2, 4]]
    assert response.json()["meta"]["tags"]["python"] == PYTHON_OF[builder]
    # Pipelined on one socket, behind an unread 100 kB body: gunicorn 23 (Python 3.9) dropped the requests
    # already in its buffer, gunicorn 27 the connection after the unread body (gunicorn_worker.py).
    body = b'{"data": {"ndarray": [[1, 2]]}}'
    predict = (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n" % len(body))
    with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=30) as sock:
        sock.sendall(b"POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000
                     + (predict + b"\r\n" + body) * 3 + predict + b"Connection: close\r\n\r\n" + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert [answer[:3] for answer in received.split(b"HTTP/1.1 ")[1:]] == [b"500"] + [b"200"] * 4
    # 100 pipelined requests, then the client's half-close: gunicorn 23's stale read event for the closed
    # connection killed the worker (and with it a request half-received from another client meanwhile).
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as victim, \
            socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        victim.sendall(predict)  # the head; its body comes after the burst
        sock.sendall((predict + b"\r\n" + body) * 100)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        assert received.count(b"HTTP/1.1 200") == 100
        victim.sendall(b"Connection: close\r\n\r\n" + body)
        answer = b""
        while chunk := victim.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_environment_file_values_reach_the_model_literally(apps: AppImages, serve: Callable) -> None:
    expected = dict(parse_environment((APPS / "environment-fidelity-app/.s2i/environment").read_text()))
    base = serve(apps.image("environment-fidelity-app"))
    response = requests.post(f"{base}/api/v1.0/predictions", json={"data": {"ndarray": [[0]]}}, timeout=30)
    assert response.status_code == 200, response.text
    tags = response.json()["meta"]["tags"]
    for name in ("QUOTED", "SINGLE", "DOLLAR", "HASH", "EQUALS", "SPACED"):
        assert tags[name] == expected[name]
    assert tags["QUOTED"] == '"double quoted"' and tags["DOLLAR"] == "$HOME/${USER}/literal"


def test_pip_fallback_installs_the_project(apps: AppImages, serve: Callable) -> None:
    build = apps.build("setup-py-app", DEFAULT_BUILDER, "-e", "SELDON_S2I_INSTALLER=pip")
    assert build.returncode == 0, build.log
    assert "with pip" in build.log and "Successfully installed" in build.log
    base = serve(build.tag)
    response = requests.post(f"{base}/api/v1.0/predictions", json={"data": {"ndarray": [[1]]}}, timeout=30)
    assert response.json()["meta"]["tags"]["six"]


# --- builds that must fail --------------------------------------------------------------------------

SHOULD_FAIL = [
    ("no-model-name-should-fail", "MODEL_NAME is not set"),
    ("import-error-should-fail", "No module named 'a_module_that_is_not_installed'"),
    ("unresolvable-requirement-should-fail", "installing requirements.txt failed"),
    ("conda-environment-should-fail", "conda environment.yml is not supported"),
]


@pytest.mark.parametrize("app,message", SHOULD_FAIL, ids=[row[0] for row in SHOULD_FAIL])
def test_bad_app_fails_the_build_clearly_and_tags_nothing(apps: AppImages, app: str, message: str) -> None:
    build = apps.build(app)
    assert build.returncode != 0
    assert message in build.log, build.log
    assert not image_exists(build.tag)


def test_import_error_names_the_model_in_one_line(apps: AppImages) -> None:
    log = apps.build("import-error-should-fail").log
    assert "ERROR: MODEL_NAME=Broken does not import from /microservice" in log
    assert "Traceback" in log  # the user's own traceback is shown too


# --- incremental builds -----------------------------------------------------------------------------

DEPENDENCY_KEY_LABEL = "io.github.seldon-s2i.dependency-key"


def _copy_app(app: str, target: Path) -> Path:
    shutil.copytree(APPS / app, target)
    return target


def test_incremental_code_change_reuses_the_dependency_layer(apps: AppImages, tmp_path: Path) -> None:
    source = _copy_app("image-model", tmp_path / "image-model")
    tag = apps.new_tag("incremental-code")
    first = seldon_s2i_build(source, DEFAULT_BUILDER, tag, "--incremental")
    assert first.returncode == 0, first.log
    assert "Building the dependency layer from requirements.txt" in first.log, first.log
    assert "+ pillow" in first.log, first.log
    layer = inspect_image(tag)["Parent"]
    assert inspect_image(layer)["Config"]["Labels"][DEPENDENCY_KEY_LABEL]

    with open(source / "MyModel.py", "a") as handle:  # a code-only change
        handle.write("\nGREETING = 'changed'\n")
    first_id = inspect_image(tag)["Id"]
    second = seldon_s2i_build(source, DEFAULT_BUILDER, tag, "--incremental", "--rm")
    assert second.returncode == 0, second.log
    assert f"Reusing the dependency layer of {tag}" in second.log, second.log
    assert not image_exists(first_id) and image_exists(layer)  # --rm: the old code goes, its layer stays
    assert "Building the dependency layer" not in second.log and "Saving build artifacts" not in second.log
    assert "+ pillow" not in second.log and "Downloading" not in second.log, second.log  # nothing installed
    assert inspect_image(tag)["Parent"] == layer  # the new code sits on the same dependency layer
    assert run_in(tag, "python", "-c", "import MyModel, PIL; print(MyModel.GREETING)") == "changed\n"
    assert run_in(tag, "head", "-1", "/microservice/licenses/license_info.csv").startswith("Name,Version,License")


def test_incremental_requirements_change_installs_from_the_saved_cache(apps: AppImages, tmp_path: Path) -> None:
    source = _copy_app("image-model", tmp_path / "image-model")
    tag = apps.new_tag("incremental-requirements")
    first = seldon_s2i_build(source, DEFAULT_BUILDER, tag, "--incremental")
    assert first.returncode == 0, first.log
    first_layer = inspect_image(tag)["Parent"]

    with open(source / "requirements.txt", "a") as handle:  # the dependency layer's key changes
        handle.write("# reviewed\n")
    second = seldon_s2i_build(source, DEFAULT_BUILDER, tag, "--incremental")
    assert second.returncode == 0, second.log
    assert "Building the dependency layer from requirements.txt" in second.log, second.log
    assert "Restoring the dependency cache of the previous image" in second.log
    assert "+ pillow" in second.log  # installed again, into the new layer ...
    assert "Downloading" not in second.log and "Prepared" not in second.log, second.log  # ... from the cache
    restored = re.search(r"Restoring (\d+) compiled files of the previous image", second.log)
    assert restored and int(restored.group(1)) > 50, second.log  # Pillow's bytecode, not compiled again
    fresh = ("import PIL.Image, importlib.util, os, struct, sys; p = PIL.Image.__file__; "
             "h = open(importlib.util.cache_from_source(p), 'rb').read(16); "
             "sys.exit(struct.unpack('<LL', h[4:12]) != (0, int(os.stat(p).st_mtime)))")
    assert run_in(tag, "python", "-c", fresh) == ""  # the restored .pyc matches its source
    assert inspect_image(tag)["Parent"] != first_layer


def test_failed_build_removes_the_dependency_layer_it_made(apps: AppImages, tmp_path: Path) -> None:
    source = _copy_app("import-error-should-fail", tmp_path / "import-error")
    (source / "requirements.txt").write_text("numpy\n")  # in the builder already: no download
    tag = apps.new_tag("failed-layer")
    build = seldon_s2i_build(source, DEFAULT_BUILDER, tag, ca=False)
    assert build.returncode != 0
    layer = re.search(r"Committed the dependency layer (sha256:[0-9a-f]+)", build.log)
    assert layer, build.log  # the dependency phase succeeded ...
    assert "does not import" in build.log  # ... the application phase did not
    assert not image_exists(tag)
    assert not image_exists(layer.group(1).split(":")[1]), "the failed build left its dependency layer behind"


def test_requirements_that_include_other_files_install_with_the_application(apps: AppImages, tmp_path: Path) -> None:
    source = _copy_app("ndarray-model", tmp_path / "includes")
    (source / "requirements.txt").write_text("-r requirements-base.txt\n")
    (source / "requirements-base.txt").write_text("numpy\n")  # in the builder already: no download
    build = seldon_s2i_build(source, DEFAULT_BUILDER, apps.new_tag("includes"), ca=False)
    assert build.returncode == 0, build.log
    assert "requirements.txt refers to other files of the source: it is installed with the application" in build.log


def test_dockerfile_keeps_the_dependency_layer_in_dockers_cache(apps: AppImages, tmp_path: Path) -> None:
    source = _copy_app("ndarray-model", tmp_path / "app")
    (source / "requirements.txt").write_text("numpy\n")  # in the builder already: no download, no CA
    tag = apps.new_tag("dockerfile-layers")
    out = tmp_path / "out"

    def build() -> str:
        written = subprocess.run([SELDON_S2I, "build", str(source), DEFAULT_BUILDER, tag, "--as-dockerfile",
                                  str(out / "Dockerfile")], capture_output=True, text=True)
        assert written.returncode == 0, written.stderr
        result = docker("build", "--network", "host", "-t", tag, str(out), check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout.decode()

    first = build()
    assert "SELDON_S2I_PHASE=dependencies" in first and "SELDON_S2I_PHASE=application" in first
    with open(source / "Doubler.py", "a") as handle:  # a code-only change
        handle.write("\nGREETING = 'changed'\n")
    second = build()
    steps = second.split("\nStep ")
    dependencies = next(step for step in steps if "SELDON_S2I_PHASE=dependencies" in step.splitlines()[0])
    application = next(step for step in steps if "SELDON_S2I_PHASE=application" in step.splitlines()[0])
    assert "Using cache" in dependencies, second  # docker reuses the installed dependencies ...
    assert "Using cache" not in application, second  # ... and runs the application phase again
    assert run_in(tag, "python", "-c", "import Doubler; print(Doubler.GREETING)") == "changed\n"


def test_cache_of_another_python_is_discarded(apps: AppImages) -> None:
    tag = apps.new_tag("cache-key")
    first = seldon_s2i_build(APPS / "ndarray-model", "seldon-python311", tag, ca=False)
    assert first.returncode == 0, first.log
    second = seldon_s2i_build(APPS / "ndarray-model", "seldon-python313", tag, "--incremental", ca=False)
    assert second.returncode == 0, second.log
    assert "Discarding the previous image's dependency cache" in second.log
    assert "python=3.11" in second.log and "python=3.13" in second.log


# --- run script -------------------------------------------------------------------------------------

def test_run_executes_before_run_then_serves(apps: AppImages, run_container: Callable,
                                             free_port: Callable, wait_for_http: Callable, tmp_path: Path) -> None:
    source = _copy_app("ndarray-model", tmp_path / "with-before-run")
    hook = source / "before-run"
    hook.write_text("#!/bin/sh\necho \"before-run ran as $(id -u) in $(pwd)\"\n")
    hook.chmod(0o755)
    build = seldon_s2i_build(source, DEFAULT_BUILDER, apps.new_tag("before-run"), ca=False)
    assert build.returncode == 0, build.log
    port = free_port()
    container = run_container(build.tag, env={"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(port),
                                              "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(free_port())})
    wait_for_http(f"http://127.0.0.1:{port}/health/ping", container)
    assert "before-run ran as 1001 in /microservice" in container.logs()


# --- the Open Inference (V2) protocol ---------------------------------------------------------------

def test_protocol_v2_in_the_environment_file_makes_the_image_serve_v2(apps: AppImages, run_container: Callable,
                                                                      free_port: Callable,
                                                                      wait_for_http: Callable) -> None:
    http, grpc_port, metrics = free_port(), free_port(), free_port()
    container = run_container(apps.image("v2-model"), env={  # the ports as the Seldon operator injects them
        "MLSERVER_HTTP_PORT": str(http), "MLSERVER_GRPC_PORT": str(grpc_port), "MLSERVER_MODEL_NAME": "doubler",
        "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics)})
    base = f"http://127.0.0.1:{http}"
    wait_for_http(f"{base}/v2/models/doubler/ready", container)
    body = {"inputs": [{"name": "x", "shape": [1, 2], "datatype": "INT32", "data": [3, 4]}]}
    response = requests.post(f"{base}/v2/models/doubler/infer", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["outputs"][0] == {"name": "output-1", "shape": [1, 2], "datatype": "INT32",
                                             "parameters": {"content_type": "np"}, "data": [6, 8]}
    assert requests.get(f"{base}/health/ping", timeout=10).status_code == 404  # v1 is off with PROTOCOL=v2
    # pandas is in no runtime lock: a DataFrame request is a 400 naming the fix (docs/v2-protocol.md).
    refused = requests.post(f"{base}/v2/models/doubler/infer", json={**body, "parameters": {"content_type": "pd"}},
                            timeout=30)
    assert (refused.status_code, refused.json()) == \
        (400, {"error": "content_type pd needs pandas: add it to the model's requirements"})
