#!/bin/bash
#
# run.sh — entrypoint of the grafana/grafana:11.6.0 stand-in, doing what the upstream /run.sh does
# before it starts `grafana server`.
#
# Usage: /run.sh [grafana server arguments...]
#   Every GF_<NAME>__FILE=PATH variable becomes GF_<NAME>=<contents of PATH> (trailing newlines
#   dropped), so Docker secrets can carry settings such as GF_SECURITY_ADMIN_PASSWORD__FILE; setting
#   both GF_<NAME> and GF_<NAME>__FILE is an error. Then the paths are checked, the plugins directory
#   is created and grafana server runs with the GF_PATHS_* directories.
set -euo pipefail

err() { printf 'run.sh: error: %s\n' "$*" >&2; }

# GF_X__FILE=path -> GF_X=contents, as upstream (which reads the file with "$(< path)").
secrets_from_files() {
  local name target file
  for name in $(compgen -e); do
    [[ $name == GF_*__FILE ]] || continue
    target=${name%__FILE}
    file=${!name}
    [[ -n $file ]] || continue
    if [[ -n ${!target:-} ]]; then
      err "Both ${target} and ${name} are set (but are exclusive)"
      return 1
    fi
    if [[ ! -r $file ]]; then
      err "${name}=${file}: the file does not exist or is not readable by uid $(id -u)"
      return 1
    fi
    echo "Getting secret ${target} from ${file}"
    export "${target}=$(<"$file")"
    unset "$name"
  done
}

check_paths() {
  local ok=0
  if [[ ! -r $GF_PATHS_CONFIG ]]; then
    echo "GF_PATHS_CONFIG='${GF_PATHS_CONFIG}' is not readable."
    ok=1
  fi
  if [[ ! -w $GF_PATHS_DATA ]]; then
    echo "GF_PATHS_DATA='${GF_PATHS_DATA}' is not writable."
    ok=1
  fi
  if [[ ! -r $GF_PATHS_HOME ]]; then
    echo "GF_PATHS_HOME='${GF_PATHS_HOME}' is not readable."
    ok=1
  fi
  if ((ok)); then
    echo "You may have issues with file permissions, more information here: http://docs.grafana.org/installation/docker/#migrate-to-v51-or-later"
  fi
}

main() {
  : "${GF_PATHS_CONFIG:=/etc/grafana/grafana.ini}" "${GF_PATHS_DATA:=/var/lib/grafana}" "${GF_PATHS_HOME:=/usr/share/grafana}"
  : "${GF_PATHS_LOGS:=/var/log/grafana}" "${GF_PATHS_PLUGINS:=/var/lib/grafana/plugins}" "${GF_PATHS_PROVISIONING:=/etc/grafana/provisioning}"
  check_paths
  if [[ ! -d $GF_PATHS_PLUGINS ]]; then
    mkdir "$GF_PATHS_PLUGINS"
  fi
  secrets_from_files
  if [[ -n ${GF_INSTALL_PLUGINS:-} ]]; then
    err "GF_INSTALL_PLUGINS is set, but this stand-in for tests cannot install Grafana plugins"
    return 1
  fi
  exec grafana server \
    --homepath="$GF_PATHS_HOME" \
    --config="$GF_PATHS_CONFIG" \
    --packaging=docker \
    "$@" \
    cfg:default.log.mode="console" \
    cfg:default.paths.data="$GF_PATHS_DATA" \
    cfg:default.paths.logs="$GF_PATHS_LOGS" \
    cfg:default.paths.plugins="$GF_PATHS_PLUGINS" \
    cfg:default.paths.provisioning="$GF_PATHS_PROVISIONING"
}

main "$@"
