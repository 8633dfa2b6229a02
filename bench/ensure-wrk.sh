#!/usr/bin/env bash
# Installs the C load clients of the serving benchmarks from Debian when missing and we are root:
# wrk (HTTP/1.1, bench/serve*.py) and h2load (HTTP/2, package nghttp2-client: bench/serve_v2.py's gRPC
# rows). Without wrk bench/serve.py falls back to a Python http.client load client (and says so in its
# table); bench/serve_v2.py needs both.
set -euo pipefail
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "---> ${missing[*]} not found and cannot install (not root on Debian): bench/serve.py uses its Python load client"
    exit 0
fi
echo "---> Step: install ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
