#!/usr/bin/env bash
# Stage what builders/r/Dockerfile needs besides the s2i scripts into a build context:
#
#   context.sh VERSION GLIBC CONTEXT
#     CONTEXT/wrapper/   the R wrapper (wrappers/r)
#
# R and its packages come from Debian, in the base (the r row's packages in builders/matrix), so
# nothing is fetched here. Called by builders/build.sh for every r row of builders/matrix.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

context=${3:?usage: context.sh VERSION GLIBC CONTEXT}
mkdir -p "$context/wrapper"
cp -a "$root/wrappers/r/microservice.R" "$root/wrappers/r/install.R" "$root/wrappers/r/R" "$context/wrapper/"
