"""The hash-pinned locks in environment/: what each one resolves, and the digest of its inputs.

Every dependency of the project, its images and its tools is installed from one of these files;
only `make lock` (environment/lock.sh, which runs `python3 environment/locks.py lock`) resolves.

    py3.X.txt      the runtime in the builder images (one per Python; x86_64 glibc 2.31 wheels)
    dev.txt        the dev/test virtualenv .venv (`make venv`): runtime + [dev] + build backend
    bootstrap.txt  uv itself, installed into the host Python before anything else
    reference.txt  the reference seldon-core 1.17.1 virtualenv .venv-ref (test/compat, bench)
    protogen.txt   the protoc generator virtualenv of scripts/gen-protos.sh
    mlserver.txt   MLServer 1.7.1, the V2 protocol's anchor (.venv-mlserver: test/compat/v2, bench)

Each lock's third line is `# inputs-sha256: <hex>`: the sha256 of its requirements and resolver
options (below). test/unit/test_locks.py recomputes it offline, so a lock whose inputs changed
since the last `make lock` fails the tests. The files name no index: installs use whatever
index the environment configures.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ENVIRONMENT = Path(__file__).resolve().parent
ROOT = ENVIRONMENT.parent
RUNTIME_PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
# The oldest base in builders/versions is Debian bullseye (glibc 2.31): its wheels run on every base.
RUNTIME_PLATFORM = "x86_64-manylinux_2_31"
DIGEST_LINE = re.compile(r"^# inputs-sha256: ([0-9a-f]{64})$", re.MULTILINE)


def _pyproject() -> dict:
    try:
        import tomllib
    except ImportError:  # Python < 3.11: tomli, in the dev lock for those Pythons
        import tomli as tomllib  # type: ignore[no-redef]

    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _lines(name: str) -> List[str]:
    """Requirement lines of environment/NAME, without comments and blank lines."""
    text = (ENVIRONMENT / name).read_text()
    return [line for line in (raw.split("#", 1)[0].strip() for raw in text.splitlines()) if line]


def _runtime() -> List[str]:
    return list(_pyproject()["project"]["dependencies"]) + _lines("builder-tools.in")


def _dev() -> List[str]:
    project = _pyproject()
    return (list(project["build-system"]["requires"]) + list(project["project"]["dependencies"])
            + list(project["project"]["optional-dependencies"]["dev"]))


@dataclass(frozen=True)
class Lock:
    """One lock: where its requirements come from (`source`, for the header) and how it is resolved."""

    source: str
    requirements: Callable[[], List[str]]
    options: Tuple[str, ...]

    def digest(self) -> str:
        """sha256 (hex) of the requirements and options: what the lock's header must record."""
        payload = json.dumps({"requirements": self.requirements(), "options": list(self.options)})
        return hashlib.sha256(payload.encode()).hexdigest()


def _runtime_lock(version: str) -> Lock:
    return Lock("pyproject.toml [project].dependencies + environment/builder-tools.in", _runtime,
                ("--only-binary", ":all:", "--python-version", version, "--python-platform", RUNTIME_PLATFORM))


# Universal locks (any platform, Python >= 3.9) for the tools; the runtime's are per Python.
UNIVERSAL = ("--universal", "--python-version", "3.9")
LOCKS: Dict[str, Lock] = {
    **{f"py{version}.txt": _runtime_lock(version) for version in RUNTIME_PYTHONS},
    "dev.txt": Lock("pyproject.toml [build-system].requires + [project].dependencies + [dev]", _dev, UNIVERSAL),
    "bootstrap.txt": Lock("environment/bootstrap.in", lambda: _lines("bootstrap.in"), UNIVERSAL),
    "reference.txt": Lock("environment/reference.in", lambda: _lines("reference.in"), UNIVERSAL),
    "protogen.txt": Lock("environment/protogen.in", lambda: _lines("protogen.in"), UNIVERSAL),
    # MLServer supports Python 3.9-3.12 only; its virtualenv runs on the host's Python 3.11 (Linux x86_64).
    "mlserver.txt": Lock("environment/mlserver.in", lambda: _lines("mlserver.in"),
                         ("--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_31")),
}


def recorded_digest(name: str) -> str:
    """The digest written in environment/NAME's header ('' when there is none)."""
    match = DIGEST_LINE.search((ENVIRONMENT / name).read_text())
    return match.group(1) if match else ""


def _uv() -> List[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def resolve(name: str) -> None:
    """Re-resolve environment/NAME with `uv pip compile --generate-hashes` and record its digest."""
    lock = LOCKS[name]
    output = ENVIRONMENT / name
    with tempfile.NamedTemporaryFile("w", suffix=".in") as requirements:
        requirements.write("\n".join(lock.requirements()) + "\n")
        requirements.flush()
        subprocess.run([*_uv(), "pip", "compile", "--quiet", "--generate-hashes", *lock.options,
                        "--custom-compile-command", "make lock", "--output-file", str(output),
                        requirements.name], check=True)
        text = output.read_text().replace(requirements.name, lock.source)
    head, _, rest = text.partition("#    make lock\n")
    output.write_text(f"{head}#    make lock\n# inputs-sha256: {lock.digest()}\n{rest}")


def main(argv: List[str]) -> int:
    """`locks.py lock [NAME...]` re-resolves the named locks (all when none is named)."""
    if not argv or argv[0] != "lock" or any(name not in LOCKS for name in argv[1:]):
        print(f"ERROR: usage: locks.py lock [{'|'.join(LOCKS)}]...", file=sys.stderr)
        return 2
    for name in argv[1:] or LOCKS:
        print(f"---> Resolving environment/{name} ({LOCKS[name].source})", flush=True)
        resolve(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
