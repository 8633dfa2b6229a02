"""The upload tar (PAX, modes, owners, order) and safe artifact extraction."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from seldon_s2i.build.errors import BuildError
from seldon_s2i.build.tarstream import extract_artifacts, write_upload_tar


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
    root = tree({"src/m.py": "x", "src/.s2i/environment": "A=1", "src/b/c.txt": "c", "scripts/assemble": "#!/bin/sh"}, name="upload")
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


def test_artifacts_top_level_included_only_when_present(tree):
    root = _upload(tree)
    (root / "artifacts").mkdir()
    (root / "artifacts/cache.bin").write_text("c")
    stream = _NonSeekable()
    write_upload_tar(root, stream)
    with tarfile.open(fileobj=io.BytesIO(bytes(stream.data))) as archive:
        assert "artifacts/cache.bin" in archive.getnames()


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


def test_extract_artifacts(tmp_path):
    path = _tar_file(tmp_path, [_file("cache/a", b"aa"), _file("b")])
    assert extract_artifacts(path, tmp_path / "out") == 2
    assert (tmp_path / "out/cache/a").read_bytes() == b"aa"


def test_empty_output_means_no_artifacts(tmp_path):
    path = tmp_path / "empty.tar"
    path.write_bytes(b"")
    assert extract_artifacts(path, tmp_path / "out") == 0


@pytest.mark.parametrize("name", ["../evil", "/abs", "a/../../evil"])
def test_unsafe_paths_are_refused(tmp_path, name):
    with pytest.raises(BuildError, match="unsafe path"):
        extract_artifacts(_tar_file(tmp_path, [_file(name)]), tmp_path / "out")


def test_links_leaving_the_target_are_refused(tmp_path):
    link = tarfile.TarInfo("l")
    link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
    with pytest.raises(BuildError, match="link leaving"):
        extract_artifacts(_tar_file(tmp_path, [(link, None)]), tmp_path / "out")


def test_corrupt_stream_is_a_build_error(tmp_path):
    path = tmp_path / "bad.tar"
    path.write_bytes(b"some log line printed to stdout\n" * 40)
    with pytest.raises(BuildError, match="not produce a valid tar stream"):
        extract_artifacts(path, tmp_path / "out")
