#!/usr/bin/env bash
#
# test-all.sh — every test of this repository, against a real Dagger engine.
#
# Usage: scripts/test-all.sh
#
# 1. brings up the local Dagger v0.19.10 engine and registry mirror (scripts/local-engine.sh up);
# 2. root Go module: go vet + unit tests (Dockerfile/Node policy, deploy checks, npm stand-in);
# 3. the pipeline module (ci/): code generation (dagger develop), go vet, unit tests;
# 4. the engine's own tests (hack/engine/enginetest);
# 5. the pipeline end to end (e2e/, build tag e2e): lint, test, audit, snyk, build, publish and ci on
#    this repository and on fault-injected copies. The connector's own npm lint/test/build run
#    there, in node:22-alpine.
#
# Needs root (the engine does); see README.md. Set LOCAL_ENGINE_SKIP_UP=1 to reuse an engine.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT

err() { printf 'test-all: error: %s\n' "$*" >&2; }
step() { printf '\n==> %s\n' "$*"; }

# promtool/amtool/alertmanager (Debian's 2.42 and 0.25; the pipeline's lint runs 3.5 and 0.28 on the
# same files) and shellcheck, for internal/deploycheck.
install_test_tools() {
  local missing=() p
  for p in prometheus prometheus-alertmanager shellcheck; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  if ! apt-get update -qq >/dev/null; then
    err "apt-get update failed"
    return 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    err "apt-get install ${missing[*]} failed"
    return 1
  fi
}

main() {
  cd "$REPO_ROOT"
  local t0=$SECONDS
  step "local engine"
  if [[ -z ${LOCAL_ENGINE_SKIP_UP:-} ]]; then
    scripts/local-engine.sh up || {
      err "the local engine did not come up; see the log named above"
      return 1
    }
  fi
  eval "$(scripts/local-engine.sh env)"
  export LOCAL_ENGINE_SKIP_UP=1

  step "test tools (Debian packages)"
  install_test_tools
  # The deploy checks run the real promtool, amtool and alertmanager: require them, do not skip.
  export DEPLOYCHECK_REQUIRE_TOOLS=1

  step "root module: go vet, go test"
  go vet ./...
  go test -count=1 ./...

  step "pipeline module (ci/): dagger develop, go vet, go test"
  local out
  if ! out=$(dagger develop --progress=plain 2>&1); then
    tail -n 40 <<<"$out" >&2
    err "dagger develop failed (code generation for ci/)"
    return 1
  fi
  (cd ci && go vet ./... && go test -count=1 ./...)

  step "local engine tests (hack/engine/enginetest)"
  (cd hack/engine && go test -count=1 -timeout 20m ./enginetest/)

  step "pipeline end to end (e2e/)"
  local log rc=0
  log=$(mktemp)
  go test -count=1 -tags e2e -timeout 45m -v ./e2e/ >"$log" 2>&1 || rc=$?
  # The full log (every dagger call's output) is long: show the verdict lines, and the whole
  # log only when something failed.
  if ((rc != 0)); then
    cat "$log"
  else
    grep -E '^(\s*--- |PASS$|FAIL|ok )|e2e_test|_test\.go:[0-9]+: dagger call' "$log" || true
  fi
  rm -f "$log"
  ((rc == 0)) || {
    err "end-to-end tests failed"
    return "$rc"
  }
  printf '\nall tests done in %d s\n' "$((SECONDS - t0))"
}

main "$@"
