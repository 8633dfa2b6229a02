"""CLI argument errors: one line on stderr, no traceback, a non-zero exit."""

from __future__ import annotations

import pytest

from seldon_s2i.cli import _normalise_booleans, main


def _run(capsys, argv):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors and --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("WARNING:")]
    assert len(lines) == 1, err
    assert lines[0].startswith("ERROR: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "argv, fragment, code",
    [
        (["build"], "the following arguments are required: SRC, BUILDER", 2),
        (["frobnicate"], "invalid choice", 2),
        (["build", ".", "b", "t", "--bogus"], "unrecognized arguments: --bogus", 2),
        (["build", ".", "b"], "TAG is required", 2),
        (["build", ".", "b", "t", "-e", "NOEQUALS"], "-e/--env expects NAME=VALUE", 2),
        (["build", ".", "b", "t", "-i", ":/etc"], "-i/--inject expects SRC:DST", 2),
        (["build", ".", "b", "t", "-p", "sometimes"], "--pull-policy must be one of always, never, if-not-present", 2),
        (["build", ".", "b", "t", "--incremental-pull-policy", "x"], "--incremental-pull-policy must be one of", 2),
        (["build", ".", "b", "t", "--exclude", "("], "--exclude is not a valid regular expression", 2),
        (["build", ".", "b", "Newcomer BAD TAG"],
         "TAG 'Newcomer BAD TAG' is not a valid image name: it contains whitespace; "
         "the repository name must be lowercase (e.g. my-model:0.1", 2),
        (["build", ".", "b", "newcomer-UPPER:1"], "the repository name must be lowercase", 2),
        (["build", ".", "b", "UPPER:1", "--as-dockerfile", "out/Dockerfile"],
         "the repository name must be lowercase", 2),
        (["build", "/no/such/dir", "b", "t"], "source directory not found: /no/such/dir", 1),
        (["build", "/etc/hostname", "b", "t"], "source /etc/hostname is not a directory: give the model's source", 1),
        (["build", ".", "b", "t", "-i", "/no/such/secret:/etc"], "inject source not found: /no/such/secret", 1),
        (["build", ".", "b", "t", "-E", "/no/such.env"], "environment file not found: /no/such.env", 1),
        (["build", ".", "b", "t", "-E", "/"], "environment file / is a directory: -E takes a file of NAME=VALUE", 1),
        (["build", ".", "b", "t", "--context-dir", "no-such-sub"],
         "context directory not found in the source: no-such-sub", 1),
        (["build", ".", "b", "t", "--incremental=maybe"],
         "argument --incremental: ignored explicit argument 'maybe'", 2),
    ],
)
def test_argument_errors(capsys, tmp_path, monkeypatch, argv, fragment, code):
    monkeypatch.chdir(tmp_path)
    exit_code, out, err = _run(capsys, argv)
    assert exit_code == code
    assert fragment in _one_error_line(err)
    assert out == ""


def test_unreachable_engine_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-dockerd.sock")
    code, _, err = _run(capsys, ["build", ".", "builder", "t:1"])
    assert code == 1
    assert _one_error_line(err) == (
        f"ERROR: cannot reach the Docker engine at unix://{tmp_path}/no-dockerd.sock: is dockerd running?"
    )
    code, _, err = _run(capsys, ["usage", "builder"])
    assert code == 1 and "cannot reach the Docker engine" in _one_error_line(err)


def test_help_explains_the_git_decision(capsys):
    code, out, _ = _run(capsys, ["build", "--help"])
    assert code == 0
    assert "working tree is built as it is" in out
    assert "--ref" in out and "--as-dockerfile" in out and "--incremental" in out


def test_build_help_shows_tag_as_required_and_documents_every_exit_status(capsys):
    code, out, _ = _run(capsys, ["build", "--help"])
    assert code == 0
    assert out.startswith("usage: seldon-s2i build [options] SRC BUILDER TAG\n"
                          "       seldon-s2i build [options] SRC BUILDER [TAG] --as-dockerfile PATH\n")
    assert "1 on any failure" not in out
    for status in ("0 ", "1 ", "2 ", "130 ", "141 "):
        assert f"\n  {status}" in out


def test_usage_errors_exit_2_and_build_failures_exit_1_as_the_help_says(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _run(capsys, ["build", "."])[0] == 2  # missing BUILDER: argparse
    assert _run(capsys, ["build", ".", "b"])[0] == 2  # missing TAG: ours, same status
    assert _run(capsys, ["build", "/no/such/dir", "b", "t"])[0] == 1  # a build that cannot run


@pytest.mark.parametrize("place", ["/proc/nope/Dockerfile", "{file}/Dockerfile", "{dir}"])
def test_an_unwritable_as_dockerfile_path_is_one_error_line_before_any_work(capsys, tmp_path, monkeypatch, place):
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-dir").mkdir()
    source = tmp_path / "src"
    source.mkdir()
    path = place.format(file=tmp_path / "a-file", dir=tmp_path / "a-dir")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-dockerd.sock")
    code, out, err = _run(capsys, ["build", str(source), "b", "--as-dockerfile", path])
    assert code == 1 and out == ""
    line = _one_error_line(err)
    assert path.rstrip("/") in line and "give --as-dockerfile a file path in a directory you can write" in line


def test_an_os_error_outside_the_checks_is_one_error_line_naming_the_path():
    from seldon_s2i.cli import os_error_line

    line = os_error_line(FileNotFoundError(2, "No such file or directory", "/proc/nope"))
    assert line.startswith("cannot use /proc/nope: No such file or directory (")


def test_s2i_boolean_spelling():
    assert _normalise_booleans(["--incremental=true", "--rm=false", "--copy=1", "-e", "A=--rm=true"]) == [
        "--incremental", "--copy", "-e", "A=--rm=true",
    ]


def _modules_after(argv):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from seldon_s2i import cli\n"
        "try:\n"
        f"    cli.main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_build_does_not_import_the_runtime_and_serve_does_not_import_docker():
    assert not [m for m in _modules_after(["build", "/no/such/dir", "b", "t"]) if m.startswith("seldon_s2i.runtime")]
    assert "docker" not in _modules_after(["serve", "--help"])
