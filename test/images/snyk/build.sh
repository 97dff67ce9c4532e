#!/usr/bin/env bash
#
# build.sh — Node.js 22 (as in the node image) plus the snyk CLI stand-in (snyk.mjs).
#
# Usage: ROOTFS=DIR ARCH=amd64 STATE=DIR test/images/snyk/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  "${here}/../node/build.sh"
  install -D -m 0755 "${here}/snyk.mjs" "${ROOTFS}/usr/local/bin/snyk"
  install -d "${ROOTFS}/app"
}

main "$@"
