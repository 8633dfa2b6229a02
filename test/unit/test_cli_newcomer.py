"""The CLI as a newcomer meets it: --version, one `ERROR:` prefix for every subcommand, and
`seldon-s2i build` after a plain install (no docker SDK) in a real virtualenv built from the wheel.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from seldon_s2i.cli import main

try:
    import tomllib
except ImportError:  # Python < 3.11 (tomli is in the dev lock there)
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
UV = [sys.executable, "-m", "uv"]


def _run(capsys, argv):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's --version, --help and errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _single_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), err
    return lines[0]


def test_version_prints_the_package_metadata_version_which_is_pyprojects(capsys):
    code, out, err = _run(capsys, ["--version"])
    with open(ROOT / "pyproject.toml", "rb") as f:
        declared = tomllib.load(f)["project"]["version"]
    assert (code, out, err) == (0, f"seldon-s2i {declared}\n", "")
    assert metadata.version("seldon-s2i") == declared


@pytest.mark.parametrize("argv, fragment", [
    (["serve"], "the following arguments are required: directory"),
    (["serve", "/no/such/model-dir"], "/no/such/model-dir is not a directory"),
    (["serve", "{empty}"], "MODEL_NAME is not set: add a line MODEL_NAME=<YourClass> (or package.module.Class) to"),
    (["build"], "the following arguments are required: SRC, BUILDER"),
    (["usage"], "the following arguments are required: BUILDER"),
    (["frobnicate"], "invalid choice"),
])
def test_every_subcommand_reports_a_user_mistake_as_one_error_line(capsys, tmp_path, monkeypatch, argv, fragment):
    monkeypatch.delenv("MODEL_NAME", raising=False)
    argv = [arg.format(empty=tmp_path) for arg in argv]
    code, out, err = _run(capsys, argv)
    assert code == 2
    assert fragment in _single_error_line(err)
    assert out == ""


def _runtime_pins() -> list:
    """name==version of seldon-s2i's runtime dependencies, transitively, as installed here from the lock."""
    pins, todo = {}, [Requirement(r) for r in metadata.requires("seldon-s2i") or []]
    while todo:
        requirement = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = requirement.name.lower()
        if name not in pins:
            pins[name] = metadata.version(name)
            todo += [Requirement(r) for r in metadata.requires(name) or []]
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory) -> Path:
    """A virtualenv with the seldon-s2i wheel and its runtime dependencies only: no docker SDK.

    Built offline: the wheel from a copy of the tree (setuptools from the dev lock, no isolation),
    the dependencies at the dev lock's versions from uv's cache.
    """
    work = tmp_path_factory.mktemp("plain-install")
    tree = work / "tree"
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    subprocess.run([*UV, "build", "-q", "--offline", "--wheel", "--no-build-isolation", "--python", sys.executable,
                    "--out-dir", str(work / "dist"), str(tree)], check=True)
    venv = work / "venv"
    subprocess.run([*UV, "venv", "-q", "--offline", "--python", sys.executable, str(venv)], check=True)
    subprocess.run([*UV, "pip", "install", "-q", "--offline", "--no-deps", "--python", str(venv / "bin" / "python"),
                    *map(str, (work / "dist").glob("*.whl")), *_runtime_pins()], check=True)
    return venv


def test_the_plain_install_has_the_runtime_but_not_the_docker_sdk(plain_install):
    check = "import importlib.util as u; print(u.find_spec('docker') is None, u.find_spec('flask') is not None)"
    result = subprocess.run([plain_install / "bin" / "python", "-c", check], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True"]


@pytest.mark.parametrize("argv", [["build", ".", "seldon-python3", "my-model:0.1"], ["usage", "seldon-python3"],
                                  ["deployment", "my-model:0.1"]])
def test_build_without_the_docker_sdk_names_the_extra_to_install_in_one_line(plain_install, tmp_path, argv):
    result = subprocess.run([plain_install / "bin" / "seldon-s2i", *argv], cwd=tmp_path, capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert _single_error_line(result.stderr) == (
        f"ERROR: seldon-s2i {argv[0]} needs the docker SDK, an optional dependency: "
        "pip install 'seldon-s2i[build]' (or pip install 'docker>=7')")
    assert result.stdout == ""


def test_the_installed_command_reports_its_version_and_serves_errors_with_the_same_prefix(plain_install, tmp_path):
    version = subprocess.run([plain_install / "bin" / "seldon-s2i", "--version"], capture_output=True, text=True)
    assert (version.returncode, version.stdout) == (0, f"seldon-s2i {metadata.version('seldon-s2i')}\n")
    serve = subprocess.run([plain_install / "bin" / "seldon-s2i", "serve", str(tmp_path / "missing")],
                           capture_output=True, text=True)
    assert serve.returncode == 2
    missing = tmp_path / "missing"
    assert _single_error_line(serve.stderr) == f"ERROR: {missing} is not a directory: give the model's source directory"


def test_the_readmes_my_model_is_the_file_in_test_apps_image_model_byte_for_byte():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```python\n", 1)[1].split("```\n", 1)[0]
    assert block == (ROOT / "test" / "apps" / "image-model" / "MyModel.py").read_text(encoding="utf-8")
