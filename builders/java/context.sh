#!/usr/bin/env bash
# Stage what builders/java/Dockerfile needs besides the s2i scripts into a build context:
#
#   context.sh VERSION GLIBC CONTEXT
#     CONTEXT/wrapper/   the Maven project of the Java wrapper (wrappers/java, without target/)
#     CONTEXT/proto/     prediction.proto and the TensorFlow protos it imports (test/conformance/proto)
#
# Nothing is downloaded: the wrapper builds offline against the Debian packages of the base.
# Called by builders/build.sh for every java row of builders/matrix.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

context=${3:?usage: context.sh VERSION GLIBC CONTEXT}

mkdir -p "$context/wrapper"
cp -a "$root/wrappers/java/pom.xml" "$root/wrappers/java/src" "$context/wrapper/"
cp -a "$root/test/conformance/proto" "$context/proto"
