#!/usr/bin/env bash
# Build the builder images: one per row of builders/versions (narrow with VERSIONS="3.11").
#
# For each Python: make sure the base image exists (builders/base, or python:X-slim with
# BASE=slim), fetch the wheelhouse on the host (builders/python/wheelhouse.sh), stage a small
# build context, and `docker build` builders/python/Dockerfile. The build itself is offline.
# Unchanged inputs hit Docker's layer cache, so a rebuild with no change takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=builders/matrix.sh
source builders/matrix.sh

CONTEXTS=${BUILD_CONTEXTS:-$root/.cache/context}

if [ "${BASE:-debian}" = debian ]; then
    builders/base/build.sh
fi
project_dir=$(builders/python/wheelhouse.sh project)

stage_context() {
    local python=$1 wheels=$2 context=$3
    rm -rf "$context" && mkdir -p "$context"
    cp -al "$wheels" "$context/wheels"
    cp -al "$project_dir" "$context/project"
    cp -a s2i/bin "$context/s2i"
    cp -a "environment/py$python.txt" "$context/lock.txt"
}

while read -r python suite glibc image aliases; do
    base=$(base_image_for "$python" "$suite")
    wheels=$(builders/python/wheelhouse.sh deps "$python" "$glibc")
    context="$CONTEXTS/py$python"
    stage_context "$python" "$wheels" "$context"

    echo "---> Building $image (Python $python FROM $base)"
    start=$SECONDS
    previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    DOCKER_BUILDKIT=0 docker build --quiet --force-rm --network host \
        --build-arg BASE_IMAGE="$base" \
        --build-arg PYTHON_VERSION="$python" \
        --build-arg IMAGE_NAME="$image" \
        -f builders/python/Dockerfile -t "$image" "$context" >/dev/null
    if [ "$aliases" != - ]; then
        for alias in ${aliases//,/ }; do docker tag "$image" "$alias"; done
    fi
    # The image this build replaced would stay behind untagged; drop it unless something
    # (an app image built on it) still needs it. Layers the new image shares are kept.
    if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
        docker rmi "$previous" >/dev/null 2>&1 || true
    fi
    size=$(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')
    also=""
    if [ "$aliases" != - ]; then also=" (also tagged $aliases)"; fi
    echo "---> $image$also: $size, built in $((SECONDS - start)) s"
done < <(matrix_rows)
