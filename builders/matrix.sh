# shellcheck shell=bash
# Sourced by the builder scripts: reads builders/versions (the matrix) into shell variables.
#
#   matrix_rows            prints the matrix rows selected by $VERSIONS (all rows when empty),
#                          as "python suite glibc image aliases"; fails on an unknown version.
#   base_image_for PY SUITE   the image the builder is built FROM, chosen by $BASE:
#                          debian (default) -> seldon-base:debian-SUITE-pyPY (builders/base)
#                          slim             -> python:PY-slim (needs an image registry)

MATRIX_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/versions"

matrix_rows() {
    local rows wanted v
    rows=$(grep -Ev '^[[:space:]]*(#|$)' "$MATRIX_FILE")
    if [ -z "${VERSIONS:-}" ]; then
        printf '%s\n' "$rows"
        return
    fi
    for v in ${VERSIONS//,/ }; do
        wanted=$(awk -v v="$v" '$1 == v' <<<"$rows")
        if [ -z "$wanted" ]; then
            echo "ERROR: Python $v is not in the builder matrix $MATRIX_FILE" >&2
            return 1
        fi
        printf '%s\n' "$wanted"
    done
}

base_image_for() {
    local python=$1 suite=$2
    case "${BASE:-debian}" in
        debian) echo "seldon-base:debian-${suite}-py${python}" ;;
        slim) echo "python:${python}-slim" ;;
        *) echo "ERROR: BASE must be 'debian' or 'slim', not '${BASE}'" >&2; return 1 ;;
    esac
}
