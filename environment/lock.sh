#!/usr/bin/env bash
# Re-resolve the runtime's hash-pinned locks: environment/py3.X.txt for every Python we support.
#
# Inputs: [project].dependencies of pyproject.toml (the runtime's own needs) and
# environment/builder-tools.in (the installers assemble uses). Each lock is resolved for
# x86_64 Linux with glibc 2.31 (Debian bullseye, the oldest base in builders/versions), so every
# wheel it selects runs on every base; only binary wheels are accepted (images build offline).
# The files name no index: installs use whatever index the environment configures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-.venv/bin/python}
LOCK_PYTHONS=${LOCK_PYTHONS:-"3.9 3.10 3.11 3.12 3.13"}
PLATFORM=x86_64-manylinux_2_31
# uv from PATH, else the one installed into $PYTHON.
uv() { if command -v uv >/dev/null; then command uv "$@"; else "$PYTHON" -m uv "$@"; fi; }

input=$(mktemp --suffix=.in)
trap 'rm -f "$input"' EXIT
echo "---> Reading the runtime's dependencies from pyproject.toml"
"$PYTHON" - "$input" <<'PY'
import sys, tomllib
with open("pyproject.toml", "rb") as f:
    deps = tomllib.load(f)["project"]["dependencies"]
with open(sys.argv[1], "w") as out:
    out.write("\n".join(deps) + "\n")
PY
cat environment/builder-tools.in >>"$input"

for version in $LOCK_PYTHONS; do
    echo "---> Resolving environment/py$version.txt (Python $version, $PLATFORM)"
    uv pip compile --quiet --generate-hashes --only-binary :all: \
        --python-version "$version" --python-platform "$PLATFORM" \
        --custom-compile-command "make lock" \
        --output-file "environment/py$version.txt" "$input"
    # The header names the temporary input file; name the real inputs instead.
    sed -i "s|$input|pyproject.toml [project].dependencies + environment/builder-tools.in|" "environment/py$version.txt"
done
