"""The hash-pinned locks in environment/ are current with their inputs (offline: no resolver runs).

A lock is stale when pyproject.toml's dependencies (runtime, [dev], build backend) or an
environment/*.in file changed since the last `make lock`: its recorded inputs digest then differs.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ENVIRONMENT = Path(__file__).resolve().parents[2] / "environment"
_spec = importlib.util.spec_from_file_location("locks", ENVIRONMENT / "locks.py")
assert _spec and _spec.loader
locks = sys.modules["locks"] = importlib.util.module_from_spec(_spec)  # dataclasses look it up there
_spec.loader.exec_module(locks)

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==\S+(?: ;[^\\]*)? \\$")


def _entries(name: str):
    """(requirement line, its hash lines) for each pinned requirement of environment/NAME."""
    lines = (ENVIRONMENT / name).read_text().splitlines()
    entries, current = [], None
    for line in lines:
        if line and not line.startswith((" ", "#")):
            current = (line, [])
            entries.append(current)
        elif current and line.strip().startswith("--hash=sha256:"):
            current[1].append(line)
    return entries


@pytest.mark.parametrize("name", sorted(locks.LOCKS))
def test_every_lock_records_the_digest_of_its_current_inputs(name):
    assert locks.recorded_digest(name) == locks.LOCKS[name].digest(), (
        f"environment/{name} is stale against {locks.LOCKS[name].source}: run `make lock`")


def test_every_txt_file_in_environment_is_a_lock_of_the_table():
    assert {path.name for path in ENVIRONMENT.glob("*.txt")} == set(locks.LOCKS)


def test_a_changed_input_changes_the_digest_so_the_lock_reads_as_stale():
    dev = locks.LOCKS["dev.txt"]
    changed = dataclasses.replace(dev, requirements=lambda: dev.requirements() + ["six"])
    assert changed.digest() != locks.recorded_digest("dev.txt")
    assert dataclasses.replace(dev, options=("--python-version", "3.12")).digest() != dev.digest()


@pytest.mark.parametrize("name", sorted(locks.LOCKS))
def test_every_requirement_of_a_lock_is_pinned_exactly_with_hashes(name):
    entries = _entries(name)
    assert entries
    for requirement, hashes in entries:
        assert PIN.match(requirement), requirement
        assert hashes, f"{requirement} has no --hash"


@pytest.mark.parametrize("name", ["dev.txt", "reference.txt", "bootstrap.txt", "py3.11.txt"])
def test_every_direct_input_of_a_lock_is_pinned_in_it(name):
    pinned = {PIN.match(line).group(1).lower().replace("_", "-") for line, _ in _entries(name)}
    for requirement in locks.LOCKS[name].requirements():
        project = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert project in pinned, f"{project} (from {requirement!r}) is missing in environment/{name}"
