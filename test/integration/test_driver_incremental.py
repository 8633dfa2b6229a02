"""Incremental builds (save-artifacts), --rm, and injections against the real engine."""

from __future__ import annotations

from dockercli import image_exists
from driver_support import (
    BUILDER,
    docker,
    leftover_containers,
    run_in,
    seldon_s2i,
)
from filetree import write_tree

CLEAN_BUILD = "Clean build will be performed because of error saving previous build artifacts"


def _image_id(tag: str) -> str:
    return docker("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()


def test_incremental_build_restores_artifacts_and_rm_removes_the_previous_image(tmp_path, new_tag):
    tag = new_tag("incr")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    first = seldon_s2i("build", str(src), BUILDER, tag, "--incremental")
    assert first.returncode == 0, first.stderr
    assert "No previous image" in first.stderr
    first_id = _image_id(tag)

    second = seldon_s2i("build", str(src), BUILDER, tag, "--incremental=true", "--rm")
    assert second.returncode == 0, second.stderr
    assert "---> restoring artifacts" in second.stdout
    assert "save-artifacts: saving cache" in second.stderr  # stderr relayed, kept out of the tar
    assert run_in(tag, "cat /opt/app/cache/history").split() == ["build", "build"]
    assert run_in(tag, "ls /tmp/artifacts/cache").split() == ["history"]
    assert not image_exists(first_id)  # --rm
    assert leftover_containers() == []

    plain = seldon_s2i("build", str(src), BUILDER, tag)  # not incremental: nothing restored
    assert plain.returncode == 0
    assert run_in(tag, "cat /opt/app/cache/history").split() == ["build"]


def test_broken_save_artifacts_falls_back_to_a_clean_build(tmp_path, new_tag):
    tag = new_tag("noisy")
    src = write_tree(tmp_path / "app", {
        "model.py": "",
        # a save-artifacts that pollutes stdout (s2i#850) is committed into the first image
        ".s2i/bin/save-artifacts": "#!/bin/sh\necho 'oops, logging to stdout'\ncd /opt/app && tar -cf - cache\n",
    })
    assert seldon_s2i("build", str(src), BUILDER, tag).returncode == 0
    second = seldon_s2i("build", str(src), BUILDER, tag, "--incremental")
    assert second.returncode == 0, second.stderr
    assert f"WARNING: {CLEAN_BUILD}" in second.stderr
    assert "---> restoring artifacts" not in second.stdout
    assert run_in(tag, "cat /opt/app/cache/history").split() == ["build"]
    assert run_in(tag, "ls -a /tmp").split() == [".", "..", "scripts", "src"]  # no partial artifacts
    assert leftover_containers() == []


def test_injected_files_are_visible_to_assemble_then_truncated(tmp_path, new_tag):
    tag = new_tag("inject")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    # laid out like a Kubernetes secret volume: the visible name is a symlink into ..data
    secrets = write_tree(tmp_path / "secrets", {"..data/token": "s3cret\n", "nested/other": "o"})
    (secrets / "..data/token").chmod(0o600)
    (secrets / "token").symlink_to("..data/token")
    result = seldon_s2i("build", str(src), BUILDER, tag, "-i", f"{secrets}:/etc/test-secrets")
    assert result.returncode == 0, result.stderr
    assert run_in(tag, "cat /opt/app/token-seen-by-assemble") == "s3cret\n"
    listing = "cd /etc/test-secrets && find . -type f -printf '%s %p\\n' | sort"
    assert run_in(tag, listing).splitlines() == ["0 ./..data/token", "0 ./nested/other", "0 ./token"]
    assert run_in(tag, "stat -c %s /tmp/rm-injections").strip() == "0"


def test_injection_keeps_assembles_exit_code(tmp_path, new_tag):
    tag = new_tag("injectfail")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    secret = write_tree(tmp_path / "secrets", {"token": "s3cret\n"}) / "token"
    result = seldon_s2i("build", str(src), BUILDER, tag, "-i", f"{secret}:/etc/test-secrets/token",
                        "-e", "FAIL_ASSEMBLE=5")
    assert result.returncode == 1
    assert "(assemble exited with status 5)" in result.stderr
    assert not image_exists(tag)
    assert leftover_containers() == []


def test_injection_destination_parent_must_exist(tmp_path, new_tag):
    src = write_tree(tmp_path / "app", {"model.py": ""})
    secrets = write_tree(tmp_path / "secrets", {"token": "x"})
    result = seldon_s2i("build", str(src), BUILDER, new_tag("nodest"), "-i", f"{secrets}:/no/such/dir")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "ERROR: directory /no/such does not exist in the builder image"
    assert leftover_containers() == []


def test_injections_land_where_s2i_puts_them(tmp_path, new_tag):
    """s2i v1.3.8: a file becomes the destination path; a directory's contents fill the
    destination, which is created when only its parent exists (-i ./wheels:/tmp/whl)."""
    tag = new_tag("injectfile")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    token = write_tree(tmp_path / "secrets", {"renamed.crt": "file s3cret\n"}) / "renamed.crt"
    wheels = write_tree(tmp_path / "wheels", {"a.whl": "A", "sub/b.whl": "B"})
    result = seldon_s2i("build", str(src), BUILDER, tag,
                        "-i", f"{token}:/etc/test-secrets/token",
                        "-i", f"{wheels}:/tmp/whl")
    assert result.returncode == 0, result.stderr
    assert run_in(tag, "cat /opt/app/token-seen-by-assemble") == "file s3cret\n"
    listing = "find /etc/test-secrets /tmp/whl -type f -printf '%s %p\\n' | sort"
    assert run_in(tag, listing).splitlines() == [
        "0 /etc/test-secrets/token", "0 /tmp/whl/a.whl", "0 /tmp/whl/sub/b.whl"]


def test_a_file_is_not_injected_onto_an_existing_directory(tmp_path, new_tag):
    """s2i fails there ("cannot overwrite directory"); we fail first, naming the fix."""
    tag = new_tag("injectdir")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    token = write_tree(tmp_path / "secrets", {"token": "x"}) / "token"
    result = seldon_s2i("build", str(src), BUILDER, tag, "-i", f"{token}:/etc/test-secrets")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"ERROR: -i {token}:/etc/test-secrets: /etc/test-secrets is a directory in the builder image, and a file "
        f"is injected as the destination path itself (as s2i does): write -i {token}:/etc/test-secrets/token")
    assert not image_exists(tag)
    assert leftover_containers() == []
