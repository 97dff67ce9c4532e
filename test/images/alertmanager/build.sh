#!/usr/bin/env bash
#
# build.sh — the real Alertmanager and amtool v0.28.1, built from the Go module proxy, laid out like the
# upstream prom/alertmanager image (/bin/alertmanager, /bin/amtool, /etc/alertmanager, /alertmanager).
#
# Usage: ROOTFS=DIR STATE=DIR test/images/alertmanager/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

readonly VERSION="0.28.1"

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  local here v=github.com/prometheus/common/version
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  "${here}/../gobuild.sh" github.com/prometheus/alertmanager "v${VERSION}" \
    "-s -w -X ${v}.Version=${VERSION} -X ${v}.Branch=HEAD -X ${v}.BuildUser=local-engine" \
    "${ROOTFS}/usr/bin" ./cmd/alertmanager ./cmd/amtool
  install -d -o 65534 -g 65534 "${ROOTFS}/alertmanager"
  install -d "${ROOTFS}/etc/alertmanager"
  cat >"${ROOTFS}/etc/alertmanager/alertmanager.yml" <<'YML'
route:
  receiver: default
receivers:
  - name: default
YML
}

main "$@"
