#!/usr/bin/env bash
# Creates .venv-ref: the reference implementation, seldon-core 1.17.1 (last Apache-2.0 release),
# used as the oracle by test/compat and bench/serve.py. Kept apart from .venv because its pins
# (Flask<3, protobuf<4, numpy<2, ...) clash with the runtime's own dependencies.
#
# Installs exactly environment/reference.txt (hash-pinned; `make lock` re-resolves it), build
# dependencies of its sdists included. Idempotent: the venv records a hash of this script and the
# lock; when it matches, nothing is done. Uses the host's default package index configuration.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${REFERENCE_VENV:-$ROOT/.venv-ref}"
PYTHON="${PYTHON:-python3}"
LOCK="$ROOT/environment/reference.txt"
STAMP="$VENV/.setup-reference.sha256"
WANT="$(cat "${BASH_SOURCE[0]}" "$LOCK" | sha256sum | cut -d' ' -f1)"
# uv from environment/bootstrap.txt (`make bootstrap` installs it into $PYTHON), else from PATH.
uv() { if "$PYTHON" -m uv --version >/dev/null 2>&1; then "$PYTHON" -m uv "$@"; else command uv "$@"; fi; }

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -x "$VENV/bin/seldon-core-microservice" ]]; then
    echo "---> Reference virtualenv $VENV is up to date"
    exit 0
fi

echo "---> Step 1/3: fresh virtualenv $VENV ($("$PYTHON" --version 2>&1))"
rm -rf "$VENV"
uv venv -q -p "$PYTHON" "$VENV"

echo "---> Step 2/3: install seldon-core 1.17.1 and its pins from environment/reference.txt"
# The lock's inputs and why (setuptools<70, Pillow) are in environment/reference.in. grpcio-tools is
# not needed: the package ships its _pb2 modules. protobuf 3.20.x is what seldon-core's own pin (<4)
# resolves to; the pure-Python implementation is forced by that release on Python 3.11.
uv pip sync -q --python "$VENV/bin/python" --require-hashes --build-constraints "$LOCK" "$LOCK"

echo "---> Step 3/3: check that seldon-core-microservice starts under gunicorn"
"$VENV/bin/python" - "$VENV" <<'PY'
import os, socket, subprocess, sys, tempfile, time, urllib.request

venv = sys.argv[1]
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

model_dir = tempfile.mkdtemp()
with open(os.path.join(model_dir, "Echo.py"), "w") as f:
    f.write("class Echo:\n    def predict(self, X, names, meta=None):\n        return X\n")
http, grpc, metrics = free_port(), free_port(), free_port()
env = dict(os.environ, PREDICTIVE_UNIT_HTTP_SERVICE_PORT=str(http),
           PREDICTIVE_UNIT_GRPC_SERVICE_PORT=str(grpc), PREDICTIVE_UNIT_METRICS_SERVICE_PORT=str(metrics))
proc = subprocess.Popen([os.path.join(venv, "bin", "seldon-core-microservice"), "Echo"],
                        cwd=model_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        start_new_session=True)
try:
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http}/health/ping", timeout=1) as r:
                if r.read() == b"pong":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
            sys.exit(f"seldon-core-microservice did not start:\n{out[-4000:]}")
        time.sleep(0.2)
    print("     seldon-core-microservice answers /health/ping")
finally:
    os.killpg(proc.pid, 15)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
PY

echo "$WANT" > "$STAMP"
echo "---> Reference virtualenv ready: $VENV"
