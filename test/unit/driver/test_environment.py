"""Build environment: .s2i/environment, then -e, then -E; literal values; lint."""

from __future__ import annotations

import pytest

from seldon_s2i.driver.config import parse_env_flag
from seldon_s2i.driver.environment import build_environment, lint
from seldon_s2i.driver.errors import BuildError


def test_precedence_source_then_cli_then_file(tree, tmp_path):
    src = tree({".s2i/environment": "A=source\nB=source\nC=source\n"})
    env_file = tmp_path / "extra.env"
    env_file.write_text("C=file\n// comment\nD=file\n")
    merged = build_environment(src, [("B", "cli"), ("C", "cli")], [str(env_file)])
    assert merged == [("A", "source"), ("B", "cli"), ("C", "file"), ("D", "file")]


def test_duplicates_last_wins_and_first_position_kept(tree):
    src = tree({".s2i/environment": "A=1\nB=2\nA=3\n"})
    assert build_environment(src, [], []) == [("A", "3"), ("B", "2")]


def test_values_are_literal(tree):
    text = 'Q="a b"\nS=\'x\'\nD=$HOME/bin\nH=a#b\nE=k=v=w\n#C=comment\n  # not a comment=1\n'
    src = tree({".s2i/environment": text})
    env = dict(build_environment(src, [], []))
    assert env["Q"] == '"a b"'
    assert env["S"] == "'x'"
    assert env["D"] == "$HOME/bin"
    assert env["H"] == "a#b"
    assert env["E"] == "k=v=w"
    assert "C" not in env and "#C" not in env
    assert env["# not a comment"] == "1"  # s2i: only column-0 `#` starts a comment


def test_no_environment_file_is_empty(tree):
    assert build_environment(tree({"m.py": ""}), [], []) == []


def test_quoted_values_are_linted(tree, capsys):
    src = tree({".s2i/environment": 'MODEL_NAME="MyModel"\nPLAIN=x\n'})
    build_environment(src, [], [])
    err = capsys.readouterr().err
    assert 'WARNING: .s2i/environment: MODEL_NAME="MyModel" keeps its quotes' in err
    assert "PLAIN" not in err


def test_lint_only_flags_matching_quotes():
    warnings = lint("x", [("A", '"a"'), ("B", "'b'"), ("C", "\"c'"), ("D", '"')])
    assert warnings == [
        "x: A=\"a\" keeps its quotes (s2i passes values literally)",
        "x: B='b' keeps its quotes (s2i passes values literally)",
    ]


def test_missing_environment_file_is_one_error(tree, tmp_path):
    with pytest.raises(BuildError, match="environment file not found"):
        build_environment(tree({}), [], [str(tmp_path / "nope.env")])


def test_undecodable_source_environment(tree):
    src = tree({".s2i/environment": ""})
    (src / ".s2i" / "environment").write_bytes(b"A=\xff\xfe\n")
    with pytest.raises(BuildError, match=".s2i/environment"):
        build_environment(src, [], [])


@pytest.mark.parametrize("value", ["NOVALUE", "=x", "1BAD=x", "BAD-NAME=x"])
def test_env_flag_errors(value):
    with pytest.raises(BuildError, match="-e/--env"):
        parse_env_flag(value)


def test_env_flag_keeps_value_literally():
    assert parse_env_flag('A="x=y" $Z') == ("A", '"x=y" $Z')
    assert parse_env_flag("EMPTY=") == ("EMPTY", "")
