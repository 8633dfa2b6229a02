"""The README walkthrough (the article's story) step by step, with the article's own files.

The model (test/apps/image-model/MyModel.py) and the client (test/walkthrough/my-model-client.py)
are the article's code. The steps are the README's: `seldon-s2i build . seldon-python311
my-model:0.1` from inside the model directory, `docker run -d --rm --name my-model -p 5000:5000`,
then the client against /api/v0.1/predictions and /predict on port 5000. The only addition is
`--network host`: our engines have no bridge network (see DESIGN.md), so `-p` has nothing to map.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from PIL import Image

from dockercli import docker
from http_wait import wait_for_http

ROOT = Path(__file__).resolve().parents[2]
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
SELDON_S2I = str(Path(sys.executable).with_name("seldon-s2i"))


def make_test_image(path: Path) -> np.ndarray:
    """A 1280x960 RGB JPEG like the article's test_image.jpg; returns the decoded pixels."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:960, 0:1280]
    pixels = np.stack([x * 255 // 1279, y * 255 // 959, (x + y) % 256], axis=-1)
    pixels = np.clip(pixels + rng.integers(-20, 21, pixels.shape), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, quality=90)
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.fixture(scope="module")
def my_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The walkthrough's directory: MyModel.py, requirements.txt, .s2i/environment."""
    workdir = tmp_path_factory.mktemp("walkthrough")
    shutil.copytree(ROOT / "test" / "apps" / "image-model", workdir / "my-model")
    shutil.copy(ROOT / "test" / "walkthrough" / "my-model-client.py", workdir / "my-model-client.py")
    yield workdir / "my-model"


@pytest.fixture(scope="module")
def image(my_model: Path) -> Iterator[str]:
    tag = f"my-model-walkthrough-{uuid.uuid4().hex[:8]}:0.1"
    inject = ["-i", f"{HOST_CA}:/tmp/ca"] if HOST_CA.is_file() else []
    build = subprocess.run([SELDON_S2I, "build", ".", "seldon-python311", tag, *inject],
                           cwd=my_model, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    assert "---> Installing" in build.stdout or "---> " in build.stdout, build.stdout
    yield tag
    docker("rmi", "-f", tag, check=False)


@pytest.fixture(scope="module")
def container(image: str) -> Iterator[str]:
    name = f"my-model-{uuid.uuid4().hex[:8]}"
    docker("run", "-d", "--rm", "--name", name, "--network", "host", "-p", "5000:5000", image)
    try:
        wait_for_http("http://localhost:5000/health/ping", timeout=120)
        yield name
    finally:
        docker("rm", "-f", name, check=False)


@pytest.mark.parametrize("path", ["/api/v0.1/predictions", "/predict"])
def test_article_client_gets_its_image_back(my_model: Path, container: str, path: str) -> None:
    workdir = my_model.parent
    original = make_test_image(workdir / "test_image.jpg")
    (workdir / "result.jpg").unlink(missing_ok=True)

    client = subprocess.run(
        [sys.executable, "my-model-client.py", f"http://localhost:5000{path}", "test_image.jpg"],
        cwd=workdir, capture_output=True, text=True, timeout=300)

    assert client.returncode == 0, client.stderr
    assert "caught response <Response [200]>" in client.stderr
    assert "output image shape = [960, 1280, 3]" in client.stderr
    with Image.open(workdir / "result.jpg") as result:
        assert result.size == (1280, 960)
        # The service returned the decoded pixels unchanged; the client re-encoded them as JPEG,
        # so compare with a JPEG tolerance (mean absolute error of a quality-75 round trip).
        error = np.abs(np.asarray(result.convert("RGB"), dtype=np.int16) - original.astype(np.int16))
        assert error.mean() < 6, error.mean()


def test_model_logs_appear_in_docker_logs(container: str, my_model: Path) -> None:
    workdir = my_model.parent
    if not (workdir / "test_image.jpg").exists():
        make_test_image(workdir / "test_image.jpg")
    subprocess.run([sys.executable, "my-model-client.py", "http://localhost:5000/predict", "test_image.jpg"],
                   cwd=workdir, capture_output=True, timeout=300, check=True)
    result = docker("logs", container)
    logs = (result.stdout + result.stderr).decode(errors="replace")
    for line in ("initializing...", "model has been loaded and initialized...",
                 "predict called...", "image size = (960, 1280, 3)", "returning prediction..."):
        assert line in logs, logs[-3000:]
