#!/usr/bin/env bash
#
# gobuild.sh — builds commands of a Go module at an exact version, from the Go module proxy, as static
# binaries; cached by module and version. Used by the images' build.sh scripts.
#
# Usage: STATE=DIR test/images/gobuild.sh MODULE VERSION 'LDFLAGS' OUTDIR ./cmd/a [./cmd/b ...]
#   The binaries land in OUTDIR (named after the last element of each package path).
set -euo pipefail

err() { printf 'gobuild: %s\n' "$*" >&2; }

main() {
  (($# >= 5)) || {
    err "usage: gobuild.sh MODULE VERSION LDFLAGS OUTDIR PKG..."
    return 2
  }
  local module=$1 version=$2 ldflags=$3 out=$4
  shift 4
  local cache="${STATE:?}/downloads/gobuild/${module//\//_}@${version}"
  if [[ ! -f ${cache}/.built ]]; then
    local dir
    dir=$(go mod download -json "${module}@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -n $dir && -d $dir ]] || {
      err "could not download ${module}@${version} from the Go module proxy"
      return 1
    }
    rm -rf "$cache"
    mkdir -p "$cache"
    # Built inside the module itself, so that its own go.mod (and its replace directives) apply.
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "$ldflags" -o "${cache}/" "$@") || {
      err "go build ${module}@${version} $* failed"
      return 1
    }
    touch "${cache}/.built"
  fi
  mkdir -p "$out"
  local p
  for p in "$@"; do
    install -m 0755 "${cache}/$(basename "$p")" "${out}/$(basename "$p")"
  done
}

main "$@"
