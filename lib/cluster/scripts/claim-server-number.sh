#!/usr/bin/env bash
# Tells which server (1..N) this node is, in the per-server layout: the number is the
# <NEO4J_SERVER_TAG_KEY> tag of the data volume claim-data-volume.sh just claimed, so a replacement
# instance that claims the same volume is the same server (the store is the server).
#   1. A volume already tagged with a number in 1..N, held by no other volume of this cluster, keeps it.
#   2. Else (untagged, or two volumes hold one number after a race) the lowest number no other volume of
#      this cluster holds is written to the tag. Two volumes with one number: the smaller volume id keeps
#      it, the other moves on, so racing nodes converge. Re-checked after NEO4J_SERVER_SETTLE_SECONDS.
#   Bounded: NEO4J_SERVER_MAX_ROUNDS rounds, then exit 4. Nothing is detached or deleted; only the tag is written.
#
# Output (stdout, one line, only on exit 0): the server number, e.g. 2. Logs go to stderr.
# Env (required):
#   NEO4J_SERVER_VOLUME_ID      the claimed data volume (vol-...)
#   NEO4J_SERVER_COUNT          number of servers N (1-99)
#   NEO4J_CLAIM_VOLUME_NAME     Name tag of the cluster's data volumes
#   NEO4J_CLAIM_ENVIRONMENT     Environment tag of the cluster's data volumes
#   NEO4J_CLAIM_CLUSTER_ID      the cluster's identity tag value
# Env (optional):
#   NEO4J_CLAIM_CLUSTER_TAG_KEY  identity tag key (default neo4j-upgrades:cluster)
#   NEO4J_SERVER_TAG_KEY         default neo4j-upgrades:server
#   NEO4J_SERVER_MAX_ROUNDS      default 5
#   NEO4J_SERVER_SETTLE_SECONDS  default 3
#   NEO4J_CLAIM_AWS_CLI          the aws CLI command (default `aws`; split on spaces)
#   NEO4J_SERVER_AWS_ATTEMPTS    tries of each AWS call before giving up (default 5; a transient error, e.g. an
#                                HTTP 500 the CLI does not retry itself, must not stop a boot)
#   NEO4J_CLUSTER_ENV_FILE       if set, the volume's unbind mark (tag neo4j-upgrades:unbind, set on a copy
#                                of another server's store by the offline upgrade) is appended to it as
#                                NEO4J_UPGRADE_UNBIND for start-neo4j.sh (empty when the volume has none)
# Exit codes: 0 found; 1 unexpected failure; 2 invalid configuration (nothing changed);
#   4 no free server number (more volumes than servers) or no agreement after the rounds.
set -euo pipefail

PROG=claim-server-number
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { local code=$1; shift; log "ERROR: $*"; exit "$code"; }

TAG_RE='^[A-Za-z0-9 _.:/=+@-]{1,255}$'
VOLUME=${NEO4J_SERVER_VOLUME_ID:-}
COUNT=${NEO4J_SERVER_COUNT:-}
NAME=${NEO4J_CLAIM_VOLUME_NAME:-}
ENVIRONMENT=${NEO4J_CLAIM_ENVIRONMENT:-}
CLUSTER_ID=${NEO4J_CLAIM_CLUSTER_ID:-}
CLUSTER_KEY=${NEO4J_CLAIM_CLUSTER_TAG_KEY:-neo4j-upgrades:cluster}
SERVER_KEY=${NEO4J_SERVER_TAG_KEY:-neo4j-upgrades:server}
MAX_ROUNDS=${NEO4J_SERVER_MAX_ROUNDS:-5}
SETTLE=${NEO4J_SERVER_SETTLE_SECONDS:-3}
ATTEMPTS=${NEO4J_SERVER_AWS_ATTEMPTS:-5}
read -r -a AWS_CLI <<<"${NEO4J_CLAIM_AWS_CLI:-aws}"

[[ $VOLUME =~ ^vol-[0-9a-f]{8,17}$ ]] || die 2 "NEO4J_SERVER_VOLUME_ID='$VOLUME' must be a volume id (vol-...)"
[[ $COUNT =~ ^[0-9]{1,2}$ ]] && ((10#$COUNT >= 1)) || die 2 "NEO4J_SERVER_COUNT='$COUNT' must be a whole number, 1 to 99"
for var in NAME ENVIRONMENT CLUSTER_ID CLUSTER_KEY SERVER_KEY; do
  [[ ${!var} =~ $TAG_RE ]] || die 2 "$var='${!var}' must be 1-255 of letters, digits, space and _.:/=+@-"
done
[[ $MAX_ROUNDS =~ ^[0-9]{1,3}$ ]] && ((10#$MAX_ROUNDS >= 1)) || die 2 "NEO4J_SERVER_MAX_ROUNDS='$MAX_ROUNDS' must be a whole number, 1 to 999"
[[ $SETTLE =~ ^[0-9]{1,4}$ ]] || die 2 "NEO4J_SERVER_SETTLE_SECONDS='$SETTLE' must be a whole number of seconds"
[[ $ATTEMPTS =~ ^[0-9]{1,2}$ ]] && ((10#$ATTEMPTS >= 1)) || die 2 "NEO4J_SERVER_AWS_ATTEMPTS='$ATTEMPTS' must be a whole number, 1 to 99"

# One AWS call, tried up to ATTEMPTS times (1 s, 2 s, ... apart). Every call here is a read or an
# idempotent tag write, so a retry after an unknown outcome is safe.
aws_call() {
  local attempt out
  for ((attempt = 1; ; attempt++)); do
    if out=$("${AWS_CLI[@]}" "$@"); then
      printf '%s\n' "$out"
      return 0
    fi
    ((attempt < 10#$ATTEMPTS)) || { log "aws $1 $2 failed $attempt times; giving up"; return 1; }
    log "aws $1 $2 failed (attempt $attempt of $ATTEMPTS); retrying"
    sleep "$attempt"
  done
}

# "<volume-id> <number or None>" for every volume of this cluster, the claimed one included.
holdings() {
  aws_call ec2 describe-volumes \
    --filters "Name=tag:Name,Values=$NAME" "Name=tag:Environment,Values=$ENVIRONMENT" \
    "Name=tag:$CLUSTER_KEY,Values=$CLUSTER_ID" \
    --query "Volumes[].[VolumeId, Tags[?Key=='$SERVER_KEY'] | [0].Value]" --output text
}

# The copy's unbind mark for the container (sourced by start-neo4j.sh: only plain characters pass).
write_unbind_mark() {
  [[ -n ${NEO4J_CLUSTER_ENV_FILE:-} ]] || return 0
  local mark
  mark=$(aws_call ec2 describe-volumes --volume-ids "$VOLUME" \
    --query "Volumes[0].Tags[?Key=='neo4j-upgrades:unbind'] | [0].Value" --output text)
  [[ $mark == None ]] && mark=
  [[ -z $mark || $mark =~ ^[A-Za-z0-9_.:-]{1,128}$ ]] || die 2 "volume $VOLUME's neo4j-upgrades:unbind tag '$mark' is not 1-128 of letters, digits and _.:-"
  [[ -z $mark ]] || log "volume $VOLUME holds a copy of another server's store: unbind mark $mark"
  echo "NEO4J_UPGRADE_UNBIND='$mark'" >>"$NEO4J_CLUSTER_ENV_FILE"
}

for ((round = 1; round <= 10#$MAX_ROUNDS; round++)); do
  table=$(holdings)
  grep -q "^$VOLUME[[:space:]]" <<<"$table" || die 2 "volume $VOLUME is not one of this cluster's data volumes (Name=$NAME Environment=$ENVIRONMENT $CLUSTER_KEY=$CLUSTER_ID)"
  mine=$(awk -v v="$VOLUME" '$1 == v { print $2 }' <<<"$table")
  if [[ $mine =~ ^[0-9]+$ ]] && ((10#$mine >= 1 && 10#$mine <= 10#$COUNT)); then
    # The smallest volume id among the holders of a number keeps it.
    keeper=$(awk -v n="$mine" '$2 == n { print $1 }' <<<"$table" | sort | head -n 1)
    if [[ $keeper == "$VOLUME" ]]; then
      log "volume $VOLUME is server $mine"
      write_unbind_mark
      echo "$mine"
      exit 0
    fi
    log "server $mine is also held by $keeper (which keeps it); choosing another"
  fi
  taken=$(awk -v v="$VOLUME" '$1 != v && $2 ~ /^[0-9]+$/ { print $2 }' <<<"$table" | sort -n | uniq)
  free=
  for ((n = 1; n <= 10#$COUNT; n++)); do
    grep -qx "$n" <<<"$taken" || { free=$n; break; }
  done
  [[ -n $free ]] || die 4 "no free server number: every one of 1..$COUNT is held by another volume of this cluster"
  log "round $round: tagging $VOLUME as server $free"
  aws_call ec2 create-tags --resources "$VOLUME" --tags "Key=$SERVER_KEY,Value=$free" >/dev/null
  sleep "$SETTLE"
done
die 4 "no agreement on a server number after $MAX_ROUNDS rounds"
