# shellcheck shell=bash disable=SC2034  # CACHE_RESTORED is read by the language's steps
# The contract every Seldon builder shares, whatever its language (sourced by the entry points
# assemble, run, save-artifacts and usage; the language's own steps are in lib/steps.sh).
#
# Here: where things live, banners and the one-line errors, the .s2i/environment checks
# (MODEL_NAME, SERVICE_TYPE, API_TYPE, PERSISTENCE), the dependency cache's key handshake,
# moving the source into place, the build-only CA bundle, the licence report's location and the
# group-writable app. See s2i/README.md for the functions a language defines.

# --- State: the image layout, the same in every builder -------------------------------------
APP_DIR=/microservice
SRC_DIR=/tmp/src
ARTIFACTS_DIR=/tmp/artifacts
CACHE_DIR=/opt/seldon/cache            # handed to the next build by save-artifacts (key + the language's entries)
LAYER_DIR=/opt/seldon/layer            # what the dependencies phase installed from, and its licences
LICENSES_DIR=$LAYER_DIR/licenses
SERVICE_TYPES="MODEL ROUTER TRANSFORMER OUTPUT_TRANSFORMER COMBINER OUTLIER_DETECTOR"

# --- Output -----------------------------------------------------------------------------------
banner() { echo "---> $*"; }
warn() { echo "WARNING: $*" >&2; }
fail() { echo "ERROR: $*" >&2; exit 1; }

# The API_TYPE a source gets when it sets none: every API the language serves (REST,GRPC).
default_api_type() { local types=${LANGUAGE_API_TYPES:?}; echo "${types// /,}"; }

# --- .s2i/environment -------------------------------------------------------------------------
# s2i keeps quotes in .s2i/environment literally (MODEL_NAME="MyModel" is the 9 characters
# "MyModel" with quotes); say so instead of failing later with a puzzling error.
check_unquoted() {
    case "$2" in
        *\"* | *\'*) fail "$1=$2 contains quotes; s2i keeps quotes in .s2i/environment literally. Write $1=${2//[\"\']/}" ;;
    esac
}

# "REST, GRPC or both (REST,GRPC)" for a language serving both, "REST" for one serving REST only.
expected_api_types() {
    local types
    read -ra types <<<"${LANGUAGE_API_TYPES:?}"
    case ${#types[@]} in
        1) echo "${types[0]}" ;;
        *) echo "${types[0]}, ${types[1]} or both ($(default_api_type))" ;;
    esac
}

check_api_type() {
    local api apis
    IFS=',' read -ra apis <<<"$API_TYPE"
    for api in "${apis[@]}"; do
        api=$(echo "$api" | tr -d '[:space:]' | tr '[:lower:]' '[:upper:]')
        case " $LANGUAGE_API_TYPES " in
            *" $api "*) ;;
            *) fail "API_TYPE=$API_TYPE: expected $(expected_api_types) (set in .s2i/environment)" ;;
        esac
    done
}

# PROTOCOL (optional): one of the language's LANGUAGE_PROTOCOLS (default: v1 only), any case. A
# builder serving v1 only says so when asked for the Open Inference protocol (v2 or both).
check_protocol() {
    local protocols=${LANGUAGE_PROTOCOLS:-v1} protocol
    protocol=$(echo "$PROTOCOL" | tr '[:upper:]' '[:lower:]')
    case " $protocols " in
        *" $protocol "*) return 0 ;;
    esac
    case "$protocols:$protocol" in
        v1:v2 | v1:both) fail "PROTOCOL=$PROTOCOL: this builder serves the Seldon protocol (v1) only, not the Open Inference (V2) protocol: remove PROTOCOL from .s2i/environment or set PROTOCOL=v1" ;;
        *) fail "PROTOCOL=$PROTOCOL is not one of ${protocols// /, } (set in .s2i/environment)" ;;
    esac
}

validate_settings() {
    banner "Checking MODEL_NAME, SERVICE_TYPE, API_TYPE, PROTOCOL and PERSISTENCE"
    [ -n "${MODEL_NAME:-}" ] ||
        fail "MODEL_NAME is not set: add a line MODEL_NAME=$LANGUAGE_MODEL_NAME_EXAMPLE to .s2i/environment"
    check_unquoted MODEL_NAME "$MODEL_NAME"
    [ -n "${SERVICE_TYPE:-}" ] ||
        fail "SERVICE_TYPE is not set: add a line SERVICE_TYPE=MODEL (one of ${SERVICE_TYPES// /, }) to .s2i/environment"
    check_unquoted SERVICE_TYPE "$SERVICE_TYPE"
    case " $SERVICE_TYPES " in
        *" $SERVICE_TYPE "*) ;;
        *) fail "SERVICE_TYPE=$SERVICE_TYPE is not one of ${SERVICE_TYPES// /, } (set in .s2i/environment)" ;;
    esac
    if [ -n "${API_TYPE:-}" ]; then check_api_type; fi
    if [ -n "${PROTOCOL:-}" ]; then check_unquoted PROTOCOL "$PROTOCOL" && check_protocol; fi
    # V2 only: a service type with no Open Inference meaning would answer every request 400.
    if [ "$(echo "${PROTOCOL:-}" | tr '[:upper:]' '[:lower:]')" = v2 ]; then
        case "$SERVICE_TYPE" in
            MODEL | TRANSFORMER | OUTPUT_TRANSFORMER) ;;
            *) fail "PROTOCOL=$PROTOCOL with SERVICE_TYPE=$SERVICE_TYPE: the Open Inference (V2) protocol has no meaning for a $SERVICE_TYPE (only MODEL, TRANSFORMER and OUTPUT_TRANSFORMER infer): set PROTOCOL=both (V2 beside v1) or v1" ;;
        esac
    fi
    if [ -n "${PERSISTENCE:-}" ] && [ "$PERSISTENCE" != 0 ]; then
        warn "PERSISTENCE=$PERSISTENCE is ignored: state persistence was removed in seldon-core 1.5"
    fi
}

# run's checks: the image may be started with settings other than the build's (-e ...).
require_run_settings() {
    local name
    for name in MODEL_NAME SERVICE_TYPE; do
        [ -n "${!name:-}" ] || fail "$name is not set (.s2i/environment or -e $name=...)"
    done
    # A v1-only language's wrapper does not read PROTOCOL: `docker run -e PROTOCOL=v2` must not
    # silently serve v1 (the Python runtime checks its own value, in its own words).
    if [ -n "${PROTOCOL:-}" ] && [ "${LANGUAGE_PROTOCOLS:-v1}" = v1 ]; then
        check_protocol
    fi
}

# --- The dependency cache (incremental builds) ------------------------------------------------
# The previous image's cache (save-artifacts: key + the language's entries) is taken only when
# it was built for the same key (language_cache_key); else it is thrown away, with a banner.
restore_cache() {
    local key
    key=$(language_cache_key)
    if [ -f "$ARTIFACTS_DIR/key" ] && language_has_cache "$ARTIFACTS_DIR"; then
        if [ "$(cat "$ARTIFACTS_DIR/key")" = "$key" ]; then
            banner "Restoring the dependency cache of the previous image"
            language_restore_cache "$ARTIFACTS_DIR"
            CACHE_RESTORED=1
        else
            banner "Discarding the previous image's dependency cache: it was built for"
            echo "       $(cat "$ARTIFACTS_DIR/key")"
            echo "       and this builder is $key"
        fi
    fi
    rm -rf "$ARTIFACTS_DIR"
    language_prepare_cache
    echo "$key" >"$CACHE_DIR/key"
}

# --- The source -------------------------------------------------------------------------------
place_source() {
    banner "Moving the application source into $APP_DIR"
    [ -d "$SRC_DIR" ] || fail "no source in $SRC_DIR (is the builder's io.openshift.s2i.destination /tmp?)"
    local entries=("$SRC_DIR"/*)
    if [ ${#entries[@]} -gt 0 ]; then mv "${entries[@]}" "$APP_DIR"/; fi
    rm -rf "$SRC_DIR"
}

# --- CAs for this build only ------------------------------------------------------------------
# Gather CA_BUNDLE (a file, or the non-empty files of a directory) plus the system CAs into one
# temporary bundle (removed by the EXIT trap); language_trust_ca points its tools at it.
trust_extra_cas() {
    local source=${CA_BUNDLE:-/tmp/ca} files=() f
    if [ -f "$source" ]; then
        [ -s "$source" ] && files=("$source")
    elif [ -d "$source" ]; then
        while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$source" -maxdepth 1 -type f -size +0 -print0 | sort -z)
    elif [ -n "${CA_BUNDLE:-}" ]; then
        fail "CA_BUNDLE=$CA_BUNDLE: no such file or directory in the build container (inject it: s2i build -i <file>:/tmp/ca)"
    fi
    [ ${#files[@]} -gt 0 ] || return 0
    CA_TEMP=$(mktemp /tmp/seldon-s2i-ca.XXXXXX)
    cat /etc/ssl/certs/ca-certificates.crt "${files[@]}" >"$CA_TEMP" 2>/dev/null || cat "${files[@]}" >"$CA_TEMP"
    language_trust_ca "$CA_TEMP"
    banner "Trusting ${#files[@]} extra CA file(s) from $source for this build only"
}

# --- After the install ------------------------------------------------------------------------
# The report of the dependencies phase is copied when the application phase installed nothing.
write_licence_report() {
    local target=$1
    if [ "$PHASE" = application ] && [ "$INSTALLED_NOW" = 0 ] && [ -d "$LICENSES_DIR" ]; then
        banner "Copying the licence report of the dependency layer to $target"
        mkdir -p "$target" && cp -R "$LICENSES_DIR"/. "$target"/
        return 0
    fi
    banner "Writing the licence report to $target"
    mkdir -p "$target"
    language_licence_report "$target"
}

# The source came in through s2i's tar (not under our umask): align its group bits. In the
# language's install directories and the cache only touch what this build created (changed since
# START_MARK): a chmod of an unchanged file from the builder's layer would copy the whole file
# into the app's layer.
fix_permissions() {
    banner "Making $APP_DIR and what was installed group-writable (any UID in group 0 can run the image)"
    # Only what assemble's user owns: s2i injects files as the host's user (root, mode 0666), and
    # `-i FILE` with no destination puts FILE in the WORKDIR, $APP_DIR.
    find "$APP_DIR" -user "$(id -u)" -exec chmod g=u {} +
    if [ "$PHASE" = application ] && [ "$INSTALLED_NOW" = 0 ]; then return 0; fi
    # shellcheck disable=SC2086  # LANGUAGE_INSTALL_DIRS is a list of paths without spaces
    find $LANGUAGE_INSTALL_DIRS "$CACHE_DIR" "$LAYER_DIR" -cnewer "$START_MARK" ! -perm -g=w -exec chmod g=u {} + 2>/dev/null ||
        warn "some installed files could not be made group-writable"
}
