#!/usr/bin/env bash
#
# build.sh — lays out Debian's Prometheus like the upstream prom/prometheus image.
#
# Usage: ROOTFS=DIR test/images/prometheus/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  install -d -o 65534 -g 65534 "${ROOTFS}/prometheus"
  install -d "${ROOTFS}/etc/prometheus"
  [[ -x ${ROOTFS}/usr/bin/prometheus && -x ${ROOTFS}/usr/bin/promtool ]] || {
    printf 'prometheus image: prometheus or promtool missing from the package\n' >&2
    return 1
  }
}

main "$@"
