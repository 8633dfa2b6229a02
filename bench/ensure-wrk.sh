#!/usr/bin/env bash
# Installs wrk (the HTTP load client of bench/serve.py) from Debian when it is missing and we are root.
# Without it bench/serve.py falls back to a Python http.client load client (and says so in its table).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "---> wrk not found and cannot install it (not root on Debian): using the Python load client"
    exit 0
fi
echo "---> Step: install wrk from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends wrk >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends wrk >/dev/null; }
