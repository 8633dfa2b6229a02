"""The dependency layer: installed requirements as an image layer of their own, reused.

s2i builds an image in one step: assemble runs in a fresh builder container and the whole
result, dependencies and code, is committed as one layer. Its `--incremental` mode restores a
cache (save-artifacts) but still installs and commits every dependency again, so a one-line code
change costs nearly as much as a cold build.

A builder opts in to something better with the label `io.github.seldon-s2i.dependency-files`: the
files of the source (relative paths, e.g. `requirements.txt`) that alone decide its
dependencies. The driver then builds in two phases, two containers and two commits:

1. dependencies: only those files are uploaded and assemble runs with
   `SELDON_S2I_PHASE=dependencies`; the container is committed as an untagged image
   labelled with the dependency key below;
2. application: the whole source is uploaded into a container of that image and assemble runs
   with `SELDON_S2I_PHASE=application`; that container is committed as the tag.

With `--incremental`, when the previous image's parent is a dependency layer with the same key,
phase 1 is skipped: only the code is built and committed. The key covers everything the layer
is made from: the builder image, the assemble script and user, the build environment, the
dependency files and the injected files (a different CA or pip.conf may install differently).

Builders without the label, sources without any of the files, and builds whose assemble does
not come from the builder image (an assemble of the source's `.s2i/bin` or of `--scripts-url`
knows nothing of phases) are built in one step, exactly like s2i.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Dict, List, Optional, Sequence

from .builder import BuilderImage
from .config import Injection
from .environment import EnvList

LABEL_DEPENDENCY_FILES = "io.github.seldon-s2i.dependency-files"
LABEL_DEPENDENCY_KEY = "io.github.seldon-s2i.dependency-key"
PHASE_DEPENDENCIES = "dependencies"
PHASE_APPLICATION = "application"
KEY_VERSION = "1"  # bump when what the key covers changes


@dataclass
class DependencyLayer:
    """What the dependency phase of this build is made from."""

    files: List[str]  # the declared files present in the source, relative to it
    key: str


def declared_files(builder: BuilderImage) -> List[str]:
    """The builder's dependency files; entries that are absolute or leave the source are dropped."""
    names = []
    for name in builder.labels.get(LABEL_DEPENDENCY_FILES, "").split():
        path = PurePosixPath(name)
        if not path.is_absolute() and ".." not in path.parts and str(path) != ".":
            names.append(str(path))
    return names


def _digest_path(digest: hashlib._Hash, path: Path) -> None:
    """Names and contents of a file or a directory tree (symlinks followed, as injected)."""
    if path.is_dir():
        for directory, dirnames, filenames in os.walk(path, followlinks=True):
            dirnames.sort()
            for name in sorted(filenames):
                child = Path(directory) / name
                digest.update(f"file {child.relative_to(path).as_posix()}\n".encode())
                digest.update(hashlib.sha256(child.read_bytes()).digest())
    elif path.exists():
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def dependency_key(
    builder_id: str,
    assemble: str,
    user: str,
    env: EnvList,
    src_dir: Path,
    files: Sequence[str],
    injections: Sequence[Injection],
) -> str:
    """A sha256 over everything a dependency layer is made from (see the module docstring)."""
    digest = hashlib.sha256()
    digest.update(f"seldon-s2i dependency layer {KEY_VERSION}\n".encode())
    digest.update(f"builder {builder_id}\nassemble {assemble}\nuser {user}\n".encode())
    for name, value in env:
        digest.update(f"env {len(name)}:{name}={len(value)}:{value}\n".encode())
    for name in files:
        digest.update(f"dependency file {name}\n".encode())
        _digest_path(digest, src_dir / name)
    for injection in injections:
        digest.update(f"injection {injection.destination}\n".encode())
        _digest_path(digest, Path(injection.source))
    return digest.hexdigest()


def dependency_files(builder: BuilderImage, assemble: str, image_assemble: Optional[str], src_dir: Path) -> List[str]:
    """The declared dependency files present in the source; [] when the build is one step."""
    if image_assemble is None or assemble != image_assemble:
        return []
    return [name for name in declared_files(builder) if (src_dir / name).is_file()]


def plan(
    builder: BuilderImage,
    assemble: str,
    image_assemble: Optional[str],
    user: str,
    env: EnvList,
    src_dir: Path,
    injections: Sequence[Injection],
) -> Optional[DependencyLayer]:
    """The dependency layer of this build, or None when it is built in one step."""
    files = dependency_files(builder, assemble, image_assemble, src_dir)
    if not files:
        return None
    return DependencyLayer(files, dependency_key(builder.image_id, assemble, user, env, src_dir, files, injections))


def stage_dependency_upload(src_dir: Path, files: Sequence[str], upload: Path) -> None:
    """upload/{src,scripts} holding only the dependency files, for the dependencies phase."""
    (upload / "scripts").mkdir(parents=True, exist_ok=True)
    for name in files:
        target = upload / "src" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src_dir / name, target)


def reusable_layer(previous: Optional[Dict[str, Any]], parent: Optional[Dict[str, Any]], key: str) -> Optional[str]:
    """The id of the previous image's dependency layer when its key is this build's key."""
    if previous is None or parent is None:
        return None
    labels = (parent.get("Config") or {}).get("Labels") or {}
    if labels.get(LABEL_DEPENDENCY_KEY) != key:
        return None
    return parent.get("Id") or None
