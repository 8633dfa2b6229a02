#!/usr/bin/env bash
# Creates .venv-mlserver: MLServer 1.7.1, the anchor implementation of the Open Inference (V2)
# protocol, used as the oracle by test/compat/v2 and by bench/serve.py's V2 rows. Kept apart from
# .venv (its pins clash with the runtime's) and from .venv-ref (seldon-core 1.17.1's protobuf < 4).
#
# Installs exactly environment/mlserver.txt (hash-pinned; `environment/lock.sh mlserver.txt`
# re-resolves it) into the host's Python 3.11 or 3.12 (MLServer 1.7 supports Python < 3.13).
# Idempotent: the venv records a hash of this script and the lock; when it matches, nothing is done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${MLSERVER_VENV:-$ROOT/.venv-mlserver}"
PYTHON="${PYTHON:-python3}"
LOCK="$ROOT/environment/mlserver.txt"
STAMP="$VENV/.setup-mlserver.sha256"
WANT="$(cat "${BASH_SOURCE[0]}" "$LOCK" | sha256sum | cut -d' ' -f1)"
# uv from environment/bootstrap.txt (`make bootstrap` installs it into $PYTHON), else from PATH.
uv() { if "$PYTHON" -m uv --version >/dev/null 2>&1; then "$PYTHON" -m uv "$@"; else command uv "$@"; fi; }

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -x "$VENV/bin/mlserver" ]]; then
    echo "---> MLServer virtualenv $VENV is up to date"
    exit 0
fi

version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$version" != "3.11" && "$version" != "3.12" ]]; then
    echo "ERROR: MLServer 1.7.1 needs Python 3.11 or 3.12, $PYTHON is $version: run with PYTHON=python3.11" >&2
    exit 1
fi

echo "---> Step 1/3: fresh virtualenv $VENV (Python $version)"
rm -rf "$VENV"
uv venv -q -p "$PYTHON" "$VENV"

echo "---> Step 2/3: install MLServer 1.7.1 and its pins from environment/mlserver.txt"
uv pip sync -q --python "$VENV/bin/python" --require-hashes --build-constraints "$LOCK" "$LOCK"

echo "---> Step 3/3: check that MLServer imports"
"$VENV/bin/python" -c 'import mlserver, mlserver.rest, mlserver.grpc; print("     mlserver", mlserver.__version__)'

echo "$WANT" > "$STAMP"
echo "---> MLServer virtualenv ready: $VENV"
