#!/usr/bin/env bash
# Regenerate src/seldon_s2i/runtime/proto/*_pb2.py from the .proto files.
#
# The generated code embeds the protobuf version of the generator, and the protobuf runtime refuses
# gencode newer than itself. The runtime locks hold protobuf 6.33.x (Python 3.9) up to 7.x, so we
# generate with grpcio-tools 1.76 (protoc 31.1, gencode 6.31.1) in a throwaway virtualenv, installed
# exactly from environment/protogen.txt (`make lock` re-resolves it).
set -euo pipefail
cd "$(dirname "$0")/.."
GEN_VENV="${GEN_VENV:-/tmp/seldon-s2i-protogen}"
PYTHON="${PYTHON:-python3}"

# uv from environment/bootstrap.txt (`make bootstrap` installs it into $PYTHON), else from PATH.
uv() { if "$PYTHON" -m uv --version >/dev/null 2>&1; then "$PYTHON" -m uv "$@"; else command uv "$@"; fi; }

echo "---> Step 1: generator virtualenv $GEN_VENV (environment/protogen.txt)"
if [ ! -x "$GEN_VENV/bin/python" ]; then
  uv venv -q -p "$PYTHON" "$GEN_VENV"
fi
uv pip sync -q --python "$GEN_VENV/bin/python" --require-hashes environment/protogen.txt

echo "---> Step 2: protoc"
"$GEN_VENV/bin/python" -m grpc_tools.protoc -I src \
  --python_out=src --pyi_out=src \
  src/seldon_s2i/runtime/proto/tensorflow.proto \
  src/seldon_s2i/runtime/proto/prediction.proto \
  src/seldon_s2i/runtime/proto/v2_dataplane.proto
echo "---> Done:" src/seldon_s2i/runtime/proto/*_pb2.py
