#!/usr/bin/env bash
#
# build.sh — the real Prometheus and promtool v3.5.0, built from the Go module proxy, laid out like the
# upstream prom/prometheus image (/bin/prometheus, /bin/promtool, /etc/prometheus, /prometheus).
#
# Usage: ROOTFS=DIR STATE=DIR test/images/prometheus/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

readonly MODULE_VERSION="v0.305.0" # Prometheus 3.5.0 (Go module versions are v0.3MM.P)
readonly VERSION="3.5.0"

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  local here v=github.com/prometheus/common/version
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  "${here}/../gobuild.sh" github.com/prometheus/prometheus "$MODULE_VERSION" \
    "-s -w -X ${v}.Version=${VERSION} -X ${v}.Branch=HEAD -X ${v}.BuildUser=local-engine" \
    "${ROOTFS}/usr/bin" ./cmd/prometheus ./cmd/promtool
  install -d -o 65534 -g 65534 "${ROOTFS}/prometheus"
  install -d "${ROOTFS}/etc/prometheus"
  cat >"${ROOTFS}/etc/prometheus/prometheus.yml" <<'YML'
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]
YML
}

main "$@"
