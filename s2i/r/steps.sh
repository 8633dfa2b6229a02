# shellcheck shell=bash disable=SC2034  # LANGUAGE_* and INSTALLED_NOW are read by lib/contract.sh
# R's steps of the Seldon builder contract (installed as lib/steps.sh next to lib/contract.sh;
# s2i/README.md lists what a language defines). The runtime is the R wrapper in $WRAPPER_DIR on
# Debian's R and R packages; the app's own packages go to a user library inside the app
# ($R_USER_LIB), which save-artifacts hands to the next --incremental build.
#
# Build-time knobs:
#   R_REPOS   the package repositories install.R's install.packages() uses (comma-separated
#             URLs; default CRAN's cloud mirror, https://cloud.r-project.org)
#
# Cache entries (save-artifacts): library/ (the user library; $CACHE_DIR/library links to it).

# --- State ------------------------------------------------------------------------------------
WRAPPER_DIR=/opt/seldon/r-wrapper
R_USER_LIB=$APP_DIR/.R/library
DEFAULT_R_REPOS=https://cloud.r-project.org
LANGUAGE_API_TYPES="REST"
LANGUAGE_PROTOCOLS="v1"            # PROTOCOL in .s2i/environment: only Seldon v1 (the Open Inference V2 is Python's so far)
LANGUAGE_MODEL_NAME_EXAMPLE="<YourModel>.R (the R file defining initialise_seldon)"
LANGUAGE_INSTALL_DIRS=$R_USER_LIB
INSTALLER=install.R
export R_LIBS_USER=$R_USER_LIB

# --- assemble: before the install -------------------------------------------------------------
language_check_builder() {
    if [ ! -f "$WRAPPER_DIR/microservice.R" ] || ! command -v Rscript >/dev/null; then
        fail "Rscript or $WRAPPER_DIR/microservice.R is missing: assemble runs inside a Seldon R builder image"
    fi
}

language_cleanup() { :; }

# What an installed user package depends on: R's version, the machine and Debian's R packages.
language_cache_key() {
    printf 'r=%s platform=%s debian-r-packages=%s\n' \
        "$(Rscript -e 'cat(as.character(getRversion()))')" \
        "$(uname -m)" \
        "$(dpkg-query -W -f '${Package}=${Version}\n' 'r-*' 2>/dev/null | sha256sum | cut -c1-16)"
}

language_has_cache() { [ -d "$1/library" ]; }

language_restore_cache() {
    mkdir -p "$(dirname "$R_USER_LIB")"
    rm -rf "$R_USER_LIB"
    mv "$1/library" "$R_USER_LIB"
}

language_prepare_cache() {
    mkdir -p "$R_USER_LIB"
    ln -sfn "$R_USER_LIB" "$CACHE_DIR/library"
}

# R downloads with libcurl, which reads CURL_CA_BUNDLE.
language_trust_ca() { export CURL_CA_BUNDLE=$1 SSL_CERT_FILE=$1; }

language_prepare_install() { R_REPOS=${R_REPOS:-$DEFAULT_R_REPOS}; }

# seldon-s2i's dependency layer is not used for R (the builder declares no dependency files):
# install.R runs with the whole source, as in the original wrapper.
language_install_dependency_files() { banner "install.R runs with the application"; }

# install.R, run from the app with the repositories of R_REPOS. A package that fails to download
# or install is an error (install.packages only warns). After an incremental restore, packages
# already in the user library are kept, not installed again.
language_install_dependencies() {
    cd "$APP_DIR" || exit 1
    if [ ! -f install.R ]; then
        banner "No install.R: nothing to install"
        return 0
    fi
    banner "Running install.R (repositories: $R_REPOS)"
    mkdir -p "$R_USER_LIB"
    SELDON_CACHE_RESTORED=$CACHE_RESTORED R_REPOS=$R_REPOS Rscript --no-save --no-restore "$WRAPPER_DIR/install.R" ||
        fail "install.R failed (R's message above): check the package names and R_REPOS=$R_REPOS"
    INSTALLED_NOW=1
}

# --- assemble: after the install --------------------------------------------------------------
# Source MODEL_NAME the way the server will, so a parse error or a missing initialise_seldon
# fails the build with R's message.
language_check_model() {
    banner "Checking that MODEL_NAME=$MODEL_NAME loads"
    cd "$APP_DIR" || exit 1
    Rscript --no-save --no-restore "$WRAPPER_DIR/microservice.R" --check "$MODEL_NAME" ||
        fail "MODEL_NAME=$MODEL_NAME does not load from $APP_DIR (R's message above): check the file name and install.R"
}

# One row per installed R package (name, version, licence, library) in license_info.csv, plus
# the licence field of each in license.txt.
language_licence_report() {
    # shellcheck disable=SC2016  # R code, not shell
    Rscript --no-save --no-restore -e '
        out <- commandArgs(trailingOnly = TRUE)[1]
        pkgs <- installed.packages(fields = "License")
        rows <- data.frame(Name = pkgs[, "Package"], Version = pkgs[, "Version"], License = pkgs[, "License"], Library = pkgs[, "LibPath"])
        rows <- rows[order(tolower(rows$Name)), ]
        write.csv(rows, file.path(out, "license_info.csv"), row.names = FALSE)
        writeLines(sprintf("==== %s %s: %s", rows$Name, rows$Version, rows$License), file.path(out, "license.txt"))
    ' "$1"
}

# --- save-artifacts ---------------------------------------------------------------------------
language_save_cache() {
    echo "---> Saving the user R library ($(du -shL library | cut -f1))" >&2
    tar -chf - key library
}

# --- run --------------------------------------------------------------------------------------
# R has no SIGTERM handler (and as PID 1 would ignore SIGTERM): this shell stays as PID 1 and, on
# SIGTERM, creates SELDON_STOP_FILE, which the server checks between requests: it sends the answer
# in progress and exits 0. Where /tmp is not writable it falls back to SIGINT (R's interrupt).
language_start() {
    local pid status stop_file
    stop_file=$(mktemp -u /tmp/seldon-r-stop.XXXXXX)
    # A background job of a non-interactive shell starts with SIGINT ignored: reset it first.
    (
        trap - INT
        SELDON_STOP_FILE=$stop_file exec Rscript --no-save --no-restore "$WRAPPER_DIR/microservice.R" \
            "$MODEL_NAME" --service-type "$SERVICE_TYPE"
    ) &
    pid=$!
    trap 'touch "$stop_file" 2>/dev/null || kill -INT "$pid" 2>/dev/null' TERM
    trap 'kill -INT "$pid" 2>/dev/null' INT
    status=0
    wait "$pid" || status=$?
    while kill -0 "$pid" 2>/dev/null; do # wait was interrupted by a trap: wait for the exit
        status=0
        wait "$pid" || status=$?
    done
    rm -f "$stop_file"
    exit "$status"
}

# --- usage ------------------------------------------------------------------------------------
language_version() { Rscript -e 'cat(R.version.string)'; }

language_usage_source() {
    cat <<'USAGE'
The source needs the model (e.g. MyModel.R defining initialise_seldon <- function(params) returning an
S3 object, and predict.<class>(obj, newdata) for it), optionally install.R, and .s2i/environment:

    MODEL_NAME=MyModel.R        the R file
USAGE
}

language_usage_api_type() {
    echo "    API_TYPE=REST               REST only (on 5000); this builder has no gRPC"
}

language_usage_build_settings() {
    cat <<'USAGE'
    R_REPOS       repositories for install.R's install.packages() (default https://cloud.r-project.org)
USAGE
}
