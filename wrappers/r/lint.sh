#!/usr/bin/env bash
# lintr (configured in .lintr) on the R wrapper, the R conformance models and the R test apps.
#
# lintr comes from Debian (r-cran-lintr, the suite of the r rows of builders/matrix), in an image of
# its own bootstrapped with mmdebstrap like builders/base (no image registry needed) and cached: it is
# rebuilt only when this script changes (its hash is the image's label). Needs a Docker engine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGE=seldon-lint:r
SUITE=trixie
PACKAGES=r-base-core,r-cran-lintr
RECIPE_LABEL=io.github.seldon-s2i.lint.recipe
recipe=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
DIRS=(wrappers/r test/conformance/models/r test/apps/r)

ensure_image() {
    local have
    have=$(docker image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$IMAGE" 2>/dev/null || true)
    [ "$have" = "$recipe" ] && return 0
    command -v mmdebstrap >/dev/null || {
        echo "ERROR: mmdebstrap is missing: apt-get install mmdebstrap (or run make build first)" >&2
        exit 1
    }
    echo "---> Bootstrapping Debian $SUITE ($PACKAGES) into $IMAGE"
    mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
        --hook-dir=/usr/share/mmdebstrap/hooks/maybe-merged-usr \
        --aptopt='APT::Install-Recommends "false"' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
        "$SUITE" - | docker import --change "LABEL $RECIPE_LABEL=$recipe" --change 'ENV LANG=C.UTF-8' - "$IMAGE" >/dev/null
}

main() {
    ensure_image
    docker run --rm --network none -v "$root:/src:ro" -w /src "$IMAGE" Rscript -e '
        lints <- do.call(c, lapply(commandArgs(trailingOnly = TRUE), lintr::lint_dir))
        for (lint in lints) cat(sprintf("%s:%d:%d: %s [%s]\n", lint$filename, lint$line_number, lint$column_number,
                                        lint$message, lint$linter))
        cat(sprintf("---> lintr: %d problem(s)\n", length(lints)))
        quit(status = if (length(lints) > 0) 1 else 0)
    ' "${DIRS[@]}"
}

main
