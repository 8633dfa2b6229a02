"""The tar archives the driver exchanges with containers.

`write_upload_tar` produces what s2i streams into assemble's stdin: a PAX tar
of the upload directory (entries `src/...`, `scripts/...`, `artifacts/...`),
extracted by `tar -C <destination> -xf -`. Modes, mtimes and symlinks are kept;
owners are normalised to 0:0 so the host's user ids never leak into the image
(a non-root assemble user owns what it extracts anyway).

`extract_artifacts` unpacks save-artifacts' output safely: no absolute paths,
no `..`, no links leaving the target, no device files.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path
from typing import BinaryIO, Iterator, List

from .errors import BuildError

UPLOAD_TOP_LEVEL = ("src", "scripts", "artifacts")


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


def write_upload_tar(upload_dir: Path, stream: BinaryIO) -> None:
    """Write the upload tar to a (possibly non-seekable) binary stream."""
    with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for top in UPLOAD_TOP_LEVEL:
            if not (upload_dir / top).is_dir():
                continue
            for rel in _walk_sorted(upload_dir, top):
                archive.add(upload_dir / rel, arcname=rel, recursive=False, filter=_normalise)


def tar_entry_names(data: BinaryIO) -> List[str]:
    """Names in a tar stream (for tests and diagnostics)."""
    with tarfile.open(fileobj=data, mode="r|*") as archive:
        return [member.name for member in archive]


def _is_within(base: Path, target: Path) -> bool:
    base = base.resolve()
    target = target.resolve()
    return target == base or base in target.parents


def _check_member(member: tarfile.TarInfo, target: Path) -> None:
    name = member.name
    if name.startswith("/") or ".." in name.split("/"):
        raise BuildError(f"save-artifacts produced an unsafe path: {name}")
    if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
        raise BuildError(f"save-artifacts produced an unsupported entry: {name}")
    if member.issym():
        link_target = (target / name).parent / member.linkname
        if member.linkname.startswith("/") or not _is_within(target, link_target):
            raise BuildError(f"save-artifacts produced a link leaving the artifacts: {name}")
    if member.islnk() and not _is_within(target, target / member.linkname):
        raise BuildError(f"save-artifacts produced a hard link leaving the artifacts: {name}")


def extract_artifacts(tar_path: Path, target: Path) -> int:
    """Extract save-artifacts' tar into target; return the number of entries.

    Raises BuildError on a corrupt or unsafe archive (the caller then falls
    back to a clean build, as s2i does).
    """
    target.mkdir(parents=True, exist_ok=True)
    if tar_path.stat().st_size == 0:
        return 0  # save-artifacts had nothing to save
    # Members are checked above; newer Pythons want the trust stated explicitly.
    trust = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
    try:
        with tarfile.open(tar_path, mode="r:") as archive:
            members = archive.getmembers()
            for member in members:
                _check_member(member, target)
                member.uid = member.gid = 0
                member.mode &= 0o7777 & ~0o6000
            archive.extractall(target, members=members, numeric_owner=True, **trust)
    except tarfile.TarError as exc:
        raise BuildError(f"save-artifacts did not produce a valid tar stream: {exc}") from None
    return len(members)
