"""The s2i scripts' checks that need no container: assemble must reject bad .s2i/environment
settings before it touches anything, with one line naming the cause. The scripts run as a builder
holds them: laid out by s2i/stage.sh (shared entry points + lib/contract.sh + the language's steps)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Set

import pytest

S2I = Path(__file__).resolve().parents[2] / "s2i"
ENTRY_POINTS = ("assemble", "run", "save-artifacts", "usage")
GOOD = {"MODEL_NAME": "MyModel", "SERVICE_TYPE": "MODEL", "API_TYPE": "REST"}


def stage(language: str, dest: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(S2I / "stage.sh"), language, str(dest)], capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python builder's /usr/libexec/s2i, staged in a temporary directory."""
    dest = tmp_path_factory.mktemp("s2i") / "python"
    assert stage("python", dest).returncode == 0
    return dest


def run_assemble(scripts: Path, env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(scripts / "assemble")], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=30)


@pytest.fixture
def assemble(scripts: Path) -> Callable[[Dict[str, str]], subprocess.CompletedProcess]:
    return lambda env: run_assemble(scripts, env)


@pytest.mark.parametrize("env,message", [
    ({"SERVICE_TYPE": "MODEL"}, "MODEL_NAME is not set: add a line MODEL_NAME=<YourClass>"),
    ({"MODEL_NAME": "MyModel"}, "SERVICE_TYPE is not set"),
    ({**GOOD, "SERVICE_TYPE": "PREDICTOR"}, "SERVICE_TYPE=PREDICTOR is not one of MODEL, ROUTER, TRANSFORMER"),
    ({**GOOD, "API_TYPE": "REST,FBS"}, "API_TYPE=REST,FBS: expected REST, GRPC or both"),
    ({**GOOD, "MODEL_NAME": '"MyModel"'}, "s2i keeps quotes in .s2i/environment literally. Write MODEL_NAME=MyModel"),
    ({**GOOD, "SERVICE_TYPE": "'MODEL'"}, "Write SERVICE_TYPE=MODEL"),
    ({**GOOD, "PROTOCOL": "v3"}, "PROTOCOL=v3 is not one of v1, v2, both (set in .s2i/environment)"),
    ({**GOOD, "PROTOCOL": '"v2"'}, "Write PROTOCOL=v2"),
    ({**GOOD, "SERVICE_TYPE": "ROUTER", "PROTOCOL": "v2"},
     "PROTOCOL=v2 with SERVICE_TYPE=ROUTER: the Open Inference (V2) protocol has no meaning for a ROUTER"),
])
def test_assemble_rejects_bad_settings_in_one_line(assemble: Callable, env: Dict[str, str], message: str) -> None:
    result = assemble(env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and message in errors[0], result.stderr


BAD_SETTINGS = [
    {"SERVICE_TYPE": "MODEL"}, {"MODEL_NAME": "MyModel"}, {**GOOD, "SERVICE_TYPE": "PREDICTOR"},
    {**GOOD, "API_TYPE": "REST,FBS"}, {**GOOD, "MODEL_NAME": '"MyModel"'}, {**GOOD, "SERVICE_TYPE": "'MODEL'"},
    {**GOOD, "PROTOCOL": "kserve"}, {**GOOD, "PROTOCOL": "'both'"},
    {**GOOD, "SERVICE_TYPE": "COMBINER", "PROTOCOL": "V2"},
]


@pytest.mark.parametrize("env", BAD_SETTINGS)
def test_seldon_s2i_serve_refuses_bad_settings_in_assembles_words(assemble: Callable, env: Dict[str, str]) -> None:
    """The Python builder's contract check and `seldon-s2i serve`'s are two copies of one rule: kept equal here."""
    from seldon_s2i.runtime.serve import check_settings

    errors = [line for line in assemble(env).stderr.splitlines() if line.startswith("ERROR:")]
    assert errors == [f"ERROR: {check_settings(env, Path('.s2i/environment'))}"]


@pytest.mark.parametrize("api_type", ["REST", "GRPC", "REST,GRPC", "grpc, rest"])
def test_assemble_accepts_every_api_type_spelling(assemble: Callable, api_type: str) -> None:
    # Valid settings get past validation; outside a builder image assemble then stops, touching nothing.
    result = assemble({**GOOD, "API_TYPE": api_type})
    assert result.returncode == 1
    assert "assemble runs inside a Seldon builder image" in result.stderr and "API_TYPE=" not in result.stderr


def test_scripts_are_strict_bash() -> None:
    for name in ENTRY_POINTS:
        text = (S2I / "bin" / name).read_text()
        assert text.startswith("#!/bin/bash\n") and "set -euo pipefail" in text, name
    scripts = [S2I / "bin" / name for name in ENTRY_POINTS] + [S2I / "lib" / "contract.sh", S2I / "python" / "steps.sh"]
    for path in scripts:
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_a_builder_gets_the_shared_scripts_and_its_own_language_steps_only(scripts: Path) -> None:
    staged = sorted(str(p.relative_to(scripts)) for p in scripts.rglob("*") if p.is_file())
    assert staged == sorted([*ENTRY_POINTS, "lib/contract.sh", "lib/steps.sh"])
    assert (scripts / "lib" / "steps.sh").read_text() == (S2I / "python" / "steps.sh").read_text()
    assert all((scripts / name).stat().st_mode & 0o111 for name in ENTRY_POINTS)


def test_staging_an_unknown_language_fails_in_one_line(tmp_path: Path) -> None:
    result = stage("cobol", tmp_path / "s2i")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "ERROR: no s2i steps for language 'cobol': add s2i/cobol/steps.sh (see s2i/README.md)")


def test_the_accepted_api_types_are_the_languages(scripts: Path, tmp_path: Path) -> None:
    """A language serving REST only (R) refuses GRPC with the same one-line error, naming REST."""
    rest_only = tmp_path / "rest-only"
    shutil.copytree(scripts, rest_only)
    steps = rest_only / "lib" / "steps.sh"
    steps.write_text(steps.read_text().replace('LANGUAGE_API_TYPES="REST GRPC"', 'LANGUAGE_API_TYPES="REST"'))
    result = run_assemble(rest_only, {**GOOD, "API_TYPE": "REST,GRPC"})
    assert result.returncode == 1
    assert result.stderr.strip() == "ERROR: API_TYPE=REST,GRPC: expected REST (set in .s2i/environment)"


@pytest.mark.parametrize("language", ["nodejs", "java", "r"])
@pytest.mark.parametrize("protocol", ["v2", "Both"])
def test_a_builder_serving_v1_only_refuses_the_open_inference_protocol_in_one_line(
        tmp_path: Path, language: str, protocol: str) -> None:
    assert stage(language, tmp_path / language).returncode == 0
    result = run_assemble(tmp_path / language, {**GOOD, "PROTOCOL": protocol})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"ERROR: PROTOCOL={protocol}: this builder serves the Seldon protocol (v1) only, not the Open Inference (V2) "
        "protocol: remove PROTOCOL from .s2i/environment or set PROTOCOL=v1")


@pytest.mark.parametrize("language", ["nodejs", "java", "r"])
def test_a_v1_only_image_run_with_protocol_v2_refuses_instead_of_serving_v1(tmp_path: Path, language: str) -> None:
    """`docker run -e PROTOCOL=v2` on a NodeJS/Java/R image silently served v1 (newcomer finding)."""
    assert stage(language, tmp_path / language).returncode == 0
    result = subprocess.run(["bash", str(tmp_path / language / "run")], capture_output=True, text=True, timeout=30,
                            env={"PATH": "/usr/bin:/bin", **GOOD, "PROTOCOL": "v2"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "ERROR: PROTOCOL=v2: this builder serves the Seldon protocol (v1) only")


def test_usage_names_the_builder_and_the_language_version(scripts: Path) -> None:
    result = subprocess.run(["bash", str(scripts / "usage")], capture_output=True, text=True, timeout=30,
                            env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                                 "SELDON_S2I_BUILDER_IMAGE": "seldon-python3x"})
    assert result.returncode == 0, result.stderr
    assert "s2i build <SOURCE-REPOSITORY> seldon-python3x <APP-NAME>" in result.stdout
    assert f"(Python {sys.version.split()[0]})" in result.stdout
    assert "COMBINER or OUTLIER_DETECTOR" in result.stdout and "CA_BUNDLE" in result.stdout
    assert "seldon-s2i deployment <APP-NAME> > seldon-deploy.yaml && kubectl apply" in result.stdout


def test_assemble_rejects_an_unknown_phase(assemble: Callable) -> None:
    result = assemble({**GOOD, "SELDON_S2I_PHASE": "deps"})
    assert result.returncode == 1
    assert result.stderr.strip() == "ERROR: SELDON_S2I_PHASE=deps: expected all, dependencies or application"


def _local_reference_pattern() -> str:
    for line in (S2I / "python" / "steps.sh").read_text().splitlines():
        if line.startswith("LOCAL_REFERENCE='"):
            return line[len("LOCAL_REFERENCE='"):-1]
    raise AssertionError("s2i/python/steps.sh defines no LOCAL_REFERENCE")


@pytest.mark.parametrize("line,local", [
    ("Pillow", False),
    ("numpy>=1.26,<3 ; python_version >= '3.10'", False),
    ("torch==2.4.0 --hash=sha256:0123abcd", False),
    ("--extra-index-url https://example.org/simple", False),
    ("mypkg @ https://example.org/mypkg-1.0.tar.gz", False),
    ("-r base.txt", True),
    ("--requirement=base.txt", True),
    ("-c constraints.txt", True),
    ("-e .", True),
    ("./vendor/mypkg", True),
    ("wheels/mypkg-1.0-py3-none-any.whl", True),
    ("mypkg-1.0.tar.gz", True),
    ("mypkg @ file:///src/mypkg", True),
    ("file:../mypkg", True),
])
def test_requirements_that_need_the_rest_of_the_source_are_recognised(line: str, local: bool) -> None:
    """Such a requirements.txt cannot be installed in the dependencies phase (only it is uploaded)."""
    found = subprocess.run(["grep", "-Eq", _local_reference_pattern()], input=line + "\n", text=True)
    assert (found.returncode == 0) == local


SHARED = [S2I / "bin" / name for name in ENTRY_POINTS] + [S2I / "lib" / "contract.sh"]
LANGUAGES = sorted(path.parent.name for path in S2I.glob("*/steps.sh"))


def _code(path: Path) -> str:
    """The script without its comments (shellcheck directives name an example language)."""
    return "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))


def hooks_called_by_the_shared_scripts() -> Set[str]:
    return {name for path in SHARED for name in re.findall(r"\b(language_[a-z_]+)\b", _code(path))}


def test_the_shared_scripts_name_nothing_of_a_language() -> None:
    for path in SHARED:
        words = set(re.findall(r"[a-z0-9]+", _code(path).lower()))
        language_words = {"python", "pip", "uv", "venv", "pyc", "wheel", "npm", "node", "java", "maven", "rscript"}
        assert not words & language_words, path


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_language_defines_every_hook_the_shared_scripts_call(language: str) -> None:
    steps = (S2I / language / "steps.sh").read_text()
    defined = set(re.findall(r"^(language_[a-z_]+)\(\)", steps, flags=re.M))
    defined |= set(re.findall(r"^(LANGUAGE_[A-Z_]+)=", steps, flags=re.M))
    called = hooks_called_by_the_shared_scripts()
    called |= {name for path in SHARED for name in re.findall(r"\b(LANGUAGE_[A-Z_]+)\b", _code(path))}
    assert called - defined == set()


def test_the_s2i_readme_names_every_hook() -> None:
    readme = (S2I / "README.md").read_text()
    assert [name for name in sorted(hooks_called_by_the_shared_scripts()) if f"`{name}" not in readme] == []
