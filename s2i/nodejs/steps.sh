# shellcheck shell=bash disable=SC2034  # LANGUAGE_* and INSTALLED_NOW are read by lib/contract.sh
# NodeJS's steps of the Seldon builder contract (installed as lib/steps.sh next to lib/contract.sh;
# s2i/README.md lists what a language defines). The runtime is the NodeJS wrapper in
# /opt/seldon/wrapper; the app's npm packages are installed in /opt/seldon/deps (outside the source,
# so the driver's dependency layer keeps them) and linked as /microservice/node_modules.
#
# Build-time knobs:
#   NPM_CONFIG_REGISTRY (and any NPM_CONFIG_*), the source's .npmrc   honoured by npm
#
# Cache entries (save-artifacts): npm/ (npm's content-addressed cache of the downloaded tarballs).

# --- State ------------------------------------------------------------------------------------
NODE_DIR=/opt/seldon/node
WRAPPER_DIR=/opt/seldon/wrapper
DEPS_DIR=/opt/seldon/deps
DEPENDENCY_FILES="package.json package-lock.json npm-shrinkwrap.json .npmrc"
LANGUAGE_API_TYPES="REST GRPC"
LANGUAGE_PROTOCOLS="v1"            # PROTOCOL in .s2i/environment: only Seldon v1 (the Open Inference V2 is Python's so far)
LANGUAGE_MODEL_NAME_EXAMPLE="<YourModel>.js (the file that exports your model class)"
LANGUAGE_INSTALL_DIRS=$DEPS_DIR
INSTALLER=npm
# npm's debug logs go to /tmp, not into the cache the image keeps.
export NPM_CONFIG_CACHE="$CACHE_DIR/npm" NPM_CONFIG_LOGS_DIR=/tmp/npm-logs

# --- assemble: before the install -------------------------------------------------------------
language_check_builder() {
    [ -x "$NODE_DIR/bin/node" ] || fail "$NODE_DIR/bin/node is missing: assemble runs inside a Seldon NodeJS builder image"
}

language_cleanup() { :; }

# What the cached tarballs depend on: npm's cache holds registry tarballs by integrity, valid for any
# Node.js, but a different npm may lay it out differently.
language_cache_key() {
    printf 'node=%s npm=%s platform=%s\n' "$(node --version)" "$(npm --version)" "$(uname -m)"
}

language_has_cache() { [ -d "$1/npm" ]; }

language_restore_cache() {
    rm -rf "${CACHE_DIR:?}/npm"
    mv "$1/npm" "$CACHE_DIR/npm"
}

language_prepare_cache() { mkdir -p "$CACHE_DIR/npm"; }

language_trust_ca() { export NODE_EXTRA_CA_CERTS=$1; }

language_prepare_install() { :; }

# --- assemble: the install --------------------------------------------------------------------
# The dependency files of DIR copied into $DEPS_DIR (an old set removed first).
stage_dependency_files() {
    local dir=$1 name
    for name in $DEPENDENCY_FILES; do rm -f "${DEPS_DIR:?}/$name"; done
    for name in $DEPENDENCY_FILES; do
        if [ -f "$dir/$name" ]; then cp "$dir/$name" "$DEPS_DIR/$name"; fi
    done
}

# npm ci with a lock file (exact, integrity-checked), npm install without one (writing no
# package-lock.json into $DEPS_DIR, which would make the application phase's copy differ from the
# dependency layer's and install again); offline-first when the previous image's cache is here.
# Install scripts run (native addons need them).
npm_install() {
    local command=install flags=(--omit=dev --no-audit --no-fund)
    if [ -f "$DEPS_DIR/package-lock.json" ] || [ -f "$DEPS_DIR/npm-shrinkwrap.json" ]; then
        command=ci
    else
        flags+=(--no-package-lock)
    fi
    if [ "$CACHE_RESTORED" = 1 ]; then flags+=(--prefer-offline); fi
    banner "Installing package.json with npm $command"
    (cd "$DEPS_DIR" && npm "$command" "${flags[@]}") ||
        fail "npm $command failed (npm says why above): check package.json, package-lock.json and the registry (.npmrc, NPM_CONFIG_REGISTRY)"
}

# The dependencies phase: the dependency files alone (the driver uploads nothing else).
language_install_dependency_files() {
    if [ -f "$SRC_DIR/package.json" ]; then
        stage_dependency_files "$SRC_DIR"
        npm_install
    else
        banner "No package.json: dependencies are installed with the application"
    fi
    cd / && rm -rf "$SRC_DIR"
}

# Same dependency files as the dependency layer's copies?
dependency_files_unchanged() {
    local name
    for name in $DEPENDENCY_FILES; do
        if [ -f "$APP_DIR/$name" ] || [ -f "$DEPS_DIR/$name" ]; then
            cmp -s "$APP_DIR/$name" "$DEPS_DIR/$name" || return 1
        fi
    done
}

link_node_modules() {
    if [ -e "$APP_DIR/node_modules" ] && [ ! -L "$APP_DIR/node_modules" ]; then
        warn "the source's node_modules is replaced by the packages installed from package.json"
        rm -rf "$APP_DIR/node_modules"
    fi
    ln -sfn "$DEPS_DIR/node_modules" "$APP_DIR/node_modules"
}

language_install_dependencies() {
    if [ ! -f "$APP_DIR/package.json" ]; then
        banner "No package.json: nothing to install"
        return 0
    fi
    if [ "$PHASE" = application ] && [ -d "$DEPS_DIR/node_modules" ] && dependency_files_unchanged; then
        banner "package.json is installed in the dependency layer"
    else
        stage_dependency_files "$APP_DIR"
        npm_install
        INSTALLED_NOW=1
    fi
    mkdir -p "$DEPS_DIR/node_modules"
    link_node_modules
}

# --- assemble: after the install --------------------------------------------------------------
# Load the model file the way the server will (the wrapper's loader), without constructing it, so a
# syntax error, a missing module or a missing export fails the build rather than the first start.
language_check_model() {
    banner "Checking that MODEL_NAME=$MODEL_NAME loads"
    cd "$APP_DIR" || exit 1
    node "$WRAPPER_DIR/bin/check-model.js" "$MODEL_NAME" ||
        fail "MODEL_NAME=$MODEL_NAME does not load from $APP_DIR (see above): check .s2i/environment, the file and package.json"
}

# One row per installed npm package (the app's and the wrapper's) and their licence texts.
language_licence_report() {
    node "$WRAPPER_DIR/bin/licence-report.js" "$1" "$DEPS_DIR/node_modules" "$WRAPPER_DIR/node_modules"
}

# --- save-artifacts ---------------------------------------------------------------------------
language_save_cache() {
    echo "---> Saving the npm cache ($(du -sh npm | cut -f1))" >&2
    tar -cf - key npm
}

# --- run --------------------------------------------------------------------------------------
language_start() {
    local args=("$MODEL_NAME" --service-type "$SERVICE_TYPE")
    if [ -n "${PERSISTENCE:-}" ]; then args+=(--persistence "$PERSISTENCE"); fi
    exec node "$WRAPPER_DIR/bin/microservice.js" "${args[@]}"
}

# --- usage ------------------------------------------------------------------------------------
language_version() { echo "Node.js $(node --version | tr -d v), npm $(npm --version)"; }

language_usage_source() {
    cat <<'USAGE'
The source needs the model file (e.g. MyModel.js: class MyModel { async init() {...}
predict(X, names) {...} } module.exports = MyModel;), optionally package.json (with
package-lock.json: npm ci), and .s2i/environment:

    MODEL_NAME=MyModel.js       the file exporting the model class (MyModel works too)
USAGE
}

language_usage_api_type() {
    echo "    API_TYPE=REST               REST (on 5000), GRPC (on 5000), or REST,GRPC (REST 9000, gRPC 5000)"
}

language_usage_build_settings() {
    cat <<'USAGE'
    NPM_CONFIG_REGISTRY, .npmrc   the npm registry and its settings
USAGE
}
