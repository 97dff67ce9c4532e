#!/usr/bin/env bash
#
# build.sh — Node.js 22 (as in the node image) plus the Grafana stand-in, laid out like the upstream
# grafana/grafana image: /run.sh, /usr/share/grafana/bin/grafana, /etc/grafana/grafana.ini,
# /etc/grafana/provisioning/*, /var/lib/grafana, /var/log/grafana, user grafana (472, group root).
#
# Usage: ROOTFS=DIR ARCH=amd64 STATE=DIR test/images/grafana/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

readonly GF_UID=472

err() { printf 'grafana image: %s\n' "$*" >&2; }

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  "${here}/../node/build.sh" || {
    err "adding Node.js failed"
    return 1
  }
  local home="${ROOTFS}/usr/share/grafana"
  install -D -m 0755 "${here}/grafana.mjs" "${home}/bin/grafana-standin.mjs"
  install -D -m 0644 "${here}/yaml.mjs" "${home}/bin/yaml.mjs"
  ln -sf grafana-standin.mjs "${home}/bin/grafana"
  install -D -m 0755 "${here}/run.sh" "${ROOTFS}/run.sh"

  grep -q '^grafana:' "${ROOTFS}/etc/passwd" ||
    echo "grafana:x:${GF_UID}:0::/home/grafana:/usr/sbin/nologin" >>"${ROOTFS}/etc/passwd"
  grep -q '^grafana:' "${ROOTFS}/etc/shadow" || echo 'grafana:!:19000:0:99999:7:::' >>"${ROOTFS}/etc/shadow"
  install -d -o "$GF_UID" -g 0 "${ROOTFS}/home/grafana"

  local d
  for d in datasources dashboards notifiers plugins access-control alerting; do
    install -d -o "$GF_UID" -g 0 -m 0777 "${ROOTFS}/etc/grafana/provisioning/${d}"
  done
  install -d -o "$GF_UID" -g 0 -m 0777 "${ROOTFS}/etc/grafana/provisioning" "${ROOTFS}/var/lib/grafana" \
    "${ROOTFS}/var/lib/grafana/plugins" "${ROOTFS}/var/log/grafana"
  cat >"${ROOTFS}/etc/grafana/grafana.ini" <<'INI'
##################### Grafana configuration (stand-in for tests) #####################
# Read by the stand-in: [server] protocol, http_addr, http_port; [security] admin_user,
# admin_password, admin_email; [auth.basic] enabled; [auth.anonymous] enabled; [paths].
# GF_<SECTION>_<KEY> environment variables override this file.

[server]
;http_addr =
;http_port = 3000

[security]
;admin_user = admin
;admin_password = admin
INI
  chmod 0644 "${ROOTFS}/etc/grafana/grafana.ini"
}

main "$@"
