# shellcheck shell=bash disable=SC2034  # LANGUAGE_* and INSTALLED_NOW are read by lib/contract.sh
# Java's steps of the Seldon builder contract (installed as lib/steps.sh next to lib/contract.sh;
# s2i/README.md lists what a language defines). The runtime is the Java wrapper
# (io.github.seldon-s2i:seldon-java-wrapper) in the Maven repository /opt/seldon/repository, built
# from Debian's Java libraries (/usr/share/maven-repo) when the builder was built.
#
# A source is either a Maven project (pom.xml: `mvn package`, offline against the image's
# repositories first, then with the user's repositories) or plain sources under src/main/java
# (compiled with javac against the wrapper's class path). The class path the app runs with is
# written to /microservice/.seldon/classpath.
#
# Build-time knobs:
#   MAVEN_MIRROR_URL    a Maven mirror for everything (written into a settings.xml for the build)
#   MAVEN_ARGS          more arguments for mvn (e.g. -Pprod); a settings.xml in the source (or
#                       .s2i/settings.xml) is used as the user's settings
#   JAVAC_OPTS          more arguments for javac (plain sources)
#
# Cache entries (save-artifacts): m2/ (the Maven repository of what was downloaded).

# --- State ------------------------------------------------------------------------------------
IMAGE_REPOSITORY=/opt/seldon/repository      # the wrapper, installed by the builder's Dockerfile
DEBIAN_REPOSITORY=/usr/share/maven-repo      # Debian's Java libraries and Maven plugins
WRAPPER_CLASSPATH_FILE=/opt/seldon/wrapper.classpath
CLASSPATH_FILE=$APP_DIR/.seldon/classpath
LANGUAGE_API_TYPES="REST GRPC"
LANGUAGE_PROTOCOLS="v1"            # PROTOCOL in .s2i/environment: only Seldon v1 (the Open Inference V2 is Python's so far)
LANGUAGE_MODEL_NAME_EXAMPLE="<your.package.YourClass> (a class implementing io.seldon.wrapper.api.SeldonPredictionService)"
LANGUAGE_INSTALL_DIRS=$CACHE_DIR/m2
INSTALLER=maven
MAVEN_SETTINGS=""
TRUSTSTORE=""

# --- assemble: before the install -------------------------------------------------------------
language_check_builder() {
    if [ ! -f "$WRAPPER_CLASSPATH_FILE" ] || ! command -v java >/dev/null; then
        fail "$WRAPPER_CLASSPATH_FILE or java is missing: assemble runs inside a Seldon Java builder image"
    fi
}

language_cleanup() { rm -rf "$MAVEN_SETTINGS" "$TRUSTSTORE"; }

# A cache from another JDK, Maven or wrapper is thrown away instead of being trusted.
language_cache_key() {
    printf 'java=%s maven=%s platform=%s wrapper=%s\n' \
        "$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')" \
        "$(mvn -v 2>/dev/null | sed -n '1s/^Apache Maven \([^ ]*\).*/\1/p')" \
        "$(uname -m)" \
        "$(sha256sum <"$WRAPPER_CLASSPATH_FILE" | cut -c1-16)"
}

language_has_cache() { [ -d "$1/m2" ]; }

language_restore_cache() {
    rm -rf "${CACHE_DIR:?}/m2"
    mv "$1/m2" "$CACHE_DIR/m2"
}

language_prepare_cache() { mkdir -p "$CACHE_DIR/m2"; }

# The JVM reads PKCS12 trust stores, not PEM bundles: the wrapper's PemTrustStore turns the
# temporary bundle into one (deleted with it), which Maven's JVM trusts for this build only.
language_trust_ca() {
    TRUSTSTORE=$(mktemp /tmp/seldon-s2i-truststore.XXXXXX)
    java -cp "$(cat "$WRAPPER_CLASSPATH_FILE")" io.seldon.wrapper.PemTrustStore "$1" "$TRUSTSTORE" ||
        fail "the CA bundle $1 could not be read as PEM certificates"
    export MAVEN_OPTS="${MAVEN_OPTS:-} -Djavax.net.ssl.trustStore=$TRUSTSTORE -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit"
}

language_prepare_install() {
    if [ -n "${MAVEN_MIRROR_URL:-}" ]; then
        MAVEN_SETTINGS=$(mktemp /tmp/seldon-s2i-settings.XXXXXX)
        cat >"$MAVEN_SETTINGS" <<XML
<settings><mirrors><mirror><id>s2i-mirror</id><url>${MAVEN_MIRROR_URL}</url><mirrorOf>external:*</mirrorOf></mirror></mirrors></settings>
XML
    fi
}

# The Maven command line: the cache as the local repository, the image's and Debian's
# repositories as read-only tails (Maven >= 3.9), the user's settings when given.
mvn_args() {
    local args=(-B -Dmaven.repo.local="$CACHE_DIR/m2" -Dmaven.repo.local.tail="$IMAGE_REPOSITORY,$DEBIAN_REPOSITORY")
    if [ -n "$MAVEN_SETTINGS" ]; then
        args+=(-s "$MAVEN_SETTINGS")
    elif [ -f "$APP_DIR/.s2i/settings.xml" ]; then
        args+=(-s "$APP_DIR/.s2i/settings.xml")
    elif [ -f "$APP_DIR/settings.xml" ]; then
        args+=(-s "$APP_DIR/settings.xml")
    fi
    # shellcheck disable=SC2206  # MAVEN_ARGS is a list of words by design
    args+=(${MAVEN_ARGS:-})
    printf '%s\n' "${args[@]}"
}

# --- assemble: the install --------------------------------------------------------------------
# Java has no separate dependency files to install ahead of the source.
language_install_dependency_files() {
    banner "Java sources are built with the application"
    cd / && rm -rf "$SRC_DIR"
}

language_install_dependencies() {
    cd "$APP_DIR" || exit 1
    mkdir -p "$APP_DIR/.seldon"
    if [ -f pom.xml ]; then
        build_maven_project
    elif [ -d src/main/java ]; then
        compile_sources
    else
        fail "no pom.xml and no src/main/java: put the model's sources under src/main/java (or add a pom.xml)"
    fi
    INSTALLED_NOW=1
}

# Offline first: with the image's repositories (and a restored cache) most projects build
# without touching the network; whatever is missing comes from the user's repositories.
build_maven_project() {
    local args
    mapfile -t args < <(mvn_args)
    banner "Building pom.xml with Maven (offline, against the image's repositories)"
    if ! mvn -o -q "${args[@]}" -DskipTests package org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
        -Dmdep.outputFile="$APP_DIR/.seldon/dependencies" -Dmdep.includeScope=runtime >/tmp/mvn-offline.log 2>&1; then
        if grep -q "COMPILATION ERROR" /tmp/mvn-offline.log; then
            grep -E '^\[ERROR\]' /tmp/mvn-offline.log | head -40 >&2
            fail "pom.xml: the sources do not compile (javac's messages above)"
        fi
        banner "Some dependencies are not in the image: building with the project's repositories"
        mvn "${args[@]}" -DskipTests package org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
            -Dmdep.outputFile="$APP_DIR/.seldon/dependencies" -Dmdep.includeScope=runtime ||
            fail "building pom.xml with Maven failed (Maven says why above)"
        INSTALLER="maven (online)"
    fi
    rm -f /tmp/mvn-offline.log
    local jars
    jars=$(find target -maxdepth 1 -name '*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' | tr '\n' ':')
    echo "$APP_DIR/target/classes:${jars}$(cat "$APP_DIR/.seldon/dependencies"):$(cat "$WRAPPER_CLASSPATH_FILE")" >"$CLASSPATH_FILE"
}

compile_sources() {
    local sources=() jars="" jar
    INSTALLER=javac
    banner "Compiling src/main/java with javac"
    mapfile -t sources < <(find src/main/java -name '*.java' | sort)
    [ ${#sources[@]} -gt 0 ] || fail "src/main/java holds no .java file"
    for jar in lib/*.jar; do jars+="$APP_DIR/$jar:"; done
    mkdir -p target/classes
    # shellcheck disable=SC2086  # JAVAC_OPTS is a list of words by design
    javac -nowarn -encoding UTF-8 -d target/classes -cp "${jars}$(cat "$WRAPPER_CLASSPATH_FILE")" ${JAVAC_OPTS:-} "${sources[@]}" ||
        fail "src/main/java does not compile (javac's messages above)"
    if [ -d src/main/resources ]; then cp -R src/main/resources/. target/classes/; fi
    echo "$APP_DIR/target/classes:${jars}$(cat "$WRAPPER_CLASSPATH_FILE")" >"$CLASSPATH_FILE"
}

# --- assemble: after the install --------------------------------------------------------------
language_check_model() {
    banner "Checking that MODEL_NAME=$MODEL_NAME implements SeldonPredictionService"
    java -cp "$(cat "$CLASSPATH_FILE")" io.seldon.wrapper.Microservice --check "$MODEL_NAME" ||
        exit 1
}

# One row per jar on the app's class path (name, version, Debian package or Maven repository),
# with the Debian copyright files of the packages they come from in license.txt.
language_licence_report() {
    local out=$1 entry real package
    echo "Name,Version,Source" >"$out/license_info.csv"
    : >"$out/license.txt"
    tr ':' '\n' <"$CLASSPATH_FILE" | grep '\.jar$' | sort -u | while read -r entry; do
        real=$(readlink -f "$entry")
        package=$(dpkg -S "$real" 2>/dev/null | cut -d: -f1 | head -1 || true)
        echo "$(basename "$(dirname "$(dirname "$entry")")"),$(basename "$(dirname "$entry")"),${package:-maven repository}" >>"$out/license_info.csv"
        if [ -n "$package" ] && ! grep -q "^==== $package\$" "$out/license.txt"; then
            { echo "==== $package"; cat "/usr/share/doc/$package/copyright" 2>/dev/null; } >>"$out/license.txt"
        fi
    done
}

# --- save-artifacts ---------------------------------------------------------------------------
language_save_cache() {
    echo "---> Saving the Maven repository ($(du -sh m2 | cut -f1))" >&2
    tar -cf - key m2
}

# --- run --------------------------------------------------------------------------------------
language_start() {
    [ -f "$CLASSPATH_FILE" ] || fail "$CLASSPATH_FILE is missing: this directory was not built by the Seldon Java builder's assemble"
    # shellcheck disable=SC2086  # JAVA_OPTS is a list of words by design
    exec java ${JAVA_OPTS:--XX:+UseParallelGC} -cp "$(cat "$CLASSPATH_FILE")" \
        io.seldon.wrapper.Microservice "$MODEL_NAME" "$SERVICE_TYPE"
}

# --- usage ------------------------------------------------------------------------------------
language_version() { java -version 2>&1 | head -1; }

language_usage_source() {
    cat <<'USAGE'
The source needs the model, a class implementing io.seldon.wrapper.api.SeldonPredictionService
(e.g. src/main/java/com/example/MyModel.java overriding SeldonMessage predict(SeldonMessage)),
either as plain sources under src/main/java or as a Maven project (pom.xml depending on
io.github.seldon-s2i:seldon-java-wrapper:0.1.0), and .s2i/environment:

    MODEL_NAME=com.example.MyModel   the fully qualified class name
USAGE
}

language_usage_api_type() {
    echo "    API_TYPE=REST               REST (on 5000), GRPC (on 5000), or REST,GRPC (REST 9000, gRPC 5000)"
}

language_usage_build_settings() {
    cat <<'USAGE'
    MAVEN_MIRROR_URL   a Maven mirror for every remote repository; MAVEN_ARGS   more mvn arguments
    JAVAC_OPTS         more javac arguments (plain sources); JAVA_OPTS   JVM options at run time
USAGE
}
