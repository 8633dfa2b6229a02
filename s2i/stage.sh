#!/usr/bin/env bash
# Lay out the s2i scripts of one language's builder: stage.sh LANGUAGE DEST.
#
#   DEST/{assemble,run,save-artifacts,usage}   the shared entry points (s2i/bin)
#   DEST/lib/contract.sh                        the shared contract (s2i/lib)
#   DEST/lib/steps.sh                           the language's steps (s2i/LANGUAGE/steps.sh)
#
# The builder copies DEST to /usr/libexec/s2i; nothing of another language goes in.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

language=${1:?usage: stage.sh LANGUAGE DEST}
dest=${2:?usage: stage.sh LANGUAGE DEST}

steps="$here/$language/steps.sh"
[ -f "$steps" ] || { echo "ERROR: no s2i steps for language '$language': add s2i/$language/steps.sh (see s2i/README.md)" >&2; exit 1; }
rm -rf "$dest" && mkdir -p "$dest/lib"
cp -a "$here"/bin/. "$dest"/
cp -a "$here/lib/contract.sh" "$dest/lib/contract.sh"
cp -a "$steps" "$dest/lib/steps.sh"
