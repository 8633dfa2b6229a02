"""upload/src: working tree copy, --exclude, --context-dir, .s2iignore, git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from seldon_s2i.driver.config import BuildConfig
from seldon_s2i.driver.errors import BuildError
from seldon_s2i.driver.source import preflight, prepare_source


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test User", "-c", "user.email=test@example.org", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()


def _repo(root: Path) -> Path:
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "first commit")
    return root


def _prepare(tmp_path: Path, source: Path, **options):
    config = BuildConfig(source=str(source), builder="b", tag="t", **options)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    upload_src = work / "upload" / "src"
    return prepare_source(config, work, upload_src), upload_src


def _listing(root: Path):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_git_directories_are_excluded_everywhere(tree, tmp_path):
    src = tree({"m.py": "", ".git/config": "", "sub/.git": "gitfile", "sub/x.py": "", ".gitignore": "", "a.git/f": ""})
    _, upload = _prepare(tmp_path, src)
    assert _listing(upload) == [".gitignore", "a.git", "a.git/f", "m.py", "sub", "sub/x.py"]


def test_empty_exclude_keeps_everything(tree, tmp_path):
    src = tree({"m.py": "", ".git/config": ""})
    _, upload = _prepare(tmp_path, src, exclude="")
    assert ".git/config" in _listing(upload)


def test_custom_exclude_matches_relative_paths(tree, tmp_path):
    src = tree({"m.py": "", "node_modules/x/y": "", "sub/node_modules/z": ""})
    _, upload = _prepare(tmp_path, src, exclude=r"(^|/)node_modules(/|$)")
    assert _listing(upload) == ["m.py", "sub"]


def test_context_dir_and_s2iignore(tree, tmp_path):
    src = tree({"top.txt": "", "model/m.py": "", "model/junk.tmp": "", "model/.s2iignore": "*.tmp\n"})
    prepared, upload = _prepare(tmp_path, src, context_dir="model")
    assert _listing(upload) == [".s2iignore", "m.py"]
    assert prepared.location == str(src.resolve())


def test_missing_context_dir(tree, tmp_path):
    src = tree({"m.py": ""})
    with pytest.raises(BuildError, match="context directory not found in the source: nope"):
        _prepare(tmp_path, src, context_dir="nope")
    with pytest.raises(BuildError, match="context directory not found"):
        _prepare(tmp_path, src, context_dir="../..")


def test_missing_source(tmp_path):
    with pytest.raises(BuildError, match="source directory not found"):
        preflight(BuildConfig(source=str(tmp_path / "nope"), builder="b", tag="t"))


def test_file_url_source(tree, tmp_path):
    src = tree({"m.py": "x"})
    _, upload = _prepare(tmp_path, f"file://{src}")
    assert (upload / "m.py").read_text() == "x"


def test_symlinks_and_modes_are_kept(tree, tmp_path):
    src = tree({"run.sh": "#!/bin/sh\n"})
    (src / "run.sh").chmod(0o750)
    os.symlink("run.sh", src / "link")
    _, upload = _prepare(tmp_path, src)
    assert os.readlink(upload / "link") == "run.sh"
    assert (upload / "run.sh").stat().st_mode & 0o777 == 0o750


def test_dirty_working_tree_is_built_with_a_warning(tree, tmp_path, capsys):
    src = _repo(tree({"m.py": "committed"}))
    (src / "m.py").write_text("changed")
    (src / "new.py").write_text("untracked")
    prepared, upload = _prepare(tmp_path, src)
    assert (upload / "m.py").read_text() == "changed"
    assert (upload / "new.py").exists()
    err = capsys.readouterr().err
    assert err.count("WARNING:") == 1 and "uncommitted changes or untracked files" in err
    assert "--ref HEAD" in err
    assert prepared.commit.message == "first commit"
    assert prepared.commit.author == "Test User <test@example.org>"
    assert prepared.commit.ref == "main" and len(prepared.commit.id) == 40


def test_clean_tree_and_copy_flag_do_not_warn(tree, tmp_path, capsys):
    src = _repo(tree({"m.py": "committed"}))
    _prepare(tmp_path, src)
    (src / "new.py").write_text("untracked")
    _prepare(tmp_path, src, copy=True)
    assert "WARNING" not in capsys.readouterr().err


def test_ref_builds_the_committed_revision(tree, tmp_path):
    src = _repo(tree({"m.py": "v1"}))
    first = _git(src, "rev-parse", "HEAD")
    (src / "m.py").write_text("v2")
    _git(src, "commit", "-q", "-am", "second")
    (src / "untracked.py").write_text("")
    prepared, upload = _prepare(tmp_path, src, ref=first)
    assert (upload / "m.py").read_text() == "v1"
    assert not (upload / "untracked.py").exists() and not (upload / ".git").exists()
    assert prepared.commit.id == first


def test_ref_needs_a_repository(tree, tmp_path):
    with pytest.raises(BuildError, match="--ref needs a git repository"):
        _prepare(tmp_path, tree({"m.py": ""}), ref="HEAD")


def test_unknown_ref_is_one_line(tree, tmp_path):
    src = _repo(tree({"m.py": ""}))
    with pytest.raises(BuildError, match="git checkout failed"):
        _prepare(tmp_path, src, ref="no-such-branch")


def test_preflight_checks_inject_and_env_files(tree, tmp_path):
    from seldon_s2i.driver.config import Injection

    src = tree({"m.py": ""})
    with pytest.raises(BuildError, match="inject source not found"):
        preflight(BuildConfig(source=str(src), builder="b", tag="t",
                              injections=[Injection(str(tmp_path / "x"), "/etc")]))
    with pytest.raises(BuildError, match="environment file not found"):
        preflight(BuildConfig(source=str(src), builder="b", tag="t", environment_files=[str(tmp_path / "e")]))
