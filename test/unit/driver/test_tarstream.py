"""The upload tar (PAX, modes, owners, order, artifacts) and the vetting of save-artifacts' tar."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from seldon_s2i.driver.errors import BuildError
from seldon_s2i.driver.tarstream import check_artifacts, write_upload_tar


class _NonSeekable(io.RawIOBase):
    """Like a socket: write-only, no seek (tarfile's streaming mode must cope)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.data += chunk
        return len(chunk)


def _upload(tree) -> Path:
    files = {"src/m.py": "x", "src/.s2i/environment": "A=1", "src/b/c.txt": "c", "scripts/assemble": "#!/bin/sh"}
    root = tree(files, name="upload")
    (root / "scripts/assemble").chmod(0o755)
    (root / "src/m.py").chmod(0o640)
    os.symlink("m.py", root / "src/link")
    return root


def test_entries_order_modes_and_owners(tree):
    stream = _NonSeekable()
    write_upload_tar(_upload(tree), stream)
    with tarfile.open(fileobj=io.BytesIO(bytes(stream.data)), mode="r:") as archive:
        members = archive.getmembers()
        assert archive.pax_headers is not None
    names = [m.name for m in members]
    assert names == ["src", "src/.s2i", "src/b", "src/link", "src/m.py", "src/.s2i/environment",
                     "src/b/c.txt", "scripts", "scripts/assemble"]
    by_name = {m.name: m for m in members}
    assert by_name["scripts/assemble"].mode == 0o755
    assert by_name["src/m.py"].mode == 0o640
    assert by_name["src/link"].issym() and by_name["src/link"].linkname == "m.py"
    assert all(m.uid == 0 and m.gid == 0 and m.uname == "" for m in members)


def test_pax_format(tree):
    root = _upload(tree)
    long_name = "d" * 120
    (root / "src" / long_name).write_text("")
    stream = _NonSeekable()
    write_upload_tar(root, stream)
    data = bytes(stream.data)
    assert b"ustar\x00" in data[:512]  # POSIX header magic
    assert f"path=src/{long_name}".encode() in data  # long names use PAX records
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        assert f"src/{long_name}" in archive.getnames()


def _tar_file(tmp_path: Path, members) -> Path:
    path = tmp_path / "a.tar"
    with tarfile.open(path, "w") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes = b"x") -> tuple:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _read(data: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {m.name: (m, archive.extractfile(m).read() if m.isreg() else None) for m in archive.getmembers()}


def _setuid_file(name: str) -> tuple:
    info, data = _file(name, b"s")
    info.mode, info.uid, info.gid, info.uname = 0o4755, 1001, 1001, "someone"
    return info, data


def test_saved_artifacts_go_below_artifacts_owned_by_root_without_setuid(tree, tmp_path):
    root = _upload(tree)
    link = tarfile.TarInfo("cache/link")
    link.type, link.linkname = tarfile.SYMTYPE, "a"
    hard = tarfile.TarInfo("hard")
    hard.type, hard.linkname = tarfile.LNKTYPE, "cache/a"
    saved = _tar_file(tmp_path, [_file("cache/a", b"aa"), (link, None), (hard, None), _setuid_file("tool")])
    assert check_artifacts(saved) == 4
    stream = _NonSeekable()
    write_upload_tar(root, stream, saved)
    entries = _read(bytes(stream.data))
    assert [name for name in entries if name.startswith("artifacts")] == [
        "artifacts", "artifacts/cache/a", "artifacts/cache/link", "artifacts/hard", "artifacts/tool"]
    assert entries["artifacts"][0].isdir()
    assert entries["artifacts/cache/a"][1] == b"aa"
    assert entries["artifacts/cache/link"][0].linkname == "a"  # symlinks stay relative
    assert entries["artifacts/hard"][0].linkname == "artifacts/cache/a"  # hard links follow the move
    assert entries["artifacts/tool"][0].mode == 0o755
    assert all(m.uid == 0 and m.gid == 0 and m.uname == "" for m, _ in entries.values())


def test_no_artifacts_entry_without_a_saved_tar(tree):
    stream = _NonSeekable()
    write_upload_tar(_upload(tree), stream)
    assert not any(name.startswith("artifacts") for name in _read(bytes(stream.data)))


def test_empty_output_means_an_empty_artifacts_directory(tree, tmp_path):
    path = tmp_path / "empty.tar"
    path.write_bytes(b"")
    assert check_artifacts(path) == 0
    stream = _NonSeekable()
    write_upload_tar(_upload(tree), stream, path)
    assert [name for name in _read(bytes(stream.data)) if name.startswith("artifacts")] == ["artifacts"]


@pytest.mark.parametrize("name", ["../evil", "/abs", "a/../../evil"])
def test_unsafe_paths_are_refused(tmp_path, name):
    with pytest.raises(BuildError, match="unsafe path"):
        check_artifacts(_tar_file(tmp_path, [_file(name)]))


def _symlink(name: str, target: str) -> tuple:
    link = tarfile.TarInfo(name)
    link.type, link.linkname = tarfile.SYMTYPE, target
    return link, None


@pytest.mark.parametrize("name,target", [
    ("l", "../../etc/passwd"),
    ("l", "/etc/passwd"),
    ("d/l", "../.."),
    ("a", "d/l/.."),  # lexically inside, but d/l may itself be a link to the top
])
def test_links_leaving_the_target_are_refused(tmp_path, name, target):
    with pytest.raises(BuildError, match="link leaving"):
        check_artifacts(_tar_file(tmp_path, [_symlink(name, target)]))


def test_links_climbing_inside_are_accepted(tmp_path):
    # the shape of uv's cache: wheels-v8/pypi/<name>/<version> -> ../../../archive-v0/<id>
    members = [_file("uv/archive-v0/id/m.py"), _symlink("uv/wheels-v8/pypi/p/1.0", "../../../archive-v0/id")]
    assert check_artifacts(_tar_file(tmp_path, members)) == 2


def test_writing_through_a_link_is_refused(tmp_path):
    members = [_symlink("d", "."), _file("d/x")]
    with pytest.raises(BuildError, match="path through a link"):
        check_artifacts(_tar_file(tmp_path, members))


def test_hard_links_leaving_the_target_are_refused(tmp_path):
    hard = tarfile.TarInfo("h")
    hard.type, hard.linkname = tarfile.LNKTYPE, "../outside"
    with pytest.raises(BuildError, match="hard link leaving"):
        check_artifacts(_tar_file(tmp_path, [(hard, None)]))


def test_devices_are_refused(tmp_path):
    device = tarfile.TarInfo("dev")
    device.type = tarfile.CHRTYPE
    with pytest.raises(BuildError, match="unsupported entry"):
        check_artifacts(_tar_file(tmp_path, [(device, None)]))


def test_corrupt_stream_is_a_build_error(tmp_path):
    path = tmp_path / "bad.tar"
    path.write_bytes(b"some log line printed to stdout\n" * 40)
    with pytest.raises(BuildError, match="not produce a valid tar stream"):
        check_artifacts(path)


def test_truncated_stream_is_a_build_error(tmp_path):
    path = _tar_file(tmp_path, [_file("big", b"x" * 100_000)])
    path.write_bytes(path.read_bytes()[:50_000])
    with pytest.raises(BuildError, match="not produce a valid tar stream"):
        check_artifacts(path)
