#!/usr/bin/env bash
# Base images from Debian packages, for hosts without an image registry.
#
# For each row of builders/matrix this bootstraps a minimal Debian rootfs of the row's suite
# with mmdebstrap (the row's Debian packages, e.g. python3 and ca-certificates, nothing else),
# slims it, and imports it as seldon-base:<the row's base>. Images are cached: a base is rebuilt
# only when its recipe (this script, the suite and the packages) changes; the recipe's hash is the
# image's label.
#
# With BASE=slim there is nothing to build: the builders start FROM the row's slim image.
#
# Environment: LANGUAGES="python", VERSIONS="3.11 3.13" narrow the matrix; FORCE=1 rebuilds even
# when cached.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RECIPE_LABEL=io.github.seldon-s2i.base.recipe
script_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)

# How to ask a base for its language's version (major.minor), to check it against the matrix.
declare -A VERSION_PROBE=(
    [python]="python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'"
    [java]="java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'"
    [r]="Rscript -e 'cat(R.version\$major, sub(\"[.].*\", \"\", R.version\$minor), sep = \".\")'"
)

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
# (test suites, IDLE, lib2to3, pydoc data), with their byte code, where the base has Python.
# shellcheck disable=SC2016  # $1 expands inside the hook, not here
CLEANUP='set -e
rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/cache/debconf/*-old \
       "$1"/var/log/* "$1"/var/lib/dpkg/*-old "$1"/tmp/* "$1"/root/.cache
for lib in "$1"/usr/lib/python3*; do
    [ -d "$lib" ] || continue
    find "$lib" -depth -type d \( -name test -o -name tests -o -name idlelib \
     -o -name lib2to3 -o -name pydoc_data -o -name turtledemo \) -exec rm -rf {} +
done
# glibc iconv modules: Python has its own codecs; keep the Unicode ones and latin1 (R CMD INSTALL
# converts a DESCRIPTION without an Encoding field from latin1).
find "$1"/usr/lib/*-linux-gnu/gconv -name "*.so" ! -name "UTF-*" ! -name "UNICODE.so" ! -name "ISO8859-1.so" -delete'

# The JDK's postinst needs /usr/share/man/man1 (see build_base).
# shellcheck disable=SC2016  # $1 expands inside the hook, not here
MAN1_HOOK='mkdir -p "$1"/usr/share/man/man1'

install_mmdebstrap() {
    command -v mmdebstrap >/dev/null && return 0
    echo "---> Installing mmdebstrap from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }
}

# (Java: the JDK's postinst registers its man pages with update-alternatives, which fails when
# /usr/share/man/man1 is missing (the excludes above leave it out), hence the essential hook.)
# (Python: before 3.10 pip locates the install scheme through distutils, which Debian ships apart,
# hence python3-distutils in 3.9's row. Debian's python3 lacks venv's ensurepip unless
# python3-venv is installed; the builder creates its virtualenv --without-pip and installs pip
# from the wheelhouse instead.)
build_base() {
    local language=$1 version=$2 suite=$3 packages=$4 image=$5 recipe=$6
    local dpkgopts=() opt
    for opt in "${DPKG_EXCLUDES[@]}"; do dpkgopts+=(--dpkgopt="$opt"); done
    echo "---> Bootstrapping Debian $suite ($packages) into $image"
    # maybe-merged-usr sets up the merged /usr itself where the suite wants it, instead of
    # installing the usrmerge package (which drags ~50 MB of Perl in).
    mmdebstrap --quiet --variant=minbase --include="$packages" \
        --hook-dir=/usr/share/mmdebstrap/hooks/maybe-merged-usr \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --aptopt='APT::Install-Recommends "false"' \
        "${dpkgopts[@]}" \
        --essential-hook="$MAN1_HOOK" \
        --customize-hook="$CLEANUP" \
        "$suite" - |
        docker import \
            --change "LABEL $RECIPE_LABEL=$recipe" \
            --change "LABEL io.github.seldon-s2i.base.suite=$suite" \
            --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["/bin/bash"]' \
            - "$image" >/dev/null
    check_version "$language" "$version" "$suite" "$image"
}

check_version() {
    local language=$1 version=$2 suite=$3 image=$4 got
    [ -n "${VERSION_PROBE[$language]:-}" ] || return 0
    got=$(docker run --rm --network none "$image" /bin/sh -c "${VERSION_PROBE[$language]}")
    if [ "$got" != "$version" ]; then
        echo "ERROR: Debian $suite ships $language $got, but builders/matrix says $version: fix the row's suite or version" >&2
        docker rmi "$image" >/dev/null
        return 1
    fi
}

main() {
    local rows language version suite packages image recipe have start built=" "
    rows=$("$here/../matrix.sh")
    if [ "${BASE:-debian}" = slim ]; then
        echo "---> BASE=slim: builders start FROM their row's slim image; no base image to bootstrap"
        return 0
    fi
    install_mmdebstrap
    while read -r language version suite _glibc packages image _builder _aliases; do
        case "$built" in *" $image "*) continue ;; esac # a base several rows share
        built+="$image "
        recipe=$(echo "$script_hash $suite $packages" | sha256sum | cut -c1-16)
        have=$(docker image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$image" 2>/dev/null || true)
        if [ "$have" = "$recipe" ] && [ -z "${FORCE:-}" ]; then
            echo "---> $image is up to date (recipe $recipe)"
            continue
        fi
        start=$SECONDS
        build_base "$language" "$version" "$suite" "$packages" "$image" "$recipe"
        echo "---> $image: $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}') in $((SECONDS - start)) s"
    done <<<"$rows"
}

main
