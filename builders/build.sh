#!/usr/bin/env bash
# Build the builder images: one per row of builders/matrix (narrow with LANGUAGES="python",
# VERSIONS="3.11"; a name that selects no row fails with one ERROR: line before anything is built).
#
# For each row: make sure the base image exists (builders/base, or the row's slim image with
# BASE=slim), stage a small build context (.cache/context/<language><version>: the s2i scripts
# laid out by s2i/stage.sh, plus what builders/<language>/context.sh fetches on the host), and
# `docker build` builders/<language>/Dockerfile. The build itself is offline. Unchanged inputs hit
# Docker's layer cache, so a rebuild with no change takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CONTEXTS=${BUILD_CONTEXTS:-$root/.cache/context}

stage_context() {
    local language=$1 version=$2 glibc=$3 context=$4
    rm -rf "$context" && mkdir -p "$context"
    s2i/stage.sh "$language" "$context/s2i"
    "builders/$language/context.sh" "$version" "$glibc" "$context"
}

# Tag the aliases; drop the image this build replaced (it would stay behind untagged) unless
# something (an app image built on it) still needs it. Layers the new image shares are kept.
tag_and_tidy() {
    local image=$1 aliases=$2 previous=$3 alias
    if [ "$aliases" != - ]; then
        for alias in ${aliases//,/ }; do docker tag "$image" "$alias"; done
    fi
    if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
        docker rmi "$previous" >/dev/null 2>&1 || true
    fi
}

build_builder() {
    local language=$1 version=$2 glibc=$3 from=$4 image=$5 aliases=$6
    local context="$CONTEXTS/$language$version" start=$SECONDS previous size also=""
    stage_context "$language" "$version" "$glibc" "$context"
    echo "---> Building $image ($language $version FROM $from)"
    previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    DOCKER_BUILDKIT=0 docker build --quiet --force-rm --network host \
        --build-arg BASE_IMAGE="$from" \
        --build-arg VERSION="$version" \
        --build-arg IMAGE_NAME="$image" \
        -f "builders/$language/Dockerfile" -t "$image" "$context" >/dev/null
    tag_and_tidy "$image" "$aliases" "$previous"
    size=$(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')
    if [ "$aliases" != - ]; then also=" (also tagged $aliases)"; fi
    echo "---> $image$also: $size, built in $((SECONDS - start)) s"
}

main() {
    local rows language version glibc from image aliases
    rows=$(builders/matrix.sh)
    if [ "${BASE:-debian}" = debian ]; then builders/base/build.sh; fi
    while read -r language version _suite glibc _packages from image aliases; do
        build_builder "$language" "$version" "$glibc" "$from" "$image" "$aliases"
    done <<<"$rows"
}

main
