#!/usr/bin/env bash
#
# build.sh — lays out Debian's Docker like the upstream docker:dind image: dockerd-entrypoint.sh as the
# entrypoint (dockerd on the unix socket and plain TCP 2375) and `docker compose` as a CLI plugin.
#
# Usage: ROOTFS=DIR test/images/dind/build.sh   (run by scripts/local-engine.sh)
set -euo pipefail

err() { printf 'dind image: %s\n' "$*" >&2; }

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}"
  [[ -x ${ROOTFS}/usr/sbin/dockerd && -x ${ROOTFS}/usr/bin/docker-compose ]] || {
    err "dockerd or docker-compose missing from the packages"
    return 1
  }
  cat >"${ROOTFS}/usr/local/bin/dockerd-entrypoint.sh" <<'SH'
#!/bin/sh
# dockerd as the docker:dind image starts it without TLS: the unix socket and tcp://0.0.0.0:2375.
set -e
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 "$@"
fi
exec "$@"
SH
  chmod 0755 "${ROOTFS}/usr/local/bin/dockerd-entrypoint.sh"
  install -d "${ROOTFS}/usr/libexec/docker/cli-plugins"
  cat >"${ROOTFS}/usr/libexec/docker/cli-plugins/docker-compose" <<'SH'
#!/bin/sh
# `docker compose` → Debian's docker-compose 1.29 (the CLI passes the plugin name first).
if [ "$1" = docker-cli-plugin-metadata ]; then
  printf '{"SchemaVersion":"0.1.0","Vendor":"stand-in for tests","Version":"1.29.2","ShortDescription":"Docker Compose (docker-compose 1.29)"}\n'
  exit 0
fi
shift
exec docker-compose "$@"
SH
  chmod 0755 "${ROOTFS}/usr/libexec/docker/cli-plugins/docker-compose"
}

main "$@"
