#!/usr/bin/env bash
#
# build.sh — Node.js 22 (as in the node image) plus the tigerbeetle stand-in (tigerbeetle.mjs) at
# /tigerbeetle, where the upstream ghcr.io/tigerbeetle/tigerbeetle image has its binary.
#
# Usage: ROOTFS=DIR ARCH=amd64 STATE=DIR test/images/tigerbeetle/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

err() { printf 'tigerbeetle image: %s\n' "$*" >&2; }

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  "${here}/../node/build.sh" || {
    err "adding Node.js failed"
    return 1
  }
  install -D -m 0755 "${here}/tigerbeetle.mjs" "${ROOTFS}/usr/local/lib/tigerbeetle-standin/tigerbeetle.mjs"
  # A symlink keeps the .mjs name visible to Node (ES module), whatever the caller names it.
  ln -sf usr/local/lib/tigerbeetle-standin/tigerbeetle.mjs "${ROOTFS}/tigerbeetle"
}

main "$@"
