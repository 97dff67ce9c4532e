#!/usr/bin/env bash
#
# local-engine.sh — run a real Dagger engine (v0.19.10) on a Linux host without Docker.
#
# Usage: scripts/local-engine.sh up|down|status|env
#
#   up      install what is missing (Debian packages), build the Dagger CLI and engine from the Go
#           module proxy, build the Go SDK runtime image and the base images in test/images/, start a
#           local registry on 127.0.0.1 (the engine's docker.io / ghcr.io mirror) and the engine.
#           Idempotent: a second `up` only checks that everything still runs.
#   down    stop what `up` started (by PID), nothing else.
#   status  say what runs; exit 0 only when the registry and the engine both answer.
#   env     print the exports a shell needs to use the engine: eval "$(scripts/local-engine.sh env)"
#
# For hosts with no Docker engine, air-gapped networks with an internal mirror and CI machines of this
# workplace. With Docker available, install the Dagger CLI v0.19.10 instead and run the same commands.
#
# Environment (all optional):
#   LOCAL_ENGINE_STATE     state directory (binaries, images, registry data, engine state, logs);
#                          default /var/cache/connector-local-engine. Kept across clones.
#   LOCAL_ENGINE_REGISTRY  host:port of the local registry; default 127.0.0.1:5000.
#   LOCAL_ENGINE_DEBIAN_MIRROR  Debian mirror used to build image root filesystems;
#                          default: the first URI of the host's apt sources.
#   LOCAL_ENGINE_NETWORK_NAME, LOCAL_ENGINE_NETWORK_CIDR  the engine's container network; default
#                          dagger and 10.87.0.0/16 (change the range if the host already uses it).
#                          Only one engine runs at a time: its DNS server takes port 53.
#
# Requires: root, Linux on amd64, Go (1.25+) with access to a Go module proxy, Debian's apt.
set -euo pipefail

readonly DAGGER_VERSION="v0.19.10"
# The Go SDK runtime runs codegen and `go build` with this toolchain: it must match the engine's
# distconsts.GolangVersion (hack/engine/distconsts).
readonly GO_SDK_GO_VERSION="1.25.5"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly STATE="${LOCAL_ENGINE_STATE:-/var/cache/connector-local-engine}"
readonly REGISTRY="${LOCAL_ENGINE_REGISTRY:-127.0.0.1:5000}"
readonly NETWORK_NAME="${LOCAL_ENGINE_NETWORK_NAME:-dagger}"
readonly NETWORK_CIDR="${LOCAL_ENGINE_NETWORK_CIDR:-10.87.0.0/16}"
readonly BIN="${STATE}/bin/${DAGGER_VERSION}"
readonly SOCK="${STATE}/run/engine.sock"
readonly LOGS="${STATE}/logs"
readonly APT_PACKAGES=(runc iptables dnsmasq-base containernetworking-plugins qemu-user-static
  binfmt-support debootstrap skopeo ca-certificates docker-registry util-linux curl openssl)

err() { printf 'local-engine: error: %s\n' "$*" >&2; }
log() { printf 'local-engine: %s\n' "$*" >&2; }
die() {
  err "$@"
  exit 1
}

usage() { sed -n '3,/^set -euo/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------- setup

check_host() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (the engine needs mount namespaces, runc and iptables); re-run with sudo"
  [[ $(uname -s) == Linux && $(uname -m) == x86_64 ]] || die "needs Linux on amd64, found $(uname -s) $(uname -m)"
  command -v go >/dev/null || die "Go is not on PATH; install Go 1.25 or newer (https://go.dev/doc/install)"
}

install_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq >"${LOGS}/apt.log" 2>&1 || die "apt-get update failed: see ${LOGS}/apt.log"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >>"${LOGS}/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed: see ${LOGS}/apt.log"
}

# Binaries: CLI, engine, init, dnsname, dial-stdio (static, so dagger-init runs in any container) and
# codegen (built with the Go SDK's toolchain, or it rejects modules whose go.mod says go 1.25.x).
build_binaries() {
  local stamp="${BIN}/.built"
  [[ -f $stamp ]] && return 0
  log "building Dagger ${DAGGER_VERSION} (CLI, engine, init, dnsname, dial-stdio, codegen) from the Go module proxy"
  mkdir -p "$BIN"
  local ldflags="-X github.com/dagger/dagger/engine.Version=${DAGGER_VERSION} -X github.com/dagger/dagger/engine.Tag=${DAGGER_VERSION}"
  (
    cd "${REPO_ROOT}/hack/engine"
    CGO_ENABLED=0 go build -tags dfexcludepatterns,dfparents -ldflags "$ldflags" -o "${BIN}/" \
      github.com/dagger/dagger/cmd/dagger github.com/dagger/dagger/cmd/engine \
      github.com/dagger/dagger/cmd/init github.com/dagger/dagger/cmd/dnsname \
      github.com/dagger/dagger/cmd/dialstdio ./cmd/ociimage
    GOTOOLCHAIN="go${GO_SDK_GO_VERSION}" CGO_ENABLED=0 go build -o "${BIN}/codegen" github.com/dagger/dagger/cmd/codegen
  ) >"${LOGS}/build.log" 2>&1 || die "building the Dagger binaries failed: see ${LOGS}/build.log"
  touch "$stamp"
}

enable_binfmt() {
  if [[ ! -f /proc/sys/fs/binfmt_misc/register ]]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc (needed for linux/arm64 under qemu)"
  fi
  if [[ ! -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    update-binfmts --enable qemu-aarch64 || die "cannot enable qemu-aarch64 in binfmt_misc"
  fi
}

debian_mirror() {
  if [[ -n ${LOCAL_ENGINE_DEBIAN_MIRROR:-} ]]; then
    echo "$LOCAL_ENGINE_DEBIAN_MIRROR"
    return
  fi
  local uri
  uri=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
    grep -v security | head -n1 | awk '{print $2}') || true
  echo "${uri:-http://deb.debian.org/debian}"
}

# ------------------------------------------------------------------------------------------- registry

start_registry() {
  local pidf="${STATE}/run/registry.pid"
  if pid_alive "$pidf"; then return 0; fi
  if curl -fsS "http://${REGISTRY}/v2/" >/dev/null 2>&1; then
    die "something else already answers on ${REGISTRY}; stop it or set LOCAL_ENGINE_REGISTRY to a free host:port"
  fi
  mkdir -p "${STATE}/registry/data"
  cat >"${STATE}/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${STATE}/registry/data
  delete:
    enabled: true
http:
  addr: ${REGISTRY}
EOF
  setsid docker-registry serve "${STATE}/registry/config.yml" >"${LOGS}/registry.log" 2>&1 </dev/null &
  echo $! >"$pidf"

  for _ in $(seq 1 50); do
    curl -fsS "http://${REGISTRY}/v2/" >/dev/null 2>&1 && return 0
    pid_alive "$pidf" || break
    sleep 0.2
  done
  die "the local registry did not start on ${REGISTRY}: see ${LOGS}/registry.log (is the port taken? set LOCAL_ENGINE_REGISTRY)"
}

# --------------------------------------------------------------------------------------------- images

# Root filesystem of a minimal Debian for one architecture, cached as a directory.
base_rootfs() {
  local arch=$1
  local dir="${STATE}/rootfs/debian-${arch}"
  if [[ ! -f ${dir}/.complete ]]; then
    log "debootstrap Debian bookworm minbase for ${arch} (first run only)"
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")"
    debootstrap --arch="$arch" --variant=minbase --include=ca-certificates bookworm "$dir" "$(debian_mirror)" \
      >"${LOGS}/debootstrap-${arch}.log" 2>&1 || die "debootstrap ${arch} failed: see ${LOGS}/debootstrap-${arch}.log"
    rm -rf "${dir}/var/cache/apt/archives/"*.deb
    touch "${dir}/.complete"
  fi
  echo "$dir"
}

# Runs a command inside a root filesystem with /proc, /dev and the host's DNS (apt and npm need them).
in_chroot() {
  local root=$1
  shift
  cp /etc/resolv.conf "${root}/etc/resolv.conf"
  mount -t proc proc "${root}/proc"
  mount --bind /dev "${root}/dev"
  local rc=0
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
  umount "${root}/dev" "${root}/proc"
  return "$rc"
}

# Makes DIR a fresh copy of the Debian base for ARCH, with Debian PACKAGES installed (apt's output
# goes to LOG). Usage: new_rootfs DIR ARCH LOG [PACKAGE...]
new_rootfs() {
  local root=$1 arch=$2 logf=$3 base
  shift 3
  base=$(base_rootfs "$arch") || return 1
  rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  cp -a "$base" "$root"
  (($# == 0)) && return 0
  in_chroot "$root" sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" && apt-get clean && rm -rf /var/lib/apt/lists/*' \
    sh "$@" >"$logf" 2>&1
}

# Writes ROOT as the single-layer tarball ROOT.tar, without the files that belong to the build host.
rootfs_tar() {
  local root=$1
  rm -f "${root}/.complete" "${root}/etc/resolv.conf"
  tar --numeric-owner --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -C "$root" -cf "${root}.tar" .
}

# Builds one image from test/images/NAME: the Debian base plus `packages` (one Debian package per
# line), then `build.sh` run on the host with ROOTFS, ARCH (amd64|arm64) and STATE set, then pushed
# with config.json to every reference in `refs` (one per line, e.g. docker.io/library/node:22-alpine,
# stored in the local registry as library/node:22-alpine; ghcr.io/o/n:t as o/n:t). `platforms` lists
# linux/amd64 and/or linux/arm64.
build_image() {
  local name=$1 def="${REPO_ROOT}/test/images/$1"
  [[ -f ${def}/config.json && -f ${def}/refs && -f ${def}/platforms ]] ||
    die "test/images/${name} needs config.json, refs and platforms"
  local hash
  hash=$( (
    cd "$def"
    find . -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum ../*.sh # helpers shared by the images' build.sh
    echo "$DAGGER_VERSION"
  ) | sha256sum | cut -c1-16)
  local stamp="${STATE}/images/${name}.${hash}"
  if [[ -f $stamp ]]; then return 0; fi
  log "building image ${name}"
  local layers=() plat arch root pkgs=()
  [[ -f ${def}/packages ]] && mapfile -t pkgs < <(grep -v '^\s*\(#\|$\)' "${def}/packages")
  while read -r plat; do
    [[ -z $plat ]] && continue
    arch=${plat#linux/}
    root="${STATE}/work/${name}-${arch}"
    new_rootfs "$root" "$arch" "${LOGS}/image-${name}-${arch}.log" "${pkgs[@]}" ||
      die "installing packages into ${name} (${arch}) failed: see ${LOGS}/image-${name}-${arch}.log"
    if [[ -x ${def}/build.sh ]]; then
      env ROOTFS="$root" ARCH="$arch" STATE="$STATE" BIN="$BIN" "${def}/build.sh" >>"${LOGS}/image-${name}-${arch}.log" 2>&1 ||
        die "test/images/${name}/build.sh failed for ${arch}: see ${LOGS}/image-${name}-${arch}.log"
    fi
    rootfs_tar "$root"
    layers+=(-layer "${plat}=${root}.tar")
  done <"${def}/platforms"
  local pushes=() ref
  while read -r ref; do
    [[ -z $ref ]] && continue
    # The engine mirrors docker.io and ghcr.io to the registry, which keeps the path after the host.
    ref=${ref#docker.io/}
    ref=${ref#ghcr.io/}
    pushes+=(-push "${REGISTRY}/${ref}")
  done <"${def}/refs"
  "${BIN}/ociimage" -config "${def}/config.json" "${layers[@]}" "${pushes[@]}" >"${LOGS}/push-${name}.log" 2>&1 ||
    die "pushing ${name} to ${REGISTRY} failed: see ${LOGS}/push-${name}.log"
  rm -rf "${STATE}/work/${name}-"*
  rm -f "${STATE}/images/${name}."*
  mkdir -p "${STATE}/images"
  touch "$stamp"
}

build_images() {
  local def
  for def in "${REPO_ROOT}"/test/images/*/; do
    build_image "$(basename "$def")"
  done
}

# The image the engine runs Go SDK modules in, loaded from its builtin content store by digest: Debian
# with git, the Go toolchain, codegen on PATH, GOPATH=/go and a module cache seeded with what codegen's
# `go mod tidy` needs (so it works where the module proxy refuses version listings).
build_go_sdk_image() {
  local content="${STATE}/content" digestf="${STATE}/content/go-sdk.digest"
  [[ -s $digestf ]] && return 0
  log "building the Go SDK runtime image (first run only)"
  local root="${STATE}/work/go-sdk" log="${LOGS}/go-sdk-image.log"
  rm -rf "$content"
  new_rootfs "$root" amd64 "$log" git || die "installing git into the Go SDK image failed: see $log"
  local toolchain
  toolchain=$(go mod download -json "golang.org/toolchain@v0.0.1-go${GO_SDK_GO_VERSION}.linux-amd64" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
  [[ -n $toolchain && -x ${toolchain}/bin/go ]] || die "could not fetch the Go ${GO_SDK_GO_VERSION} toolchain from the module proxy"
  mkdir -p "${root}/usr/local/go" "${root}/go/pkg/mod" "${root}/root/.cache/go-build"
  cp -a "${toolchain}/." "${root}/usr/local/go/"
  chmod -R u+w "${root}/usr/local/go"
  install -m 0755 "${BIN}/codegen" "${root}/usr/local/bin/codegen"
  # Seed the module cache: everything the generated client and the SDK's own go.mod need.
  local seed="${STATE}/work/go-sdk-seed"
  rm -rf "$seed"
  mkdir -p "$seed"
  cp "${REPO_ROOT}/hack/engine/gosdk-seed/go.mod" "${REPO_ROOT}/hack/engine/gosdk-seed/go.sum" "${REPO_ROOT}/hack/engine/gosdk-seed/seed.go" "$seed/"
  (cd "$seed" && GOMODCACHE="${root}/go/pkg/mod" GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download all) >>"$log" 2>&1 ||
    die "seeding the Go SDK module cache failed: see $log"
  chmod -R u+w "${root}/go/pkg/mod"
  rm -rf "$seed"
  rootfs_tar "$root"
  "${BIN}/ociimage" -config "${REPO_ROOT}/hack/engine/gosdk-image.json" -layer "linux/amd64=${root}.tar" \
    -oci-layout "$content" -digest-out "${digestf}.tmp" >>"$log" 2>&1 || die "writing the Go SDK image failed: see $log"
  rm -rf "$root" "${root}.tar"
  mv "${digestf}.tmp" "$digestf"
}

# ---------------------------------------------------------------------------------------------- engine

# Certificates the host trusts beyond Debian's own set (a TLS-intercepting proxy's CA, a corporate CA):
# the engine installs them into every container it runs.
extra_ca_certs() {
  local out=$1 tmp
  tmp=$(mktemp -d)
  awk -v d="$tmp" '/BEGIN CERT/{n++} n{print > (d "/c" n ".pem")}' /etc/ssl/certs/ca-certificates.crt
  local known f fp
  known=$(for f in /usr/share/ca-certificates/mozilla/*.crt; do openssl x509 -in "$f" -noout -fingerprint -sha256; done 2>/dev/null | sort -u)
  : >"$out"
  for f in "$tmp"/*.pem; do
    fp=$(openssl x509 -in "$f" -noout -fingerprint -sha256 2>/dev/null) || continue
    grep -qxF "$fp" <<<"$known" || cat "$f" >>"$out"
  done
  rm -rf "$tmp"
}

write_engine_config() {
  local etc="${STATE}/engine-etc"
  mkdir -p "$etc"
  cat >"${etc}/engine.json" <<EOF
{
  "logLevel": "info",
  "security": {"insecureRootCapabilities": true},
  "registries": {
    "docker.io": {"mirrors": ["${REGISTRY}"]},
    "ghcr.io": {"mirrors": ["${REGISTRY}"]},
    "${REGISTRY}": {"http": true, "insecure": true}
  }
}
EOF
  cat >"${etc}/engine.toml" <<EOF
debug = false
insecure-entitlements = ["security.insecure"]
[registry."docker.io"]
  mirrors = ["${REGISTRY}"]
[registry."ghcr.io"]
  mirrors = ["${REGISTRY}"]
[registry."${REGISTRY}"]
  http = true
  insecure = true
EOF
  extra_ca_certs "${etc}/extra-ca.crt"
}

# The engine expects its helpers at fixed paths and rewrites /etc/resolv.conf and /usr/bin/iptables*.
# It runs in its own mount namespace with overlays on those directories, so the host is untouched.
engine_namespace_script() {
  cat <<'EOF'
set -euo pipefail
for d in /usr/local /usr/bin /etc /opt /var/lib; do
  n=$(echo "$d" | tr / _)
  mkdir -p "$OVL/$n/upper" "$OVL/$n/work"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$OVL/$n/upper,workdir=$OVL/$n/work" "$d"
done
install -m 0755 "$(command -v runc)" /usr/local/bin/runc
install -m 0755 "$BIN/init" /usr/local/bin/dagger-init
install -m 0755 "$BIN/dialstdio" /usr/bin/dial-stdio
install -m 0755 "$BIN/engine" /usr/local/bin/dagger-engine
mkdir -p /opt/cni/bin /etc/dagger /usr/local/share/ca-certificates /usr/local/share/dagger
cp -a /usr/lib/cni/. /opt/cni/bin/
install -m 0755 "$BIN/dnsname" /opt/cni/bin/dnsname
cp "$ETC/engine.json" "$ETC/engine.toml" /etc/dagger/
if [[ -s $ETC/extra-ca.crt ]]; then cp "$ETC/extra-ca.crt" /usr/local/share/ca-certificates/host-extra-ca.crt; fi
rm -rf /usr/local/share/dagger/content
ln -s "$CONTENT" /usr/local/share/dagger/content
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf "/usr/sbin/$t" "/usr/bin/$t"
done
export PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin
exec /usr/local/bin/dagger-engine --config /etc/dagger/engine.toml --root "$ROOT" --addr "unix://$SOCK" \
  --network-name "$NETWORK_NAME" --network-cidr "$NETWORK_CIDR"
EOF
}

start_engine() {
  local pidf="${STATE}/run/engine.pid"
  if pid_alive "$pidf" && engine_answers; then return 0; fi
  if pid_alive "$pidf"; then stop_pid engine "$pidf"; fi
  write_engine_config
  rm -rf "${STATE}/overlay"
  mkdir -p "${STATE}/overlay" "${STATE}/engine-root" "$(dirname "$SOCK")"
  rm -f "$SOCK"
  log "starting the Dagger engine (${DAGGER_VERSION}) on unix://${SOCK}"
  env OVL="${STATE}/overlay" BIN="$BIN" ETC="${STATE}/engine-etc" CONTENT="${STATE}/content" ROOT="${STATE}/engine-root" \
    SOCK="$SOCK" NETWORK_NAME="$NETWORK_NAME" NETWORK_CIDR="$NETWORK_CIDR" GOPROXY="file:///go/pkg/mod/cache/download,$(go env GOPROXY)" \
    DAGGER_GO_SDK_MANIFEST_DIGEST="$(cat "${STATE}/content/go-sdk.digest")" \
    setsid unshare --mount --propagation private bash -c "$(engine_namespace_script)" \
    >"${LOGS}/engine.log" 2>&1 </dev/null &
  echo $! >"$pidf"

  for _ in $(seq 1 120); do
    engine_answers && return 0
    pid_alive "$pidf" || break
    sleep 0.5
  done
  tail -n 20 "${LOGS}/engine.log" >&2 || true
  die "the engine did not answer within 60 s: see ${LOGS}/engine.log"
}

engine_answers() {
  [[ -S $SOCK ]] || return 1
  _EXPERIMENTAL_DAGGER_RUNNER_HOST="unix://${SOCK}" timeout 20 "${BIN}/dagger" core version --progress=plain \
    >/dev/null 2>&1
}

stop_pid() {
  local what=$1 pidf=$2 pid
  pid=$(cat "$pidf" 2>/dev/null) || return 0
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping ${what} (pid ${pid})"
    kill -TERM -- "-${pid}" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-${pid}" 2>/dev/null
  fi
  rm -f "$pidf"
}

print_env() {
  cat <<EOF
export _EXPERIMENTAL_DAGGER_RUNNER_HOST=unix://${SOCK}
export _EXPERIMENTAL_DAGGER_CLI_BIN=${BIN}/dagger
export PATH=${BIN}:\$PATH
export LOCAL_ENGINE_REGISTRY=${REGISTRY}
export DAGGER_NO_NAG=1
EOF
}

# ---------------------------------------------------------------------------------------------- verbs

cmd_up() {
  check_host
  mkdir -p "$LOGS" "${STATE}/run"
  local t0=$SECONDS
  install_packages
  build_binaries
  enable_binfmt
  start_registry
  build_go_sdk_image
  build_images
  start_engine
  print_env >"${STATE}/env"
  log "up in $((SECONDS - t0)) s; use it with: eval \"\$(scripts/local-engine.sh env)\""
}

cmd_down() {
  stop_pid engine "${STATE}/run/engine.pid"
  stop_pid registry "${STATE}/run/registry.pid"
}

cmd_status() {
  local rc=0
  if pid_alive "${STATE}/run/registry.pid" && curl -fsS "http://${REGISTRY}/v2/" >/dev/null 2>&1; then
    echo "registry: up on ${REGISTRY}"
  else
    echo "registry: down"
    rc=1
  fi
  if pid_alive "${STATE}/run/engine.pid" && engine_answers; then
    echo "engine:   up on unix://${SOCK} (${DAGGER_VERSION})"
  else
    echo "engine:   down"
    rc=1
  fi
  return "$rc"
}

main() {
  case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) print_env ;;
  -h | --help | help)
    usage
    ;;
  *)
    usage
    die "unknown verb '${1:-}': use up, down, status or env"
    ;;
  esac
}

main "$@"
