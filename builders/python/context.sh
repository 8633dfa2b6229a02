#!/usr/bin/env bash
# Stage what builders/python/Dockerfile needs besides the s2i scripts into a build context:
#
#   context.sh VERSION GLIBC CONTEXT
#     CONTEXT/wheels/   the wheels of environment/pyVERSION.txt (wheelhouse.sh deps), hardlinked
#     CONTEXT/project/  the seldon-s2i wheel built from src/ (wheelhouse.sh project), hardlinked
#     CONTEXT/lock.txt  that lock
#
# Called by builders/build.sh for every python row of builders/matrix.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

version=${1:?usage: context.sh VERSION GLIBC CONTEXT}
glibc=${2:?usage: context.sh VERSION GLIBC CONTEXT}
context=${3:?usage: context.sh VERSION GLIBC CONTEXT}

wheels=$("$here/wheelhouse.sh" deps "$version" "$glibc")
project=$("$here/wheelhouse.sh" project)
cp -al "$wheels" "$context/wheels"
cp -al "$project" "$context/project"
cp -a "$root/environment/py$version.txt" "$context/lock.txt"
