"""seldon-s2i build against the real engine: layout, env, labels, config, failures."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid

import pytest

from dockercli import env_dict, image_exists, inspect_config
from driver_support import (
    BASE_IMAGE,
    BUILDER,
    SOURCE_ENVIRONMENT,
    docker,
    leftover_containers,
    run_in,
    seldon_s2i,
)
from filetree import write_tree


def _source(tmp_path):
    return write_tree(tmp_path / "app", {
        "model.py": "class MyModel: pass\n",
        ".s2i/environment": SOURCE_ENVIRONMENT,
        ".git/HEAD": "ref: refs/heads/main\n",
        "pkg/.git": "gitdir: elsewhere\n",
        "pkg/mod.py": "",
        "junk.tmp": "",
        ".s2iignore": "*.tmp\n",
    })


def test_full_build(tmp_path, new_tag):
    tag = new_tag("full")
    env_file = tmp_path / "extra.env"
    env_file.write_text("FROM_FILE=file value\nOVERRIDDEN=from-file\n")
    result = seldon_s2i("build", str(_source(tmp_path)), BUILDER, tag,
                        "-e", "CLI_VAR=$NOT_EXPANDED", "-e", "OVERRIDDEN=from-cli", "-E", str(env_file),
                        "--description", "a test model")
    assert result.returncode == 0, result.stderr
    assert "---> assemble running as uid 1001" in result.stdout  # assemble's output is relayed
    assert "assemble stderr line" in result.stderr
    assert 'QUOTED="a b" keeps its quotes' in result.stderr

    config = inspect_config(tag)
    assert config["Cmd"] == ["/usr/libexec/s2i/run"]
    assert config["Entrypoint"] == ["/usr/local/bin/test-entrypoint"]
    assert config["User"] == "1001"
    assert config["WorkingDir"] == "/opt/app"
    env = env_dict(config)
    assert env["QUOTED"] == '"a b"' and env["SINGLE"] == "'x'"
    assert env["DOLLAR"] == "$HOME/bin" and env["HASH"] == "a#b # not a comment"
    assert env["EQUALS"] == "k=v=w" and "COMMENTED" not in env and "# COMMENTED" not in env
    assert env["CLI_VAR"] == "$NOT_EXPANDED" and env["FROM_FILE"] == "file value"
    assert env["OVERRIDDEN"] == "from-file"  # .s2i/environment < -e < -E, and over the builder's ENV
    assert env["BUILDER_ONLY"] == "from-builder"
    labels = config["Labels"]
    assert labels["io.k8s.display-name"] == tag
    assert labels["io.k8s.description"] == "a test model"
    assert labels["io.openshift.s2i.build.image"] == BUILDER
    assert labels["io.openshift.s2i.build.source-location"] == str(tmp_path / "app")
    assert labels["org.example.builder-label"] == "kept"

    # the layout s2i produces, and the env assemble saw (same literal values)
    assert run_in(tag, "ls -a /tmp").split() == [".", "..", "scripts", "src"]
    assert run_in(tag, "cd /tmp/src && find . | sort").split() == [
        ".", "./.s2i", "./.s2i/environment", "./.s2iignore", "./model.py", "./pkg", "./pkg/mod.py"]
    seen = dict(line.split("=", 1) for line in run_in(tag, "cat /opt/app/assemble-env").splitlines() if "=" in line)
    for name in ("QUOTED", "DOLLAR", "HASH", "EQUALS", "CLI_VAR", "OVERRIDDEN"):
        assert seen[name] == env[name]
    assert "THROUGH_ENTRYPOINT" not in seen  # ENTRYPOINT overridden during assemble
    # the default command goes through the builder's ENTRYPOINT to the run script
    assert docker("run", "--rm", "--network", "host", tag).stdout == "run from the builder image\n"
    assert leftover_containers() == []


def test_source_scripts_override_the_image(tmp_path, new_tag):
    tag = new_tag("override")
    src = write_tree(tmp_path / "app", {
        "model.py": "",
        ".s2i/bin/assemble": "#!/bin/sh\necho custom assemble from $0\n"
                             "mkdir -p /opt/app && cp -a /tmp/src/. /opt/app/\n",
        ".s2i/bin/run": "#!/bin/sh\necho custom run\n",
        ".s2i/bin/notes.txt": "not a script",
    })
    result = seldon_s2i("build", str(src), BUILDER, tag)
    assert result.returncode == 0, result.stderr
    assert "custom assemble from /tmp/scripts/assemble" in result.stdout
    assert inspect_config(tag)["Cmd"] == ["/tmp/scripts/run"]
    assert run_in(tag, "ls /tmp/scripts").split() == ["assemble", "run"]
    assert run_in(tag, "ls -a /tmp/src/.s2i/bin").split() == [".", "..", "notes.txt"]  # moved, not copied
    assert run_in(tag, "stat -c %a /tmp/scripts/run").strip() == "755"
    assert docker("run", "--rm", "--network", "host", tag).stdout == "custom run\n"


def test_image_metadata_labels_win(tmp_path, new_tag):
    tag = new_tag("metadata")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    result = seldon_s2i("build", str(src), BUILDER, tag, "-e", "IMAGE_METADATA_LABEL=from assemble")
    assert result.returncode == 0, result.stderr
    assert inspect_config(tag)["Labels"]["org.example.from-metadata"] == "from assemble"


def test_assemble_failure_tags_nothing_and_cleans_up(tmp_path, new_tag):
    tag = new_tag("fail")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    result = seldon_s2i("build", str(src), BUILDER, tag, "-e", "FAIL_ASSEMBLE=7")
    assert result.returncode == 1
    assert "Build failed" in result.stderr.splitlines()
    assert (f"ERROR: An error occurred: non-zero (13) exit code from {BUILDER} "
            "(assemble exited with status 7)") in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert not image_exists(tag)
    assert leftover_containers() == []


def test_failure_keeps_the_previous_image(tmp_path, new_tag):
    tag = new_tag("keep")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    assert seldon_s2i("build", str(src), BUILDER, tag).returncode == 0
    before = docker("image", "inspect", "--format", "{{.Id}}", tag).stdout
    assert seldon_s2i("build", str(src), BUILDER, tag, "-e", "FAIL_ASSEMBLE=1").returncode == 1
    assert docker("image", "inspect", "--format", "{{.Id}}", tag).stdout == before


def test_ctrl_c_removes_the_container(tmp_path, new_tag):
    tag = new_tag("interrupt")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    process = subprocess.Popen(
        [sys.executable, "-m", "seldon_s2i.cli", "build", str(src), BUILDER, tag, "-e", "SLEEP_IN_ASSEMBLE=60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for line in process.stdout:
            if "---> sleeping" in line:
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "ERROR: interrupted" in err and "Traceback" not in err
    assert not image_exists(tag)
    assert leftover_containers() == []


def test_missing_scripts_fail_like_s2i(tmp_path, new_tag):
    src = write_tree(tmp_path / "app", {"model.py": ""})
    result = seldon_s2i("build", str(src), BASE_IMAGE, new_tag("noscripts"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"ERROR: failed to install [assemble run]: {BASE_IMAGE} is not an s2i builder image (it has no "
        "io.openshift.s2i.scripts-url label saying where its s2i scripts are); "
        "use a builder image such as seldon-python311"
    )


def test_pull_policies(tmp_path, new_tag):
    src = write_tree(tmp_path / "app", {"model.py": ""})
    missing = "seldon-s2i-no-such-builder:1"
    never = seldon_s2i("build", str(src), missing, new_tag("p"), "--pull-policy", "never")
    assert never.returncode == 1
    assert never.stderr.strip() == f"ERROR: builder image {missing} is not present locally (--pull-policy=never)"
    default = seldon_s2i("build", str(src), missing, new_tag("p"))
    assert default.returncode == 1
    assert default.stderr.startswith(f"ERROR: builder image {missing} is not present locally and pulling it failed: ")
    assert len(default.stderr.strip().splitlines()) == 1
    always = seldon_s2i("build", str(src), BUILDER, new_tag("p"), "--pull-policy=always")
    assert always.returncode == 1
    assert always.stderr.startswith(f"ERROR: cannot pull builder image {BUILDER} (--pull-policy=always): ")
    assert len(always.stderr.strip().splitlines()) == 1


def test_usage(builder_image):
    result = seldon_s2i("usage", BUILDER)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "This is the driver test builder."
    assert leftover_containers() == []
    result = seldon_s2i("usage", BASE_IMAGE)
    assert result.returncode == 1 and result.stderr.strip() == (
        f"ERROR: failed to install [usage]: {BASE_IMAGE} is not an s2i builder image (it has no "
        "io.openshift.s2i.scripts-url label saying where its s2i scripts are); "
        "use a builder image such as seldon-python311"
    )


def test_usage_piped_into_a_reader_that_closes_early_exits_quietly_and_removes_its_container(builder_image):
    process = subprocess.Popen([sys.executable, "-m", "seldon_s2i.cli", "usage", BUILDER],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()  # like `| head -0`: the first line written meets a closed pipe
    err = process.stderr.read()
    process.wait(timeout=120)
    assert process.returncode == 141, err
    assert "Traceback" not in err and "Error" not in err
    assert leftover_containers() == []


def test_an_invalid_tag_fails_before_anything_runs(tmp_path, new_tag):
    src = write_tree(tmp_path / "app", {"model.py": ""})
    tag = new_tag("cli").replace("-cli:", "-cli-UPPER:")
    result = seldon_s2i("build", str(src), BUILDER, tag)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"ERROR: TAG {tag!r} is not a valid image name: the repository name must be lowercase "
        "(e.g. my-model:0.1 or registry.example:5000/team/my-model:0.1)"
    ]
    assert result.stdout == ""  # assemble never ran
    assert docker("images", "-aq", "--filter", f"label=io.k8s.display-name={tag}").stdout == ""
    assert leftover_containers() == []


def test_a_failure_after_the_commits_removes_every_image_the_build_committed(tmp_path, builder_image):
    """The tag is refused by the engine after both commits (dependency layer, application): neither stays."""
    from seldon_s2i.driver.config import BuildConfig
    from seldon_s2i.driver.engine import Engine
    from seldon_s2i.driver.engine_build import run_build
    from seldon_s2i.driver.errors import BuildError

    run = uuid.uuid4().hex[:8]
    layered = f"seldon-s2i-drvtest-cli-layered:{run}"
    dockerfile = (f"FROM {BUILDER}\nLABEL io.github.seldon-s2i.dependency-files=requirements.txt "
                  f"org.example.cli-run={run}\n")
    docker("build", "--network", "host", "-q", "-t", layered, "-", input=dockerfile)
    try:
        src = write_tree(tmp_path / "app", {"model.py": "", "requirements.txt": "\n"})
        bad_tag = f"seldon-s2i-drvtest-cli-UPPER:{run}"  # what the CLI refuses; the engine refuses it too
        with pytest.raises(BuildError) as raised:
            run_build(BuildConfig(source=str(src), builder=layered, tag=bad_tag, network="host", quiet=True),
                      Engine.connect())
        assert raised.value.message.startswith(f"cannot tag the image {bad_tag}: ")
        builder_id = docker("image", "inspect", "--format", "{{.Id}}", layered).stdout.strip()
        labelled = docker("images", "-aq", "--no-trunc", "--filter", f"label=org.example.cli-run={run}").stdout
        assert labelled.split() == [builder_id]  # the builder only: no dependency layer, no application image
        assert leftover_containers() == []
    finally:
        docker("rmi", "-f", layered, check=False)


def test_assemble_user_flag_and_quiet(tmp_path, new_tag):
    tag = new_tag("root")
    src = write_tree(tmp_path / "app", {"model.py": ""})
    result = seldon_s2i("build", str(src), BUILDER, tag, "--assemble-user", "0", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # -q hides assemble's stdout ...
    assert "assemble stderr line" in result.stderr  # ... not its stderr
    assert run_in(tag, "stat -c %u /opt/app/assemble-env").strip() == "0"  # assemble ran as root
    assert inspect_config(tag)["User"] == "1001"  # the image keeps the builder's USER
