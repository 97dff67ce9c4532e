#!/usr/bin/env bash
#
# production-preflight.sh — refuse a production deploy of docker-compose-production.yml with
# development settings, default credentials or missing secrets.
#
# Usage: scripts/production-preflight.sh [--env-file PATH] [--secrets-dir DIR]
#        scripts/production-preflight.sh --help
#
#   --env-file PATH    env file that `docker compose --env-file` will read (default: .env in the
#                      current directory; when the default is missing, only the process environment
#                      is checked). Like compose, a variable set in the process environment wins
#                      over the file. The file is parsed as data, never sourced.
#   --secrets-dir DIR  directory holding the Docker secret files (default: secrets/ next to this
#                      script's parent directory, the one docker-compose-production.yml uses).
#   -h, --help         show this help.
#
# Checks (each problem is reported on its own line with the variable or file, what is wrong and the
# fix; secret values are never printed):
#   NODE_ENV             must be "production".
#   KEY_BACKEND          must be aws-kms, gcp-kms or azure-kv ("env" is for development only), with
#                        its settings: aws-kms: AWS_KMS_KEY_ID + AWS_REGION; gcp-kms: GCP_KMS_KEY_NAME;
#                        azure-kv: AZURE_KEY_VAULT_URL + AZURE_KEY_NAME.
#   Grafana password     secrets/grafana_admin_password must exist and hold a strong, non-default
#                        password; GRAFANA_PASSWORD, if set, must not be "admin"/a default/short.
#   Alertmanager         secrets/slack_webhook_url, secrets/pagerduty_routing_key and
#                        secrets/smtp_auth_password must exist, be non-empty and not placeholders.
#   Secret files         must not be group/world-writable (warning when world-readable).
#   TIGERBEETLE_CLUSTER_ID  must be a 128-bit unsigned decimal (warning when 0: reserved for tests).
#   CONNECTOR_IMAGE      warning when unset or :latest (pin a version or digest).
#
# Exit status: 0 ready (prints a PASS line), 1 at least one problem, 2 usage error.
# Requires bash 4 or newer.
set -euo pipefail

readonly PROG="production-preflight"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly MIN_PASSWORD_LENGTH=16
readonly U128_MAX="340282366920938463463374607431768211455"
# Passwords that are defaults somewhere or in every dictionary (compared case-insensitively).
readonly DEFAULT_PASSWORDS=" admin administrator password passw0rd changeme change-me changeit grafana secret root prom-operator letmein 12345678 123456789 1234567890 "

err() { printf '%s: %s\n' "$PROG" "$*" >&2; }

usage() { sed -n '3,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

problems=0
warnings=0
fail() {
  problems=$((problems + 1))
  err "FAIL: $*"
}
warn() {
  warnings=$((warnings + 1))
  err "WARN: $*"
}

declare -A file_vars=()
env_file=""
env_file_label="the process environment"

# ------------------------------------------------------------------------------------ env file

# parse_env_file PATH: read KEY=VALUE lines into file_vars without evaluating anything.
# Accepts blank lines, # comments, an optional "export " prefix, 'single' or "double" quoted
# values and unquoted values with an optional " # comment". Malformed lines are reported by
# line number only (the line may hold a secret).
parse_env_file() {
  local path=$1 line key value n=0
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    line="${line%$'\r'}"
    [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
    if [[ ! $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=(.*)$ ]]; then
      fail "${path}:${n}: not a KEY=VALUE line. Fix: write it as NAME=value (no spaces around =, # starts a comment)."
      continue
    fi
    key=${BASH_REMATCH[2]}
    value=${BASH_REMATCH[3]}
    value="${value#"${value%%[![:space:]]*}"}" # trim leading whitespace
    if [[ $value =~ ^\"(.*)\"[[:space:]]*(#.*)?$ ]] || [[ $value =~ ^\'(.*)\'[[:space:]]*(#.*)?$ ]]; then
      value=${BASH_REMATCH[1]}
    elif [[ ${value:0:1} == '"' || ${value:0:1} == "'" ]]; then
      fail "${path}:${n}: ${key} has an unterminated quote. Fix: close the quote on the same line."
      continue
    else
      [[ $value =~ ^(.*[^[:space:]])?[[:space:]]+#.*$ ]] && value=${BASH_REMATCH[1]}
      value="${value%"${value##*[![:space:]]}"}" # trim trailing whitespace
    fi
    file_vars[$key]=$value
  done <"$path"
}

# lookup NAME: print the value compose would interpolate (process environment first, then the env
# file) and return 0, or return 1 when it is set in neither.
lookup() {
  local name=$1
  if [[ -n ${!name+x} ]]; then
    printf '%s' "${!name}"
  elif [[ -n ${file_vars[$name]+x} ]]; then
    printf '%s' "${file_vars[$name]}"
  else
    return 1
  fi
}

# source_of NAME: where the value of NAME comes from, for messages.
source_of() {
  local name=$1
  if [[ -n ${!name+x} ]]; then
    printf 'the process environment'
  else
    printf '%s' "$env_file_label"
  fi
}

# ---------------------------------------------------------------------------------- validators

is_default_password() {
  local lower
  lower=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
  [[ $DEFAULT_PASSWORDS == *" ${lower} "* ]]
}

# is_u128 TEXT: a decimal integer 0 ... 2^128-1.
is_u128() {
  local v=$1
  [[ $v =~ ^[0-9]+$ ]] || return 1
  v="${v#"${v%%[!0]*}"}"
  [[ -z $v ]] && return 0
  ((${#v} < ${#U128_MAX})) && return 0
  ((${#v} > ${#U128_MAX})) && return 1
  # Same length: digit strings compare like numbers in the C collation.
  [[ $(printf '%s\n' "$v" "$U128_MAX" | LC_ALL=C sort | tail -n 1) == "$U128_MAX" ]]
}

check_node_env() {
  local v
  if ! v=$(lookup NODE_ENV) || [[ -z $v ]]; then
    fail "NODE_ENV is not set in ${env_file_label}. Fix: set NODE_ENV=production."
  elif [[ $v != production ]]; then
    if [[ $v =~ ^[a-z]{1,20}$ ]]; then
      fail "NODE_ENV is \"${v}\" in $(source_of NODE_ENV), not production. Fix: set NODE_ENV=production."
    else
      fail "NODE_ENV in $(source_of NODE_ENV) is not a recognised value. Fix: set NODE_ENV=production."
    fi
  fi
}

# need_setting NAME RULE EXAMPLE REGEX: the KMS setting NAME must be set and match REGEX. Values
# are key identifiers, but are still not echoed.
need_setting() {
  local name=$1 rule=$2 example=$3 regex=$4 backend=$5 v
  if ! v=$(lookup "$name") || [[ -z $v ]]; then
    fail "${name} is not set, but KEY_BACKEND=${backend} needs it. Fix: set ${name} to ${rule}, e.g. ${example}."
  elif [[ ! $v =~ $regex ]]; then
    fail "${name} in $(source_of "$name") is not ${rule}. Fix: set it like ${example}."
  fi
}

check_key_backend() {
  local v
  if ! v=$(lookup KEY_BACKEND) || [[ -z $v ]]; then
    fail "KEY_BACKEND is not set in ${env_file_label}; production has no default key backend. Fix: set KEY_BACKEND to aws-kms, gcp-kms or azure-kv and its key settings."
    return
  fi
  case $v in
    env)
      fail "KEY_BACKEND is \"env\" in $(source_of KEY_BACKEND): keys in environment variables are for development only and the connector refuses them in production. Fix: set KEY_BACKEND to aws-kms, gcp-kms or azure-kv and its key settings."
      ;;
    aws-kms)
      need_setting AWS_KMS_KEY_ID 'a key ARN, alias ARN, "alias/NAME", key id or multi-region key id' \
        'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' \
        '^(arn:aws[A-Za-z0-9_-]*:kms:|alias/|[0-9a-fA-F]{8}-|mrk-)' aws-kms
      need_setting AWS_REGION 'an AWS region name' 'eu-west-1' '^[a-z]{2}(-[a-z]+)+-[0-9]+$' aws-kms
      ;;
    gcp-kms)
      need_setting GCP_KMS_KEY_NAME 'a full resource name projects/P/locations/L/keyRings/R/cryptoKeys/K' \
        'projects/my-project/locations/europe-west1/keyRings/connector/cryptoKeys/settlement' \
        '^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+(/cryptoKeyVersions/[0-9]+)?$' gcp-kms
      ;;
    azure-kv)
      need_setting AZURE_KEY_VAULT_URL 'an https:// vault URL' 'https://my-vault.vault.azure.net' \
        '^https://[^[:space:]/]+/?$' azure-kv
      need_setting AZURE_KEY_NAME 'a key name of letters, digits and dashes' 'settlement-key' \
        '^[0-9A-Za-z-]{1,127}$' azure-kv
      ;;
    *)
      if [[ $v =~ ^[a-z-]{1,20}$ ]]; then
        fail "KEY_BACKEND is \"${v}\" in $(source_of KEY_BACKEND), not a known key backend. Fix: set KEY_BACKEND to aws-kms, gcp-kms or azure-kv."
      else
        fail "KEY_BACKEND in $(source_of KEY_BACKEND) is not a known key backend. Fix: set KEY_BACKEND to aws-kms, gcp-kms or azure-kv."
      fi
      ;;
  esac
}

# password_problem VALUE: print why VALUE is not an acceptable password (nothing if it is).
password_problem() {
  local v=$1
  if [[ -z $v ]]; then
    printf 'is empty'
  elif is_default_password "$v"; then
    printf 'is a default password ("admin" or another well-known one)'
  elif ((${#v} < MIN_PASSWORD_LENGTH)); then
    printf 'is shorter than %d characters' "$MIN_PASSWORD_LENGTH"
  fi
}

# read_secret PATH: print the file's content without one trailing newline.
read_secret() {
  local content
  content=$(<"$1")
  printf '%s' "$content"
}

# check_secret_file NAME WHAT FIX: the file must exist, be a non-empty regular file, not writable by
# group/others. Returns 1 when it cannot be used (so content checks are skipped).
check_secret_file() {
  local name=$1 what=$2 fix=$3 path="${secrets_dir}/$1" mode
  if [[ ! -e $path ]]; then
    fail "${path} is missing: ${what}. Fix: ${fix} (see secrets/README.md)."
    return 1
  fi
  if [[ ! -f $path ]]; then
    fail "${path} is not a regular file. Fix: replace it with a file holding ${what#* }."
    return 1
  fi
  if [[ ! -r $path ]]; then
    fail "${path} is not readable by $(id -un). Fix: run the preflight as the deploying user (usually root)."
    return 1
  fi
  if [[ ! -s $path ]] || [[ -z $(read_secret "$path" | tr -d '[:space:]') ]]; then
    fail "${path} is empty: ${what}. Fix: ${fix}."
    return 1
  fi
  mode=$(stat -c '%a' "$path" 2>/dev/null || stat -f '%Lp' "$path")
  if (((8#$mode & 8#022) != 0)); then
    fail "${path} is writable by group or others (mode ${mode}). Fix: chmod 0400 ${path}."
  elif (((8#$mode & 8#004) != 0)); then
    warn "${path} is readable by every user on this host (mode ${mode}). Fix: chown it to the container user and chmod 0400 (see secrets/README.md)."
  fi
  return 0
}

is_placeholder() {
  [[ $1 == *XXXX* || $1 == *your-* || $1 == *example* || $1 == *T000/B000* || $1 == *changeme* ]]
}

check_grafana() {
  local gp problem path="${secrets_dir}/grafana_admin_password" fix
  fix="write a strong password to ${path}, e.g. openssl rand -base64 24 | tr -d '\\n' > ${path}"
  if gp=$(lookup GRAFANA_PASSWORD) && [[ -n $gp ]]; then
    problem=$(password_problem "$gp")
    if [[ -n $problem ]]; then
      fail "GRAFANA_PASSWORD in $(source_of GRAFANA_PASSWORD) ${problem}. Fix: remove it from the production env file (production reads only ${path}) or set a unique password of ${MIN_PASSWORD_LENGTH}+ characters."
    fi
  elif [[ ! -e $path ]]; then
    # No secret file and no usable password anywhere: name the variable operators know.
    fail "GRAFANA_PASSWORD is empty or unset and ${path} is missing: Grafana would have no admin password. Fix: ${fix}."
    return
  fi
  check_secret_file grafana_admin_password "the Grafana admin password (the only source docker-compose-production.yml uses)" "$fix" || return 0
  problem=$(password_problem "$(read_secret "$path")")
  if [[ -n $problem ]]; then
    fail "${path} ${problem}. Fix: ${fix}."
  fi
}

check_alertmanager_secrets() {
  local path v
  if check_secret_file slack_webhook_url "the Slack webhook URL for the critical-alerts and high-alerts receivers" \
    "write the incoming-webhook URL from Slack to ${secrets_dir}/slack_webhook_url"; then
    path="${secrets_dir}/slack_webhook_url"
    v=$(read_secret "$path")
    if [[ ! $v =~ ^https://[^[:space:]]+$ ]]; then
      fail "${path} does not hold an https:// URL. Fix: write only the webhook URL (https://hooks.slack.com/services/...) to it."
    elif is_placeholder "$v"; then
      fail "${path} holds the placeholder from the documentation. Fix: write your real Slack webhook URL to it."
    fi
  fi
  if check_secret_file pagerduty_routing_key "the PagerDuty Events API v2 integration key for the critical-alerts receiver" \
    "write the integration key of your PagerDuty service to ${secrets_dir}/pagerduty_routing_key"; then
    path="${secrets_dir}/pagerduty_routing_key"
    v=$(read_secret "$path")
    if is_placeholder "$v" || [[ ! $v =~ ^[A-Za-z0-9]{32}$ ]]; then
      fail "${path} is not a 32-character PagerDuty integration key. Fix: copy the Events API v2 integration key of the PagerDuty service into it."
    fi
  fi
  if check_secret_file smtp_auth_password "the SMTP password for the default (email) receiver" \
    "write the SMTP user's password to ${secrets_dir}/smtp_auth_password"; then
    path="${secrets_dir}/smtp_auth_password"
    v=$(read_secret "$path")
    if is_placeholder "$v" || is_default_password "$v"; then
      fail "${path} holds a placeholder or default password. Fix: write the real SMTP password to it."
    fi
  fi
}

check_tigerbeetle() {
  local v
  if ! v=$(lookup TIGERBEETLE_CLUSTER_ID) || [[ -z $v ]]; then
    fail "TIGERBEETLE_CLUSTER_ID is not set in ${env_file_label}; docker-compose-production.yml needs it to format the data file. Fix: set it once to a random 128-bit decimal, e.g. TIGERBEETLE_CLUSTER_ID=\$(od -An -N8 -tu8 /dev/urandom | tr -d ' '), and never change it afterwards."
  elif ! is_u128 "$v"; then
    fail "TIGERBEETLE_CLUSTER_ID in $(source_of TIGERBEETLE_CLUSTER_ID) is not a decimal integer between 0 and 2^128-1. Fix: set it to a random decimal number such as the output of od -An -N8 -tu8 /dev/urandom."
  elif [[ $v =~ ^0+$ ]]; then
    warn "TIGERBEETLE_CLUSTER_ID is 0, which TigerBeetle reserves for testing. Fix: before the first start, set a random cluster id (it cannot change once the data file is formatted)."
  fi
}

check_image() {
  local v
  if ! v=$(lookup CONNECTOR_IMAGE) || [[ -z $v ]]; then
    warn "CONNECTOR_IMAGE is not set, so the :latest tag is deployed. Fix: set CONNECTOR_IMAGE to a released version or digest (ghcr.io/m2m-ilp/m2m-ilp-connector:1.2.3 or ...@sha256:...)."
  elif [[ $v == *:latest || ! $v =~ [:@] ]]; then
    warn "CONNECTOR_IMAGE uses the latest tag. Fix: pin a released version or digest."
  fi
}

# ---------------------------------------------------------------------------------------- main

main() {
  local env_file_given=false
  secrets_dir="${SCRIPT_DIR}/../secrets"
  env_file=".env"
  while (($# > 0)); do
    case $1 in
      -h | --help)
        usage
        return 0
        ;;
      --env-file)
        [[ $# -ge 2 && -n $2 ]] || { err "--env-file needs a path. Fix: --env-file .env.production"; return 2; }
        env_file=$2
        env_file_given=true
        shift 2
        ;;
      --env-file=*)
        env_file=${1#*=}
        env_file_given=true
        shift
        ;;
      --secrets-dir)
        [[ $# -ge 2 && -n $2 ]] || { err "--secrets-dir needs a directory. Fix: --secrets-dir ./secrets"; return 2; }
        secrets_dir=$2
        shift 2
        ;;
      --secrets-dir=*)
        secrets_dir=${1#*=}
        shift
        ;;
      *)
        err "unknown argument \"$1\". Fix: see --help."
        return 2
        ;;
    esac
  done
  if ((BASH_VERSINFO[0] < 4)); then
    err "needs bash 4 or newer (found ${BASH_VERSION}). Fix: run it with a newer bash."
    return 2
  fi
  secrets_dir=${secrets_dir%/}

  if [[ -f $env_file ]]; then
    if [[ ! -r $env_file ]]; then
      err "cannot read the env file ${env_file}. Fix: run as a user who can read it."
      return 2
    fi
    env_file_label=$env_file
    parse_env_file "$env_file"
  elif [[ $env_file_given == true ]]; then
    err "env file ${env_file} does not exist. Fix: pass the env file you deploy with, e.g. --env-file .env"
    return 2
  else
    err "INFO: no ${env_file} here; checking the process environment only."
  fi
  if [[ ! -d $secrets_dir ]]; then
    fail "secrets directory ${secrets_dir} does not exist. Fix: create it (mkdir -m 0700 ${secrets_dir}) and add the files listed in secrets/README.md, or pass --secrets-dir."
  fi

  check_node_env
  check_key_backend
  check_grafana
  check_alertmanager_secrets
  check_tigerbeetle
  check_image

  if ((problems > 0)); then
    err "FAIL: ${problems} problem(s), ${warnings} warning(s) in ${env_file_label} and ${secrets_dir}: fix them before deploying docker-compose-production.yml."
    return 1
  fi
  printf '%s: PASS: %s and %s are ready for docker-compose-production.yml (%d warning(s)).\n' \
    "$PROG" "$env_file_label" "$secrets_dir" "$warnings"
}

main "$@"
