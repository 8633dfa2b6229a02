"""--as-dockerfile output builds with plain `docker build` into an equivalent image."""

from __future__ import annotations

from dockercli import env_dict, inspect_config
from driver_support import (
    BUILDER,
    SOURCE_ENVIRONMENT,
    docker,
    run_in,
    seldon_s2i,
)
from filetree import write_tree

LISTING = "cd /tmp/src && find . -printf '%p %m %U:%G %y\\n' | sort"


def _docker_build(context, tag):
    result = docker("build", "--network", "host", "-q", "-t", tag, str(context), check=False)
    assert result.returncode == 0, result.stderr


def test_dockerfile_image_is_equivalent_to_the_driver_image(tmp_path, new_tag):
    src = write_tree(tmp_path / "app", {
        "model.py": "class MyModel: pass\n",
        "pkg/mod.py": "",
        ".s2i/environment": SOURCE_ENVIRONMENT,
        ".git/HEAD": "",
    })
    args = ["-e", "WEIRD=it's \"q\" $X \\ # ${Y}", "--description", "same"]
    direct, from_dockerfile = new_tag("direct"), new_tag("dockerfile")
    assert seldon_s2i("build", str(src), BUILDER, direct, *args).returncode == 0
    out = tmp_path / "out"
    result = seldon_s2i("build", str(src), BUILDER, direct, *args, "--as-dockerfile", str(out / "Dockerfile"))
    assert result.returncode == 0, result.stderr
    _docker_build(out, from_dockerfile)

    a, b = inspect_config(direct), inspect_config(from_dockerfile)
    assert a["Cmd"] == b["Cmd"] == ["/usr/libexec/s2i/run"]
    assert a["User"] == b["User"] == "1001"
    assert a["Entrypoint"] == b["Entrypoint"]
    assert a["WorkingDir"] == b["WorkingDir"]
    assert env_dict(a) == env_dict(b)
    assert env_dict(b)["WEIRD"] == "it's \"q\" $X \\ # ${Y}"
    assert env_dict(b)["QUOTED"] == '"a b"'
    assert a["Labels"] == b["Labels"]
    assert run_in(direct, LISTING) == run_in(from_dockerfile, LISTING)
    assert "./.git" not in run_in(from_dockerfile, LISTING)
    weird = "cat /opt/app/assemble-env | grep WEIRD"
    assert run_in(direct, weird) == run_in(from_dockerfile, weird)


def test_incremental_dockerfile_uses_the_previous_image(tmp_path, new_tag):
    tag = new_tag("dfincr")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    assert seldon_s2i("build", str(src), BUILDER, tag).returncode == 0
    out = tmp_path / "out"
    result = seldon_s2i("build", str(src), BUILDER, tag, "--incremental", "--as-dockerfile", str(out / "Dockerfile"))
    assert result.returncode == 0, result.stderr
    text = (out / "Dockerfile").read_text()
    assert text.startswith(f"FROM {tag} AS cached\n")
    _docker_build(out, tag)
    assert run_in(tag, "cat /opt/app/cache/history").split() == ["build", "build"]
    assert run_in(tag, "ls -a /tmp").split() == [".", "..", "artifacts", "src"]


def test_dockerfile_injections_are_truncated(tmp_path, new_tag):
    tag = new_tag("dfinject")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    secrets = write_tree(tmp_path / "secrets", {"token": "s3cret\n"})
    out = tmp_path / "out"
    result = seldon_s2i("build", str(src), BUILDER, tag, "-i", f"{secrets}:/etc/test-secrets",
                        "--as-dockerfile", str(out / "Dockerfile"))
    assert result.returncode == 0, result.stderr
    assert "remain readable in the COPY layer" in result.stderr
    _docker_build(out, tag)
    assert run_in(tag, "cat /opt/app/token-seen-by-assemble") == "s3cret\n"
    assert run_in(tag, "stat -c %s /etc/test-secrets/token").strip() == "0"
