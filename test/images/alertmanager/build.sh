#!/usr/bin/env bash
#
# build.sh — lays out Debian's Alertmanager like the upstream prom/alertmanager image.
#
# Usage: ROOTFS=DIR test/images/alertmanager/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  [[ -x ${ROOTFS}/usr/bin/prometheus-alertmanager && -x ${ROOTFS}/usr/bin/amtool ]] || {
    printf 'alertmanager image: prometheus-alertmanager or amtool missing from the package\n' >&2
    return 1
  }
  ln -sf prometheus-alertmanager "${ROOTFS}/usr/bin/alertmanager"
  install -d -o 65534 -g 65534 "${ROOTFS}/alertmanager"
  install -d "${ROOTFS}/etc/alertmanager"
  cp "${ROOTFS}/etc/prometheus/alertmanager.yml" "${ROOTFS}/etc/alertmanager/alertmanager.yml"
}

main "$@"
