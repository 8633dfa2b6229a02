# shellcheck shell=bash disable=SC2034  # LANGUAGE_* and INSTALLED_NOW are read by lib/contract.sh
# Python's steps of the Seldon builder contract (installed as lib/steps.sh next to lib/contract.sh;
# s2i/README.md lists what a language defines). The runtime is the seldon-s2i package in the
# builder's virtualenv; the user's dependencies go into the same virtualenv.
#
# Build-time knobs:
#   PIP_* and pip's configuration files (pip.conf)
#                          honoured by both installers: pip reads them, and they are translated
#                          for uv (pip_settings_for_uv), which hands over to pip for a setting it
#                          has no equivalent for
#   EXTRA_INDEX_URL        the reference builder's name for one more extra index
#   SELDON_S2I_INSTALLER   uv (default) or pip
#
# Cache entries (save-artifacts): uv/ (uv's cache: the unpacked packages) and pyc/<path in the
# venv> (the bytecode the build compiled, which uv does not cache).

# --- State ------------------------------------------------------------------------------------
VENV=/opt/seldon/venv
RUNTIME_LOCK=/opt/seldon/runtime-lock.txt
PYC_STASH=/tmp/seldon-s2i-pyc          # the previous image's bytecode, until the install is done
LANGUAGE_API_TYPES="REST GRPC"
LANGUAGE_PROTOCOLS="v1 v2 both"   # PROTOCOL in .s2i/environment: Seldon v1, Open Inference (V2), or both
LANGUAGE_MODEL_NAME_EXAMPLE="<YourClass> (or package.module.Class)"
LANGUAGE_INSTALL_DIRS=$VENV
INSTALLER=uv

# uv keeps its cache next to the virtualenv (same filesystem), so packages are hardlinked, not
# copied, into the venv: the cache costs the image next to nothing and the next build reuses it.
# Bytecode is compiled after the install by compile_bytecode, not by uv (see there).
export UV_CACHE_DIR="$CACHE_DIR/uv" UV_COMPILE_BYTECODE=0 UV_NO_PROGRESS=1

# Options and paths that point at other files of the source (-r other.txt, -e ., ./pkg, file:,
# wheels/x.whl): such a requirements.txt cannot be installed without the rest of the source.
LOCAL_REFERENCE='^[[:space:]]*(-r|-c|-e|-f|--requirement|--constraint|--editable|--find-links|[.]|/|~|file:)|@[[:space:]]*([.]|/|file:)|^[^#:]*/|^[^#:]*[.](whl|tar[.]gz|zip)([[:space:];#]|$)'

# --- assemble: before the install -------------------------------------------------------------
language_check_builder() {
    [ -x "$VENV/bin/python" ] || fail "$VENV/bin/python is missing: assemble runs inside a Seldon builder image"
}

language_cleanup() { rm -rf "$PYC_STASH"; }

# What a cached wheel or unpacked package depends on. A cache from a different Python, platform,
# installer or runtime environment is thrown away instead of being trusted.
language_cache_key() {
    local python_version libc
    read -r python_version libc < <(python -c 'import platform; print(platform.python_version(), "-".join(platform.libc_ver()))')
    printf 'python=%s platform=%s libc=%s uv=%s runtime-lock=%s\n' \
        "$python_version" \
        "$(uname -m)" \
        "$libc" \
        "$(uv --version 2>/dev/null | cut -d' ' -f2 || echo none)" \
        "$(sha256sum <"$RUNTIME_LOCK" | cut -c1-16)"
}

language_has_cache() { [ -d "$1/uv" ]; }

language_restore_cache() {
    rm -rf "${CACHE_DIR:?}/uv"
    mv "$1/uv" "$CACHE_DIR/uv"
    if [ -d "$1/pyc" ]; then mv "$1/pyc" "$PYC_STASH"; fi
}

language_prepare_cache() { mkdir -p "$CACHE_DIR/uv"; }

language_trust_ca() { export SSL_CERT_FILE=$1 PIP_CERT=$1 REQUESTS_CA_BUNDLE=$1; }

language_prepare_install() {
    # pip's user configuration (~/.config/pip/pip.conf, ~/.pip/pip.conf) may come with the source,
    # HOME being the app directory; in the dependencies phase the source is still in $SRC_DIR.
    if [ "$PHASE" = dependencies ]; then export HOME=$SRC_DIR; fi
    pick_installer
}

# Before the first install (and its banner): pip's settings are read only when something is
# installed, as `pip config list` takes ~0.3 s, half of a code-only rebuild.
PIP_SETTINGS_READ=0
settle_installer() {
    if [ "$PIP_SETTINGS_READ" = 1 ]; then return 0; fi
    PIP_SETTINGS_READ=1
    if [ "$INSTALLER" = uv ]; then pip_settings_for_uv; fi
}

pick_installer() {
    case "${SELDON_S2I_INSTALLER:-uv}" in
        uv) command -v uv >/dev/null || { warn "uv is missing from the builder; using pip"; INSTALLER=pip; } ;;
        pip) INSTALLER=pip ;;
        *) fail "SELDON_S2I_INSTALLER=$SELDON_S2I_INSTALLER: expected uv or pip" ;;
    esac
    # The reference builder's EXTRA_INDEX_URL is one more extra index, for either installer.
    if [ -n "${EXTRA_INDEX_URL:-}" ]; then
        export PIP_EXTRA_INDEX_URL="${PIP_EXTRA_INDEX_URL:+$PIP_EXTRA_INDEX_URL }$EXTRA_INDEX_URL"
    fi
}

# pip's own settings for uv. pip reads them (`pip config list`: every PIP_* variable and every
# configuration file pip reads: PIP_CONFIG_FILE, /etc/pip.conf, /etc/xdg/pip/pip.conf,
# ~/.config/pip/pip.conf, ~/.pip/pip.conf, $VIRTUAL_ENV/pip.conf); PIP_SETTINGS_AS_UV (below)
# translates them into uv's arguments (UV_PIP_ARGS) and variables; a setting uv has no
# equivalent for switches this build to pip, with one line saying which.
UV_PIP_ARGS=()
pip_settings_for_uv() {
    local translated
    translated=$(python -m pip config list 2>/dev/null | python -c "$PIP_SETTINGS_AS_UV") ||
        fail "cannot read pip's settings (python -m pip config list failed): check PIP_* variables and pip.conf"
    eval "$translated"
}

# Reads `pip config list` on stdin; prints shell code: UV_PIP_ARGS+=(...), exports, or a switch
# to pip. Precedence as pip's: environment over the [install] section over [global].
# Extra indexes: pip takes the best version across all indexes; uv, by default, the first index
# that has the package, so pip's behaviour is asked for (--index-strategy unsafe-best-match).
PIP_SETTINGS_AS_UV=$(cat <<'PY'
import ast, re, shlex, sys

ARGS = {"index-url": "--index-url", "extra-index-url": "--extra-index-url", "find-links": "--find-links",
        "trusted-host": "--allow-insecure-host", "constraint": "--constraints",
        "only-binary": "--only-binary", "no-binary": "--no-binary"}
FLAGS = {"no-index": ["--no-index"], "pre": ["--prerelease", "allow"], "require-hashes": ["--require-hashes"],
         "no-build-isolation": ["--no-build-isolation"]}
VARIABLES = {"cert": ["SSL_CERT_FILE"], "client-cert": ["SSL_CLIENT_CERT"], "timeout": ["UV_HTTP_TIMEOUT"],
             "default-timeout": ["UV_HTTP_TIMEOUT"], "proxy": ["HTTPS_PROXY", "HTTP_PROXY"]}
# pip's output, cache and prompt knobs: nothing to do with what is installed, or from where.
IGNORED = {"no-cache-dir", "cache-dir", "disable-pip-version-check", "no-input", "quiet", "verbose",
           "progress-bar", "no-color", "root-user-action", "config-file", "retries", "log",
           "no-warn-script-location", "no-python-version-warning", "isolated", "python"}
RANK = {"global": 0, "install": 1, ":env:": 2}

def true(value):
    return value.strip().lower() in ("1", "true", "yes", "on")

settings = {}
for line in sys.stdin:
    match = re.match(r"([^.=]+|:env:)\.([^=]+)=(.*)$", line.strip())
    if not match or match.group(1) not in RANK:
        continue
    section, name, value = match.group(1), match.group(2), ast.literal_eval(match.group(3))
    if name not in settings or RANK[section] >= settings[name][0]:
        settings[name] = (RANK[section], value)

args, exports, unknown = [], [], []
for name, (_rank, value) in sorted(settings.items()):
    if name in ARGS:
        for item in value.replace(",", " ").split() if name.endswith("binary") else value.split():
            args += [ARGS[name], item]
    elif name in FLAGS:
        args += FLAGS[name] if true(value) else []
    elif name in VARIABLES:
        exports += [f"export {variable}={shlex.quote(value)}" for variable in VARIABLES[name]]
    elif name not in IGNORED:
        unknown.append(name)
if "extra-index-url" in settings:
    args += ["--index-strategy", "unsafe-best-match"]
if unknown:
    print(f"banner {shlex.quote('pip setting(s) ' + ', '.join(unknown) + ' have no uv equivalent: installing with pip')}")
    print("INSTALLER=pip")
else:
    print("\n".join(exports + [f"UV_PIP_ARGS+=({' '.join(shlex.quote(arg) for arg in args)})"]))
PY
)

# --- assemble: the install --------------------------------------------------------------------
# With the previous image's cache restored, uv first tries offline: unchanged requirements then
# install without touching the network (and keep the versions the previous image had, as an
# incremental build should). Anything the cache cannot satisfy falls back to the index.
install() {
    if [ "$INSTALLER" = uv ]; then
        if [ "$CACHE_RESTORED" = 1 ] &&
            uv pip install --offline --python "$VENV/bin/python" "${UV_PIP_ARGS[@]}" "$@" 2>/tmp/uv-offline.log; then
            cat /tmp/uv-offline.log && rm -f /tmp/uv-offline.log
            return 0
        fi
        rm -f /tmp/uv-offline.log
        uv pip install --python "$VENV/bin/python" "${UV_PIP_ARGS[@]}" "$@"
    else
        python -m pip install --no-cache-dir --disable-pip-version-check --no-input "$@"
    fi
}

# The dependencies phase: requirements.txt alone (the driver uploads nothing else).
language_install_dependency_files() {
    cd "$SRC_DIR" || exit 1
    if [ ! -f requirements.txt ]; then
        banner "No requirements.txt: dependencies are installed with the application"
    elif grep -v '^[[:space:]]*#' requirements.txt | grep -Eq "$LOCAL_REFERENCE"; then
        banner "requirements.txt refers to other files of the source: it is installed with the application"
    else
        install_requirements_txt
        finish_install
        cp requirements.txt "$LAYER_DIR/requirements.txt"
    fi
    cd / && rm -rf "$SRC_DIR"
}

site_packages_stamp() { stat -c '%.9Y' "$VENV"/lib/python*/site-packages; }

language_install_dependencies() {
    cd "$APP_DIR" || exit 1
    local before
    before=$(site_packages_stamp)
    if [ -f requirements.txt ] && [ "$PHASE" = application ] && cmp -s requirements.txt "$LAYER_DIR/requirements.txt"; then
        banner "requirements.txt is installed in the dependency layer"
        return 0
    elif [ -f requirements.txt ]; then
        install_requirements_txt
    elif [ -f pyproject.toml ] || [ -f setup.py ]; then
        settle_installer
        banner "Installing the project (pyproject.toml / setup.py) with $INSTALLER"
        install . || fail "installing the project failed (the installer says why above)"
    elif [ -f environment.yml ] || [ -f environment.yaml ]; then
        fail "conda environment.yml is not supported by this builder: list your pip dependencies in requirements.txt"
    else
        banner "No requirements.txt, pyproject.toml or setup.py: nothing to install"
        return 0
    fi
    # In the application phase the dependencies are normally in place already: when the install
    # changed nothing in site-packages (its mtime moves with every package added or removed),
    # there is nothing to compile, check or report again.
    if [ "$PHASE" = application ] && [ "$(site_packages_stamp)" = "$before" ]; then
        return 0
    fi
    INSTALLED_NOW=1
    finish_install
}

install_requirements_txt() {
    settle_installer
    banner "Installing requirements.txt with $INSTALLER"
    install -r requirements.txt || fail "installing requirements.txt failed (the installer says why above)"
}

# After anything was installed: bytecode (the previous image's first), then a consistency check.
finish_install() {
    restore_bytecode
    compile_bytecode
    check_conflicts
}

check_conflicts() {
    if [ "$INSTALLER" = uv ] && ! uv pip check --python "$VENV/bin/python" >/tmp/uv-check.log 2>&1; then
        warn "installed packages conflict with each other (the runtime may not start):"
        cat /tmp/uv-check.log >&2
    fi
    rm -f /tmp/uv-check.log
}

# Bytecode. The image ships compiled .pyc files for everything installed, so the served model
# starts as fast as it can (and does not depend on a writable venv at run time). Compiling a big
# dependency tree takes longer than installing it (scikit-learn + scipy: ~2000 files, 6-10 s),
# and uv's cache holds no .pyc. So save-artifacts hands the previous build's .pyc files over
# (pyc/), restore_bytecode puts them back beside the packages that are installed again, and
# compileall then compiles only what is missing or stale: a .pyc records its source's mtime
# (kept through the cache), so a changed file is recompiled, never trusted.
restore_bytecode() {
    [ -d "$PYC_STASH" ] || return 0
    local dir
    while IFS= read -r -d '' dir; do # drop the bytecode of packages that are not installed any more
        [ -d "$VENV/${dir%/__pycache__}" ] || rm -rf "${PYC_STASH:?}/$dir"
    done < <(cd "$PYC_STASH" && find . -type d -name __pycache__ -print0)
    banner "Restoring $(find "$PYC_STASH" -name '*.pyc' | wc -l) compiled files of the previous image"
    cp -Rn "$PYC_STASH"/. "$VENV"/ # new mtimes: save-artifacts hands them on again
}

# Like pip and uv, a file that does not compile (e.g. vendored Python 2 code) is left as it is.
# With the previous image's bytecode restored, little is left to compile and a serial pass is
# fastest (compileall's worker processes would cost seconds just to check 3000 fresh files).
compile_bytecode() {
    local jobs=0
    [ -d "$PYC_STASH" ] && jobs=1
    banner "Compiling bytecode"
    python -m compileall -qq -j"$jobs" "$VENV/lib" || true
}

# --- assemble: after the install --------------------------------------------------------------
# Import the model the way the runtime will (seldon_s2i.runtime.loader), from the app directory,
# so a missing dependency or a typo fails the build rather than the first container start.
language_check_model() {
    banner "Checking that MODEL_NAME=$MODEL_NAME imports"
    cd "$APP_DIR" || exit 1
    if ! python -c 'import sys; from seldon_s2i.runtime.loader import import_user_class; import_user_class(sys.argv[1])' "$MODEL_NAME"; then
        fail "MODEL_NAME=$MODEL_NAME does not import from $APP_DIR (traceback above): check the name and requirements.txt"
    fi
}

# One row per installed distribution (name, version, licence) in license_info.csv, plus the
# licence texts in license.txt.
language_licence_report() {
    python - "$1" <<'PY'
"""One row per installed distribution (name, version, licence), plus the licence texts."""
import csv, sys
from importlib import metadata
from pathlib import Path

out = Path(sys.argv[1])
dists = sorted(metadata.distributions(), key=lambda d: (d.metadata["Name"] or "").lower())
with open(out / "license_info.csv", "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["Name", "Version", "License"])
    for dist in dists:
        meta = dist.metadata
        classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
        licence = meta.get("License-Expression") or (meta.get("License") or "").splitlines()[0:1] or classifiers
        writer.writerow([meta["Name"], dist.version, licence if isinstance(licence, str) else "; ".join(licence)])
with open(out / "license.txt", "w") as f:
    for dist in dists:
        for file in dist.files or []:
            if any(part in file.name.upper() for part in ("LICENSE", "LICENCE", "COPYING", "NOTICE")):
                path = dist.locate_file(file)
                if path.is_file():
                    f.write(f"==== {dist.metadata['Name']} {dist.version}: {file}\n{path.read_text(errors='replace')}\n")
PY
}

# --- save-artifacts ---------------------------------------------------------------------------
# The tar of key, uv/ and pyc/ on stdout, from $CACHE_DIR. assemble wrote key before installing
# anything: the .pyc files not older than key are the ones this image's build compiled (the
# builder's own are older and stay out). Image layers keep whole seconds only, hence "newer than
# key's second minus one".
language_save_cache() {
    echo "---> Saving the dependency cache ($(du -sh uv | cut -f1)) and the bytecode compiled with it" >&2
    local since
    since="@$(($(stat -c %Y key) - 1))"
    { cd "$VENV" && find . -name '*.pyc' -newermt "$since" -print0 2>/dev/null || true; } |
        tar -cf - key uv -C "$VENV" --null -T - --transform 's,^\./,pyc/,S'
}

# --- run --------------------------------------------------------------------------------------
language_start() {
    local args=("$MODEL_NAME" --service-type "$SERVICE_TYPE")
    if [ -n "${PERSISTENCE:-}" ]; then args+=(--persistence "$PERSISTENCE"); fi
    exec python -m seldon_s2i.runtime "${args[@]}"
}

# --- usage ------------------------------------------------------------------------------------
language_version() { python --version 2>&1; }

# What the source holds, with the lines of .s2i/environment that are the language's.
language_usage_source() {
    cat <<'USAGE'
The source needs the model (e.g. MyModel.py with class MyModel and a predict(self, X, features_names)
method), optionally requirements.txt (or pyproject.toml / setup.py), and .s2i/environment:

    MODEL_NAME=MyModel          module and class (MyModel), or package.module.Class
USAGE
}

language_usage_api_type() {
    echo "    API_TYPE=REST               REST (on 5000), GRPC (on 5000), or REST,GRPC (REST 9000, gRPC 5000)"
    echo "    PROTOCOL=v1                 v1 (Seldon), v2 (Open Inference: REST 8080, gRPC 8081) or both (V2 on v1's ports)"
}

language_usage_build_settings() {
    cat <<'USAGE'
    PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, ... every PIP_* variable, and pip.conf
                  (e.g. s2i build -i pip.conf:/etc/pip.conf): honoured by uv and pip alike
    EXTRA_INDEX_URL               one more extra index (the seldon-core builder's name)
    SELDON_S2I_INSTALLER=pip      install with pip instead of uv
USAGE
}
