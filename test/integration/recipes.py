"""Every build recipe of the README, `usage` and docs/, as data, runnable with any s2i-compatible tool.

A recipe is a source tree (the language's minimal app plus the recipe's own files), the build
flags a user types, how many times they type them (`--incremental` twice), and what must hold
afterwards (checked on the real engine: the build's exit status and log, the image's Env and
files). `run_recipe(recipe, language, tool)` runs one; `test_recipes.py` runs them all with
`seldon-s2i build`. The same recipes run unchanged with the real `s2i` binary (a `Tool` whose
argv is that binary), which is how docs/build-driver.md's table of both tools was measured.

A language plugs in with one `LanguageApp` in `LANGUAGES`: its builder image and a minimal model
that builds offline. Recipes about one language's installer say so in `languages`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import tarfile
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from dockercli import docker, env_dict, image_exists, inspect_config
from filetree import write_tree

HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")  # a real PEM bundle, present on Debian hosts
APP_DIR = "/microservice"  # every builder's app directory (s2i/lib/contract.sh)


@dataclass(frozen=True)
class LanguageApp:
    """A language's builder image and a minimal app for it that builds with no network."""

    builder: str
    files: Dict[str, str]
    environment: str  # the lines of .s2i/environment every recipe starts from


LANGUAGES: Dict[str, LanguageApp] = {
    "python": LanguageApp(
        builder="seldon-python311",
        files={"MyModel.py": "class MyModel:\n    def predict(self, X, features_names=None):\n        return X\n"},
        environment="MODEL_NAME=MyModel\nSERVICE_TYPE=MODEL\nAPI_TYPE=REST\n",
    ),
    "java": LanguageApp(
        builder="seldon-java21",
        files={"src/main/java/MyModel.java": (
            "import io.seldon.protos.PredictionProtos.SeldonMessage;\n"
            "import io.seldon.wrapper.api.SeldonPredictionService;\n\n"
            "public class MyModel implements SeldonPredictionService {\n"
            "  @Override\n  public SeldonMessage predict(SeldonMessage request) {\n    return request;\n  }\n}\n")},
        environment="MODEL_NAME=MyModel\nSERVICE_TYPE=MODEL\nAPI_TYPE=REST\n",
    ),
    "r": LanguageApp(
        builder="seldon-r45",
        files={"MyModel.R": ("initialise_seldon <- function(params) structure(list(), class = \"mymodel\")\n"
                             "predict.mymodel <- function(obj, newdata = list()) newdata\n")},
        environment="MODEL_NAME=MyModel.R\nSERVICE_TYPE=MODEL\nAPI_TYPE=REST\n",
    ),
    "nodejs": LanguageApp(
        builder="seldon-nodejs24",
        files={"MyModel.js": "class MyModel {\n  predict(X) {\n    return X;\n  }\n}\nmodule.exports = MyModel;\n"},
        environment="MODEL_NAME=MyModel.js\nSERVICE_TYPE=MODEL\nAPI_TYPE=REST\n",
    ),
}


@dataclass(frozen=True)
class Tool:
    """An s2i-compatible CLI: argv before `build`/`usage`, and extra environment."""

    name: str
    argv: Tuple[str, ...]
    env: Tuple[Tuple[str, str], ...] = ()


@dataclass
class Outcome:
    """What one recipe run produced: the last build's status and log, the image tag."""

    returncode: int
    log: str
    tag: str
    seconds: float
    logs: List[str] = field(default_factory=list)  # every build's log, in order

    def env(self) -> Dict[str, str]:
        return env_dict(inspect_config(self.tag))

    def run(self, script: str) -> str:
        """Run a shell snippet in the built image (no network, its ENTRYPOINT bypassed)."""
        return docker("run", "--rm", "--network", "none", "--entrypoint", "", self.tag,
                      "sh", "-c", script, text=True).stdout


@dataclass(frozen=True)
class Recipe:
    """One documented recipe: `where` it is documented, what it sets up, types, and expects."""

    name: str
    where: str
    args: Callable[[Path], List[str]]  # build flags after SRC BUILDER TAG, given the work dir
    check: Callable[[Outcome], None]  # raises AssertionError when the recipe's promise fails
    files: Dict[str, str] = field(default_factory=dict)  # source files, over the language's app
    environment: str = ""  # lines appended to .s2i/environment
    setup: Optional[Callable[[Path], None]] = None  # makes host files the flags refer to
    builds: int = 1
    source: str = "src"  # the directory given as SRC, under the work dir
    languages: Tuple[str, ...] = ()  # empty: every language
    command: str = "build"  # or "usage"
    docker_build: bool = False  # then `docker build` the context the flags wrote to <work>/out


def make_wheel(directory: Path, name: str = "s2i_recipe_probe", version: str = "1.0") -> Path:
    """A pure-Python wheel of one module `name` (RECORD with sha256 hashes), written into directory."""
    directory.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    members = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: recipes.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for member, text in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(text.encode())}")
    members[f"{dist}/RECORD"] = "\n".join(record + [f"{dist}/RECORD,,"]) + "\n"
    path = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


# --- checks -------------------------------------------------------------------------------------
def built(outcome: Outcome) -> None:
    assert outcome.returncode == 0, f"the build failed ({outcome.returncode}):\n{outcome.log[-3000:]}"


def failed_with(*lines: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        assert outcome.returncode != 0, "the build succeeded"
        assert not image_exists(outcome.tag), "a failed build left an image tagged"
        for line in lines:
            assert line in outcome.log, f"{line!r} not in the log:\n{outcome.log[-3000:]}"
    return check


def all_of(*checks: Callable[[Outcome], None]) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        for each in checks:
            each(outcome)
    return check


def in_log(*texts: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        for text in texts:
            assert text in outcome.log, f"{text!r} not in the log:\n{outcome.log[-3000:]}"
    return check


def image_env(**expected: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        env = outcome.env()
        assert {name: env.get(name) for name in expected} == expected
    return check


def image_files(script: str, expected: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        assert outcome.run(script) == expected
    return check


def _not_in_log(outcome: Outcome, text: str) -> None:
    assert text not in outcome.log, f"{text!r} in the log"


def _once_in_log(outcome: Outcome, text: str) -> None:
    """Once, whichever tool (one assemble, or seldon-s2i's dependency and application phases)."""
    assert outcome.log.count(text) == 1, f"{text!r} {outcome.log.count(text)} times in the log:\n{outcome.log[-3000:]}"


def _labels(outcome: Outcome, expected: Dict[str, str]) -> None:
    labels = inspect_config(outcome.tag)["Labels"]
    assert {name: labels.get(name) for name in expected} == expected


def _git_repository(work: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=recipes", "-c", "user.email=recipes@localhost", *args],
                       cwd=work / "src", check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "the model")
    (work / "src" / "uncommitted.txt").write_text("not in the commit\n")


def _ca_dir(work: Path) -> None:
    (work / "ca-dir").mkdir()
    (work / "ca-dir" / "corporate-ca.crt").write_bytes(HOST_CA_BUNDLE.read_bytes())


def _settings_file(work: Path) -> None:
    (work / "settings.json").write_text('{"token": "s3cret"}\n')


def _env_file(work: Path) -> None:
    (work / "build.env").write_text("# -E file\nFROM_E_FILE=e-file\nOVERRIDDEN=from-E\n")


def _scripts_dir(work: Path) -> None:
    write_tree(work / "scripts", {"assemble": OVERRIDE_ASSEMBLE.replace("override", "scripts-url")})
    (work / "scripts" / "assemble").chmod(0o755)


def _wheels(work: Path) -> None:
    make_wheel(work / "wheels")


def _wheels_and_pip_conf(work: Path) -> None:
    make_wheel(work / "wheels")
    (work / "pip.conf").write_text("[global]\nno-index = true\nfind-links = /tmp/whl\n")


def make_r_repository(directory: Path, name: str = "s2iRecipeProbe", version: str = "1.0") -> Path:
    """A local R package repository (src/contrib/PACKAGES and one pure-R source package) in directory."""
    contrib = directory / "src" / "contrib"
    contrib.mkdir(parents=True, exist_ok=True)
    members = {
        "DESCRIPTION": (f"Package: {name}\nVersion: {version}\nTitle: A Recipe Probe\nDescription: Probes.\n"
                        "License: MIT\nAuthor: recipes\nMaintainer: recipes <recipes@localhost>\n"
                        "NeedsCompilation: no\n"),
        "NAMESPACE": "export(probe_version)\n",
        "R/probe.R": f"probe_version <- function() {version!r}\n",
    }
    with tarfile.open(contrib / f"{name}_{version}.tar.gz", "w:gz") as archive:
        for member, text in members.items():
            info = tarfile.TarInfo(f"{name}/{member}")
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    (contrib / "PACKAGES").write_text(f"Package: {name}\nVersion: {version}\nNeedsCompilation: no\n")
    return directory


def _r_repository(work: Path) -> None:
    make_r_repository(work / "src" / "repo")


R_PROBE_MODEL = ("library(s2iRecipeProbe)\n"
                 "initialise_seldon <- function(params) structure(list(), class = \"mymodel\")\n"
                 "predict.mymodel <- function(obj, newdata = list()) newdata\n")
R_PROBE_VERSION = (f"Rscript -e 'cat(format(packageVersion(\"s2iRecipeProbe\", lib.loc = \"{APP_DIR}/.R/library\")))'")


def make_npm_tarball(directory: Path, name: str = "s2i-recipe-probe", version: str = "1.0.0") -> Path:
    """An `npm pack` tarball of one package `name` (index.js exports VERSION; its install script prints
    `<name>-installed`, which npm shows only with foreground-scripts), written into directory."""
    directory.mkdir(parents=True, exist_ok=True)
    members = {
        "package/package.json": json.dumps({"name": name, "version": version, "main": "index.js",
                                            "scripts": {"install": f"echo {name}-installed"}}),
        "package/index.js": f"exports.VERSION = {version!r};\n",
    }
    path = directory / f"{name}-{version}.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


def _npm_tarball(work: Path) -> None:
    make_npm_tarball(work / "npm-packages")


OVERRIDE_ASSEMBLE = f"#!/bin/sh\nset -e\n/usr/libexec/s2i/assemble\necho override > {APP_DIR}/assembled-by\n"
PROBE_MODEL = ("import s2i_recipe_probe\n\n\nclass MyModel:\n"
               "    def predict(self, X, features_names=None):\n        return X\n")
PROBE_REQUIREMENT = {"requirements.txt": "s2i-recipe-probe\n", "MyModel.py": PROBE_MODEL}
TRUNCATED_CA = image_files("stat -c %s /tmp/ca", "0\n")
JAVA_POM_APP = Path(__file__).parents[1] / "apps" / "java" / "pom-model"
JAVA_POM_PROJECT = {  # README's Java models: a Maven project built offline against the builder's repositories
    name: (JAVA_POM_APP / name).read_text() for name in ("pom.xml", "src/main/java/com/example/PomModel.java")
}
NPM_PROBE = {  # a private package injected with -i ./npm-packages:/tmp/npm, installed without a registry
    "package.json": json.dumps({"name": "recipe-app", "version": "1.0.0", "private": True,
                                "dependencies": {"s2i-recipe-probe": "file:/tmp/npm/s2i-recipe-probe-1.0.0.tgz"}}),
    "MyModel.js": ("const probe = require('s2i-recipe-probe');\n\nclass MyModel {\n  predict(X) {\n"
                   "    return X;\n  }\n}\nMyModel.probe = probe.VERSION;\nmodule.exports = MyModel;\n"),
}
NPM_PROBE_INSTALLED = image_files(f"cd {APP_DIR} && node -p \"require('s2i-recipe-probe').VERSION\"", "1.0.0\n")

RECIPES: List[Recipe] = [
    Recipe("-i CA file (README: Private indexes and CA certificates)", "README.md",
           lambda work: ["-i", f"{HOST_CA_BUNDLE}:/tmp/ca"],
           all_of(built, in_log("Trusting 1 extra CA file(s) from /tmp/ca"), TRUNCATED_CA)),
    Recipe("-i CA directory", "README.md, docs/build-driver.md",
           lambda work: ["-i", f"{work}/ca-dir:/tmp/ca"],
           all_of(built, in_log("Trusting 1 extra CA file(s) from /tmp/ca"),
                  image_files("stat -c %s /tmp/ca/corporate-ca.crt", "0\n")),
           setup=_ca_dir),
    Recipe("-i CA file into a directory that is not there", "issue 13",
           lambda work: ["-i", f"{HOST_CA_BUNDLE}:/tmp/ca/ca.crt"], failed_with("/tmp/ca")),
    Recipe("-i FILE:relative/path (under the builder's WORKDIR)", "docs/build-driver.md",
           lambda work: ["-i", f"{work}/settings.json:settings.json"],
           all_of(built, image_files(f"stat -c %s {APP_DIR}/settings.json", "0\n")),
           setup=_settings_file),
    Recipe("-i FILE with no destination (the WORKDIR, a directory)", "docs/build-driver.md",
           lambda work: ["-i", f"{work}/settings.json"], failed_with(APP_DIR), setup=_settings_file),
    Recipe("-e and -E (after .s2i/environment)", "docs/build-driver.md",
           lambda work: ["-e", "FROM_E=e", "-e", "OVERRIDDEN=from-e", "-E", f"{work}/build.env"],
           all_of(built, image_env(FROM_SOURCE="source", FROM_E="e", FROM_E_FILE="e-file", OVERRIDDEN="from-E")),
           environment="FROM_SOURCE=source\nOVERRIDDEN=from-source\n", setup=_env_file),
    Recipe(".s2i/environment with quotes, $, # and spaces", "README.md (What goes in the source directory)",
           lambda work: [],
           all_of(built, image_env(QUOTED='"a b"', SINGLE="'x'", DOLLAR="$HOME/bin", HASH="a#b # not a comment",
                                   SPACED="x  y", EQUALS="k=v=w"),
                  lambda outcome: _absent(outcome.env(), "COMMENTED")),
           environment=('QUOTED="a b"\nSINGLE=\'x\'\nDOLLAR=$HOME/bin\nHASH=a#b # not a comment\n'
                        "  SPACED =  x  y  \nEQUALS=k=v=w\n# COMMENTED=out\n")),
    Recipe("--context-dir", "README.md (seldon-s2i CLI)",
           lambda work: ["--context-dir", "model"],
           all_of(built, image_files(f"cd {APP_DIR} && ls model.txt && test ! -e outside.txt && echo context",
                                     "model.txt\ncontext\n")),
           files={"model.txt": "in the context dir\n"}, source="repo"),
    Recipe(".s2iignore", "README.md (What goes in the source directory)",
           lambda work: [],
           all_of(built, image_files(f"cd {APP_DIR} && ls data && test ! -e secret.txt && echo ignored",
                                     "keep.txt\nignored\n")),
           files={".s2iignore": "# comment\nsecret.txt\ndata/*.csv\n", "secret.txt": "s", "data/a.csv": "1",
                  "data/keep.txt": "k"}),
    Recipe(".s2i/bin/assemble wrapping the builder's", "README.md (What goes in the source directory)",
           lambda work: [],
           all_of(built, image_files(f"cat {APP_DIR}/assembled-by", "override\n")),
           files={".s2i/bin/assemble": OVERRIDE_ASSEMBLE}),
    Recipe("--scripts-url file://", "docs/build-driver.md",
           lambda work: ["--scripts-url", f"file://{work}/scripts"],
           all_of(built, image_files(f"cat {APP_DIR}/assembled-by", "scripts-url\n")),
           setup=_scripts_dir),
    Recipe("--incremental, twice", "README.md (Incremental builds)",
           lambda work: ["--incremental", "-i", f"{work}/wheels:/tmp/whl"],
           all_of(built, image_files("python -c 'import s2i_recipe_probe as p; print(p.VERSION)'", "1.0\n")),
           files=PROBE_REQUIREMENT, environment="PIP_FIND_LINKS=/tmp/whl\nPIP_NO_INDEX=1\n",
           setup=_wheels, builds=2, languages=("python",)),
    Recipe("R: install.R from a local R_REPOS, --incremental twice", "README.md (R models)",
           lambda work: ["--incremental"],
           all_of(built, in_log("Kept from the previous image: s2iRecipeProbe"), image_files(R_PROBE_VERSION, "1.0")),
           files={"install.R": 'install.packages("s2iRecipeProbe")\n', "MyModel.R": R_PROBE_MODEL},
           environment=f"R_REPOS=file://{APP_DIR}/repo\n", setup=_r_repository, builds=2, languages=("r",)),
    Recipe("--assemble-user 0 (the reference builder's root assemble)", "docs/build-driver.md",
           lambda work: ["--assemble-user", "0"],
           all_of(built, image_files(f"stat -c '%u %a' {APP_DIR}/MyModel.py", "0 664\n")),
           languages=("python",)),
    Recipe("-e with a CA variable (CA_BUNDLE)", "README.md (Environment variables)",
           lambda work: ["-e", "CA_BUNDLE=/tmp/corporate-ca.pem", "-i", f"{HOST_CA_BUNDLE}:/tmp/corporate-ca.pem"],
           all_of(built, in_log("Trusting 1 extra CA file(s) from /tmp/corporate-ca.pem"),
                  image_files("stat -c %s /tmp/corporate-ca.pem", "0\n"))),
    Recipe("private wheels: -i ./wheels:/tmp/whl, PIP_FIND_LINKS in .s2i/environment", "issue 13",
           lambda work: ["-i", f"{work}/wheels:/tmp/whl"],
           all_of(built, in_log("Installing requirements.txt with uv"),
                  image_files("find /tmp/whl -type f -size +0 | wc -l", "0\n")),
           files=PROBE_REQUIREMENT, environment="PIP_FIND_LINKS=/tmp/whl\nPIP_NO_INDEX=true\n",
           setup=_wheels, languages=("python",)),
    Recipe("pip.conf injected as /etc/pip.conf", "README.md (Private indexes and CA certificates)",
           lambda work: ["-i", f"{work}/wheels:/tmp/whl", "-i", f"{work}/pip.conf:/etc/pip.conf"],
           all_of(built, in_log("Installing requirements.txt with uv"), image_files("stat -c %s /etc/pip.conf", "0\n")),
           files=PROBE_REQUIREMENT, setup=_wheels_and_pip_conf, languages=("python",)),
    Recipe("pip's user configuration in the source (~/.config/pip/pip.conf, HOME=/microservice)",
           "README.md (Private indexes and CA certificates)",
           lambda work: ["-i", f"{work}/wheels:/tmp/whl"],
           all_of(built, in_log("Installing requirements.txt with uv")),
           files={**PROBE_REQUIREMENT, ".config/pip/pip.conf": "[global]\nno-index = true\nfind-links = /tmp/whl\n"},
           setup=_wheels, languages=("python",)),
    Recipe("a pip setting uv lacks (PIP_PREFER_BINARY): pip installs", "README.md (Environment variables)",
           lambda work: ["-i", f"{work}/wheels:/tmp/whl", "-e", "PIP_PREFER_BINARY=1"],
           all_of(built, in_log("have no uv equivalent: installing with pip", "Installing requirements.txt with pip")),
           files=PROBE_REQUIREMENT, environment="PIP_FIND_LINKS=/tmp/whl\nPIP_NO_INDEX=1\n",
           setup=_wheels, languages=("python",)),
    Recipe("a private npm package: -i ./npm-packages:/tmp/npm, a file: dependency, .npmrc",
           "README.md (NodeJS models: the source and the build)",
           lambda work: ["-i", f"{work}/npm-packages:/tmp/npm"],
           all_of(built, in_log("s2i-recipe-probe-installed"), NPM_PROBE_INSTALLED,
                  lambda outcome: _once_in_log(outcome, "Installing package.json with npm install")),
           files={**NPM_PROBE, ".npmrc": "offline=true\nforeground-scripts=true\n"},
           setup=_npm_tarball, languages=("nodejs",)),
    Recipe("NPM_CONFIG_* in .s2i/environment", "README.md (NodeJS models: the source and the build)",
           lambda work: ["-i", f"{work}/npm-packages:/tmp/npm"],
           all_of(built, in_log("s2i-recipe-probe-installed"), NPM_PROBE_INSTALLED),
           files=NPM_PROBE, environment="NPM_CONFIG_OFFLINE=true\nNPM_CONFIG_FOREGROUND_SCRIPTS=true\n",
           setup=_npm_tarball, languages=("nodejs",)),
    Recipe("--incremental, twice (npm's cache)", "README.md (NodeJS models: the source and the build)",
           lambda work: ["--incremental", "-i", f"{work}/npm-packages:/tmp/npm"],
           all_of(built, NPM_PROBE_INSTALLED),
           files=NPM_PROBE, environment="NPM_CONFIG_OFFLINE=true\n", setup=_npm_tarball, builds=2,
           languages=("nodejs",)),
    Recipe("--exclude REGEX", "docs/build-driver.md",
           lambda work: ["--exclude", "(^|/)(\\.git|docs)(/|$)"],
           all_of(built, image_files(f"cd {APP_DIR} && test ! -e docs && ls notes.txt", "notes.txt\n")),
           files={"docs/index.md": "# docs\n", "notes.txt": "kept\n"}),
    Recipe("-q (assemble's standard output hidden)", "docs/build-driver.md",
           lambda work: ["-q"],
           all_of(built, lambda outcome: _not_in_log(outcome, "---> Moving the application source"))),
    Recipe("-n NAME and --description (labels)", "docs/build-driver.md",
           lambda work: ["-n", "my-model", "--description", "My model, built from source"],
           all_of(built, lambda outcome: _labels(outcome, {"io.k8s.display-name": "my-model",
                                                            "io.k8s.description": "My model, built from source"}))),
    Recipe("local git source with --ref HEAD (the last commit)", "README.md (seldon-s2i CLI)",
           lambda work: ["--ref", "HEAD"],
           all_of(built, image_files(f"cd {APP_DIR} && ls committed.txt && test ! -e uncommitted.txt && echo HEAD",
                                     "committed.txt\nHEAD\n")),
           files={"committed.txt": "in the commit\n"}, setup=_git_repository),
    Recipe("--as-dockerfile out/Dockerfile, then docker build", "README.md (seldon-s2i CLI), docs/build-driver.md",
           lambda work: ["--as-dockerfile", f"{work}/out/Dockerfile"],
           all_of(built, in_log("Checking MODEL_NAME"),
                  image_files(f"ls {APP_DIR}/model.txt", f"{APP_DIR}/model.txt\n")),
           files={"model.txt": "the source\n"}, docker_build=True),
    Recipe("a Maven project (pom.xml), --incremental twice", "README.md (Java models)",
           lambda work: ["--incremental"],
           all_of(built, in_log("Building pom.xml with Maven (offline"),
                  image_files(f"test -s {APP_DIR}/.seldon/classpath && echo classpath", "classpath\n")),
           files=JAVA_POM_PROJECT, environment="MODEL_NAME=com.example.PomModel\n", builds=2, languages=("java",)),
    Recipe("usage", "README.md (seldon-s2i CLI), s2i usage", lambda work: [],
           all_of(built, in_log("This is ", "s2i build <SOURCE-REPOSITORY>")), command="usage"),
]


def _absent(env: Dict[str, str], name: str) -> None:
    assert name not in env, f"{name} should not be set"


def recipes_for(language: str) -> List[Recipe]:
    return [recipe for recipe in RECIPES if not recipe.languages or language in recipe.languages]


def prepare(recipe: Recipe, app: LanguageApp, work: Path) -> Path:
    """Write the recipe's source tree (and host files) under work; return SRC."""
    files = {**app.files, ".s2i/environment": app.environment + recipe.environment, **recipe.files}
    if recipe.source == "repo":  # --context-dir: the app one level down, beside other files
        write_tree(work / "repo", {"outside.txt": "not in the image\n", **{f"model/{k}": v for k, v in files.items()}})
    else:
        write_tree(work / recipe.source, files)
    for script in (work / recipe.source).rglob(".s2i/bin/*"):
        script.chmod(0o755)
    if recipe.setup is not None:
        recipe.setup(work)
    return work / recipe.source


def run_recipe(recipe: Recipe, language: str, tool: Tool, work: Path, network: Sequence[str] = ("--network", "host"),
               timeout: float = 900) -> Outcome:
    """Run one recipe with one tool; the caller checks it (recipe.check) and removes outcome.tag."""
    app = LANGUAGES[language]
    src = prepare(recipe, app, work)
    tag = f"seldon-s2i-recipe-{tool.name}:{uuid.uuid4().hex[:8]}"
    env = {**os.environ, **dict(tool.env)}
    if recipe.command == "usage":
        argv = [*tool.argv, "usage", app.builder]
        runs = 1
    else:
        argv = [*tool.argv, "build", str(src), app.builder, tag, *network, *recipe.args(work)]
        runs = recipe.builds
    logs: List[str] = []
    started = time.monotonic()
    result = None
    for _ in range(runs):
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=timeout,
                                cwd=work)
        logs.append(result.stdout.decode(errors="replace"))
        if result.returncode != 0:
            break
    assert result is not None
    if recipe.docker_build and result.returncode == 0:
        result = subprocess.run(["docker", "build", "--network", "host", "-t", tag, str(work / "out")],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        logs.append(result.stdout.decode(errors="replace"))
    return Outcome(result.returncode, logs[-1], tag, time.monotonic() - started, logs)


def remove_images(tag: str) -> None:
    """Remove the recipe's image and the images a rebuild or a dependency layer left under its name."""
    docker("rmi", "-f", tag, check=False)
    stale = docker("images", "-q", "--filter", "dangling=true", "--filter", f"label=io.k8s.display-name={tag}",
                   check=False, text=True).stdout.split()
    for image_id in sorted(set(stale)):
        docker("rmi", "-f", image_id, check=False)
