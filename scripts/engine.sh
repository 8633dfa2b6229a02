#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`.
#
# Where one already answers this is a no-op. Otherwise (a fresh Debian host, as root, which is
# what CI gives us) it installs Debian's docker.io and mmdebstrap (the latter bootstraps our
# base images) and starts dockerd in the background. Our machines have no bridge networking:
# dockerd runs with --bridge=none and every container we start uses --network host.
#
# Note: /usr/local/bin/docker (a newer CLI) may shadow Debian's /usr/bin/docker; both negotiate
# down to the 1.41 API of Debian's engine.
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
WAIT_SECONDS=${ENGINE_WAIT_SECONDS:-60}

engine_answers() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null && engine_answers; then
    echo "---> Docker engine answers: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "ERROR: no Docker engine answers, and starting one needs root (Debian: apt-get install docker.io)." >&2
    exit 1
fi

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
if [ ${#missing[@]} -gt 0 ]; then
    echo "---> Installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "---> Starting dockerd (no bridge network; log: $DOCKERD_LOG)"
nohup dockerd --bridge=none --iptables=false --ip-masq=false >>"$DOCKERD_LOG" 2>&1 &

for _ in $(seq "$WAIT_SECONDS"); do
    if engine_answers; then
        echo "---> Docker engine answers: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
        exit 0
    fi
    sleep 1
done
echo "ERROR: dockerd did not answer within ${WAIT_SECONDS}s; last lines of $DOCKERD_LOG:" >&2
tail -n 20 "$DOCKERD_LOG" >&2
exit 1
