#!/usr/bin/env bash
# Base images with Python from Debian packages, for hosts without an image registry.
#
# For each row of builders/versions this bootstraps a minimal Debian rootfs of the row's suite
# with mmdebstrap (Debian's own python3, ca-certificates, nothing else), slims it, and imports
# it as seldon-base:debian-<suite>-py<python>. Images are cached: a base is rebuilt only when
# this script changes (its content hash is the image's recipe label).
#
# With BASE=slim there is nothing to build: the builders start FROM python:<ver>-slim.
#
# Environment: VERSIONS="3.11 3.13" narrows the matrix; FORCE=1 rebuilds even when cached.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=builders/matrix.sh
source "$here/../matrix.sh"

RECIPE_LABEL=io.github.seldon-s2i.base.recipe
recipe=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)

if [ "${BASE:-debian}" = slim ]; then
    echo "---> BASE=slim: builders start FROM python:<ver>-slim; no base image to bootstrap"
    exit 0
fi

if ! command -v mmdebstrap >/dev/null; then
    echo "---> Installing mmdebstrap from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }
fi

# What dpkg never unpacks: documentation (licences kept), manuals and translations.
# (The stdlib's test suites can't be excluded here: python3.X's postinst byte-compiles them.)
DPKG_EXCLUDES=(
    'path-exclude=/usr/share/doc/*'
    'path-include=/usr/share/doc/*/copyright'
    'path-exclude=/usr/share/man/*'
    'path-exclude=/usr/share/info/*'
    'path-exclude=/usr/share/locale/*'
    'path-exclude=/usr/share/lintian/*'
    'path-exclude=/usr/share/bash-completion/*'
)

# Run inside the finished rootfs ($1): drop caches, package lists and logs that only
# matter to a running apt, and the parts of the standard library a model server never imports
# (test suites, IDLE, lib2to3, pydoc data), with their byte code.
# shellcheck disable=SC2016  # $1 expands inside the hook, not here
CLEANUP='set -e
rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/cache/debconf/*-old \
       "$1"/var/log/* "$1"/var/lib/dpkg/*-old "$1"/tmp/* "$1"/root/.cache
find "$1"/usr/lib/python3* -depth -type d \( -name test -o -name tests -o -name idlelib \
     -o -name lib2to3 -o -name pydoc_data -o -name turtledemo \) -exec rm -rf {} +
# glibc iconv modules: Python has its own codecs; keep only the Unicode ones.
find "$1"/usr/lib/*-linux-gnu/gconv -name "*.so" ! -name "UTF-*" ! -name "UNICODE.so" -delete'

build_base() {
    local python=$1 suite=$2 image=$3 packages=python3,ca-certificates
    local dpkgopts=() opt
    # Before 3.10 pip locates the install scheme through distutils, which Debian ships apart.
    case "$python" in 3.[0-9]) packages+=,python3-distutils ;; esac
    for opt in "${DPKG_EXCLUDES[@]}"; do dpkgopts+=(--dpkgopt="$opt"); done
    # Debian's python3 lacks venv's ensurepip unless python3-venv is installed; the builder
    # creates its virtualenv --without-pip and installs pip from the wheelhouse instead.
    echo "---> Bootstrapping Debian $suite (Python $python) into $image"
    # maybe-merged-usr sets up the merged /usr itself where the suite wants it, instead of
    # installing the usrmerge package (which drags ~50 MB of Perl in).
    mmdebstrap --quiet --variant=minbase --include="$packages" \
        --hook-dir=/usr/share/mmdebstrap/hooks/maybe-merged-usr \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --aptopt='APT::Install-Recommends "false"' \
        "${dpkgopts[@]}" \
        --customize-hook="$CLEANUP" \
        "$suite" - |
        docker import \
            --change "LABEL $RECIPE_LABEL=$recipe" \
            --change "LABEL io.github.seldon-s2i.base.suite=$suite" \
            --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["/bin/bash"]' \
            - "$image" >/dev/null
    local got
    got=$(docker run --rm --network none "$image" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if [ "$got" != "$python" ]; then
        echo "ERROR: Debian $suite ships Python $got, but builders/versions says $python" >&2
        docker rmi "$image" >/dev/null
        return 1
    fi
}

while read -r python suite _glibc _builder _aliases; do
    image=$(base_image_for "$python" "$suite")
    have=$(docker image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$image" 2>/dev/null || true)
    if [ "$have" = "$recipe" ] && [ -z "${FORCE:-}" ]; then
        echo "---> $image is up to date (recipe $recipe)"
        continue
    fi
    start=$SECONDS
    build_base "$python" "$suite" "$image"
    echo "---> $image: $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}') in $((SECONDS - start)) s"
done < <(matrix_rows)
