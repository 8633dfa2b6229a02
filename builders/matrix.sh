#!/usr/bin/env bash
# Print the rows of the builder matrix (builders/matrix) that LANGUAGES and VERSIONS select, as
#
#   language version suite glibc packages from image aliases
#
# where `from` is the image the builder is built FROM, chosen by BASE:
#   debian (default)  seldon-base:<the row's base> (bootstrapped by builders/base)
#   slim              the row's slim image (needs an image registry)
#
# LANGUAGES="python" and VERSIONS="3.11 3.13" (spaces or commas) narrow the matrix; empty means
# every row. A name that selects no row is an error: one ERROR: line on stderr, exit 1, no rows.
# Callers read the rows as `rows=$(builders/matrix.sh)` so that the error stops them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MATRIX=builders/matrix

fail() { echo "ERROR: $*" >&2; exit 1; }

# The rows whose column $1 is one of the words in $2 (all rows when $2 is empty); an unknown word fails.
select_rows() {
    local column=$1 wanted=$2 what=$3 rows=$4 word picked
    if [ -z "$wanted" ]; then printf '%s\n' "$rows"; return; fi
    for word in ${wanted//,/ }; do
        picked=$(awk -v c="$column" -v w="$word" '$c == w' <<<"$rows")
        [ -n "$picked" ] ||
            fail "$what $word is not in the builder matrix $MATRIX (it has: $(awk -v c="$column" '{print $c}' <<<"$rows" | sort -uV | xargs)); add a row there or choose another"
    done
    # In the matrix's order, each row once.
    awk -v c="$column" -v w=" ${wanted//,/ } " 'index(w, " " $c " ")' <<<"$rows"
}

from_image() {
    local base=$1 slim=$2
    if [ "${BASE:-debian}" = slim ]; then echo "$slim"; else echo "seldon-base:$base"; fi
}

main() {
    local rows language version suite glibc packages base slim image aliases
    case "${BASE:-debian}" in
        debian | slim) ;;
        *) fail "BASE must be 'debian' or 'slim', not '${BASE}'" ;;
    esac
    rows=$(grep -Ev '^[[:space:]]*(#|$)' "$root/$MATRIX")
    rows=$(select_rows 1 "${LANGUAGES:-}" language "$rows")
    rows=$(select_rows 2 "${VERSIONS:-}" "${LANGUAGES:+${LANGUAGES// /,} }version" "$rows")
    # A row without a slim image ("-", e.g. R: its packages come from Debian) has no BASE=slim build.
    if [ "${BASE:-debian}" = slim ]; then
        awk '$7 == "-" {print "---> BASE=slim: " $8 " has no slim image; skipped"}' <<<"$rows" >&2
        rows=$(awk '$7 != "-"' <<<"$rows")
        [ -n "$rows" ] || fail "BASE=slim: no selected row of $MATRIX has a slim image; build these with BASE=debian"
    fi
    while read -r language version suite glibc packages base slim image aliases; do
        echo "$language $version $suite $glibc $packages $(from_image "$base" "$slim") $image $aliases"
    done <<<"$rows"
}

main
