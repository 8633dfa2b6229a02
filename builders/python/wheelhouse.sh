#!/usr/bin/env bash
# Fetch, on the host, everything the builder image installs, so `docker build` needs no network.
#
#   wheelhouse.sh deps PYTHON GLIBC   the wheels of environment/pyPYTHON.txt for x86_64 Linux with
#                                     that glibc, in .cache/wheels/pyPYTHON-<lock hash>/
#   wheelhouse.sh project             the seldon-s2i wheel built from src/, in
#                                     .cache/project/<source hash>/
#
# Each prints the directory on stdout (logs go to stderr). Both are cached: a directory is
# only filled again when its key (the lock file, or the project's sources) changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
CACHE=${WHEEL_CACHE:-$root/.cache}

log() { echo "$@" >&2; }
# The dev virtualenv's Python (make passes it): its pip, setuptools and uv come from environment/dev.txt,
# so the wheelhouse and the project wheel are made by locked tools, never by ones resolved today.
PYTHON=${PYTHON:-$root/.venv/bin/python}
short_hash() { sha256sum | cut -c1-16; }

deps() {
    local python=$1 glibc=$2 lock="environment/py$1.txt" dir
    [ -f "$lock" ] || { log "ERROR: no lock $lock (make lock)"; return 1; }
    dir="$CACHE/wheels/py$python-$(short_hash <"$lock")"
    if [ ! -f "$dir/.complete" ]; then
        log "---> Downloading the wheels of $lock into $dir"
        rm -rf "$dir" && mkdir -p "$dir"
        # pip, not uv: uv has no `download`. It only ever fetches hash-pinned binary wheels.
        # pip does not widen a manylinux platform to older glibcs itself: list them all.
        local platforms=(--platform manylinux1_x86_64 --platform manylinux2010_x86_64
                         --platform manylinux2014_x86_64) minor
        for minor in $(seq 5 "${glibc#*.}"); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
        "$PYTHON" -m pip download --quiet --disable-pip-version-check \
            --only-binary=:all: --implementation cp --python-version "$python" "${platforms[@]}" \
            --require-hashes --no-deps -r "$lock" -d "$dir" >&2
        touch "$dir/.complete"
    fi
    echo "$dir"
}

project() {
    local key dir
    key=$( (cat pyproject.toml; find src -type f ! -path '*.egg-info*' ! -path '*__pycache__*' \
              -print0 | sort -z | xargs -0 sha256sum) | short_hash)
    dir="$CACHE/project/$key"
    if ! ls "$dir"/*.whl >/dev/null 2>&1; then
        log "---> Building the seldon-s2i wheel from src/ into $dir"
        rm -rf "$dir" && mkdir -p "$dir"
        # A fixed timestamp makes the wheel byte-identical for identical sources, so a fresh
        # checkout's builder build hits the engine's layer cache instead of rebuilding.
        # No build isolation: the build backend is the dev lock's setuptools, not today's release.
        SOURCE_DATE_EPOCH=315532800 "$PYTHON" -m uv build --quiet --wheel --no-build-isolation \
            --python "$PYTHON" --out-dir "$dir" . >&2
    fi
    echo "$dir"
}

case "${1:-}" in
    deps) shift; deps "$@" ;;
    project) project ;;
    *) log "usage: $0 deps PYTHON GLIBC | project"; exit 2 ;;
esac
