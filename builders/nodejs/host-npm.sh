#!/usr/bin/env bash
# host-npm.sh ARGS...: run the host's npm (Debian's, installed when missing, like builders/base/build.sh's
# mmdebstrap), trusting the system CAs as well as its own (a TLS-intercepting proxy's CA is there).
# Any npm will do: what it fetches is checked against the locks (environment/nodejs.lock,
# package-lock.json), and only the fetched runtime's npm runs in the images.
# Used by builders/nodejs/context.sh and by `make nodejs-dev`.
set -euo pipefail

if ! command -v npm >/dev/null; then
    echo "---> Installing npm from Debian (to fetch Node.js and the NodeJS wrapper's packages)" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; }; } ||
        { echo "ERROR: npm is not installed on this host and apt-get could not install it (apt-get install npm)" >&2; exit 1; }
fi
export NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
exec npm --no-update-notifier --no-fund --no-audit "$@"
