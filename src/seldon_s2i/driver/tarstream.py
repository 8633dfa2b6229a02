"""The tar archives the driver exchanges with containers.

`write_upload_tar` produces what s2i streams into assemble's stdin: a PAX tar
of the upload directory (entries `src/...`, `scripts/...`) plus, for an
incremental build, the previous image's save-artifacts output as `artifacts/...`,
extracted by `tar -C <destination> -xf -`. Modes, mtimes and symlinks are kept;
owners are normalised to 0:0 so the host's user ids never leak into the image
(a non-root assemble user owns what it extracts anyway).

`check_artifacts` vets save-artifacts' output before any of it is used: no
absolute paths, no `..`, no links leaving the artifacts, nothing written
through a link, no device files. The checks are lexical (nothing is extracted
on the host): the archive's members are copied as they are into the upload tar,
which is what makes an incremental build cheap.
"""

from __future__ import annotations

import itertools
import os
import posixpath
import tarfile
from pathlib import Path
from typing import BinaryIO, Iterator, Optional, Set

from .errors import BuildError

UPLOAD_TOP_LEVEL = ("src", "scripts")
ARTIFACTS = "artifacts"


def _walk_sorted(root: Path, top: str) -> Iterator[str]:
    """Relative paths under root/top, parents first, names sorted (reproducible)."""
    yield top
    for directory, dirnames, filenames in os.walk(root / top):
        dirnames.sort()
        rel_dir = os.path.relpath(directory, root).replace(os.sep, "/")
        for name in sorted(dirnames + filenames):
            yield f"{rel_dir}/{name}"


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_artifacts(archive: tarfile.TarFile, artifacts_tar: Path) -> None:
    """`artifacts/` plus every member of a checked save-artifacts tar below it."""
    top = tarfile.TarInfo(ARTIFACTS)
    top.type, top.mode = tarfile.DIRTYPE, 0o775
    archive.addfile(top)
    if artifacts_tar.stat().st_size == 0:
        return  # save-artifacts had nothing to save
    with tarfile.open(artifacts_tar, mode="r:") as saved:
        for member in saved:
            data = saved.extractfile(member) if member.isreg() else None
            member.name = f"{ARTIFACTS}/{member.name}"
            if member.islnk():
                member.linkname = f"{ARTIFACTS}/{member.linkname}"
            member.mode &= 0o7777 & ~0o6000  # no setuid/setgid from a previous image
            archive.addfile(_normalise(member), data)


def write_upload_tar(upload_dir: Path, stream: BinaryIO, artifacts_tar: Optional[Path] = None) -> None:
    """Write the upload tar to a (possibly non-seekable) binary stream.

    artifacts_tar: save-artifacts' output, already vetted by check_artifacts.
    """
    with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for top in UPLOAD_TOP_LEVEL:
            if not (upload_dir / top).is_dir():
                continue
            for rel in _walk_sorted(upload_dir, top):
                archive.add(upload_dir / rel, arcname=rel, recursive=False, filter=_normalise)
        if artifacts_tar is not None:
            _add_artifacts(archive, artifacts_tar)


def _leaves(path: str) -> bool:
    """True when a relative path, normalised, is absolute or climbs above its root."""
    normal = posixpath.normpath(path)
    return normal.startswith("/") or normal == ".." or normal.startswith("../")


def _through_link(name: str, links: Set[str]) -> bool:
    parts = name.split("/")
    return any("/".join(parts[:i]) in links for i in range(1, len(parts)))


def _check_member(member: tarfile.TarInfo, links: Set[str]) -> None:
    if member.name.startswith("/") or ".." in member.name.split("/"):
        raise BuildError(f"save-artifacts produced an unsafe path: {member.name}")
    name = posixpath.normpath(member.name)  # `./a/` -> `a`, to compare with the links seen
    if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
        raise BuildError(f"save-artifacts produced an unsupported entry: {name}")
    if _through_link(name, links):
        raise BuildError(f"save-artifacts produced a path through a link: {name}")
    if member.issym():
        if _symlink_leaves(name, member.linkname):
            raise BuildError(f"save-artifacts produced a link leaving the artifacts: {name}")
        links.add(name)
    if member.islnk():
        target = member.linkname
        if target.startswith("/") or ".." in target.split("/") or _through_link(posixpath.normpath(target), links):
            raise BuildError(f"save-artifacts produced a hard link leaving the artifacts: {name}")


def _symlink_leaves(name: str, target: str) -> bool:
    """A symlink must be relative, climb (`..`) only at its start (`../../x`) and land inside.

    A `..` after a name (`d/l/..`) is refused: if `d/l` is itself a link, the
    lexical answer would be wrong.
    """
    body = list(itertools.dropwhile(lambda part: part == "..", target.split("/")))
    return target.startswith("/") or ".." in body or _leaves(posixpath.join(posixpath.dirname(name), target))


def check_artifacts(tar_path: Path) -> int:
    """Vet save-artifacts' tar (see the module docstring); return its number of entries.

    Raises BuildError on a corrupt or unsafe archive (the caller then falls
    back to a clean build, as s2i does). Only headers are read: it is fast.
    """
    if tar_path.stat().st_size == 0:
        return 0  # save-artifacts had nothing to save
    links: Set[str] = set()
    count = 0
    try:
        with tarfile.open(tar_path, mode="r:") as archive:
            for member in archive:
                _check_member(member, links)
                count += 1
    except tarfile.TarError as exc:
        raise BuildError(f"save-artifacts did not produce a valid tar stream: {exc}") from None
    return count
