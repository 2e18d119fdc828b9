#!/usr/bin/env bash
# Tells which server (1..N) this node is, in the per-server layout: the number is the
# <NEO4J_SERVER_TAG_KEY> tag of the data volume claim-data-volume.sh just claimed, so a replacement
# instance that claims the same volume is the same server (the store is the server).
# EC2 tags have no conditional write, so the claim itself is made in an SSM ledger, one parameter per
# claim, created without --overwrite (the second creator gets ParameterAlreadyExists, atomically):
#   <prefix>/<n>/<generation> = the claiming volume id (generation 1, 2, ...; never overwritten or deleted).
# The holder of n is the value at n's highest generation; it is live while its volume is one of this
# cluster's data volumes (a renamed -old/-failed or deleted volume is not), whatever its tag says.
# Each round (the ledger is read before the volumes, so every holder read had its volume made before):
#   1. This volume holds some n: (re)tag it with n and answer n (a reboot or a re-run).
#   2. Candidate: the volume's own tag n in 1..N (restores and replacements keep their number) unless n's
#      holder is another live volume; else the lowest n whose holder is absent or not live and that no
#      other live volume carries as its tag (a server's volume waiting for its instance keeps its number).
#   3. Create <prefix>/<n>/<g+1> (g: n's highest generation, 0 if none). Created: tag and answer n.
#      ParameterAlreadyExists: someone claimed or took over first; next round.
#   Bounded: NEO4J_SERVER_MAX_ROUNDS rounds, then exit 4. Nothing is detached or deleted.
#
# Output (stdout, one line, only on exit 0): the server number, e.g. 2. Logs go to stderr.
# Env (required):
#   NEO4J_SERVER_VOLUME_ID      the claimed data volume (vol-...)
#   NEO4J_SERVER_COUNT          number of servers N (1-99)
#   NEO4J_SERVER_CLAIM_PARAMETER_PREFIX  the ledger's SSM path, e.g. /neo4j-upgrades/<cluster>/servers-claimed
#   NEO4J_CLAIM_VOLUME_NAME     Name tag of the cluster's data volumes
#   NEO4J_CLAIM_ENVIRONMENT     Environment tag of the cluster's data volumes
#   NEO4J_CLAIM_CLUSTER_ID      the cluster's identity tag value
# Env (optional):
#   NEO4J_CLAIM_CLUSTER_TAG_KEY  identity tag key (default neo4j-upgrades:cluster)
#   NEO4J_SERVER_TAG_KEY         default neo4j-upgrades:server
#   NEO4J_SERVER_MAX_ROUNDS      default 5
#   NEO4J_CLAIM_AWS_CLI          the aws CLI command (default `aws`; split on spaces)
#   NEO4J_SERVER_AWS_ATTEMPTS    tries of each AWS call before giving up (default 5; a transient error, e.g. an
#                                HTTP 500 the CLI does not retry itself, must not stop a boot)
#   NEO4J_CLUSTER_ENV_FILE       if set, the volume's unbind mark (tag neo4j-upgrades:unbind, set on a copy
#                                of another server's store by the offline upgrade) is appended to it as
#                                NEO4J_UPGRADE_UNBIND for start-neo4j.sh (empty when the volume has none)
#   (NEO4J_SERVER_SETTLE_SECONDS is no longer read: the ledger's conditional create replaced the settle sleep.)
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
PREFIX=${NEO4J_SERVER_CLAIM_PARAMETER_PREFIX:-}
ATTEMPTS=${NEO4J_SERVER_AWS_ATTEMPTS:-5}
read -r -a AWS_CLI <<<"${NEO4J_CLAIM_AWS_CLI:-aws}"

[[ $VOLUME =~ ^vol-[0-9a-f]{8,17}$ ]] || die 2 "NEO4J_SERVER_VOLUME_ID='$VOLUME' must be a volume id (vol-...)"
[[ $COUNT =~ ^[0-9]{1,2}$ ]] && ((10#$COUNT >= 1)) || die 2 "NEO4J_SERVER_COUNT='$COUNT' must be a whole number, 1 to 99"
for var in NAME ENVIRONMENT CLUSTER_ID CLUSTER_KEY SERVER_KEY; do
  [[ ${!var} =~ $TAG_RE ]] || die 2 "$var='${!var}' must be 1-255 of letters, digits, space and _.:/=+@-"
done
[[ $MAX_ROUNDS =~ ^[0-9]{1,3}$ ]] && ((10#$MAX_ROUNDS >= 1)) || die 2 "NEO4J_SERVER_MAX_ROUNDS='$MAX_ROUNDS' must be a whole number, 1 to 999"
[[ $PREFIX =~ ^(/[A-Za-z0-9_.-]+){1,10}$ && ${#PREFIX} -le 900 ]] || die 2 "NEO4J_SERVER_CLAIM_PARAMETER_PREFIX='$PREFIX' must be an SSM path: 1-10 /segments of letters, digits and _.-, at most 900 characters"
[[ $ATTEMPTS =~ ^[0-9]{1,2}$ ]] && ((10#$ATTEMPTS >= 1)) || die 2 "NEO4J_SERVER_AWS_ATTEMPTS='$ATTEMPTS' must be a whole number, 1 to 99"

# One AWS call, tried up to ATTEMPTS times (1 s, 2 s, ... apart). Every call here is a read, an
# idempotent tag write or a create-once ledger write, so a retry after an unknown outcome is safe. A
# create that lost (ParameterAlreadyExists) is an answer, not a failure: returned at once as 3.
aws_call() {
  local attempt out err
  for ((attempt = 1; ; attempt++)); do
    if out=$("${AWS_CLI[@]}" "$@" 2>"$ERR_FILE"); then
      printf '%s\n' "$out"
      return 0
    fi
    err=$(<"$ERR_FILE")
    [[ $err != *ParameterAlreadyExists* ]] || return 3
    [[ -z $err ]] || log "$err"
    ((attempt < 10#$ATTEMPTS)) || { log "aws $1 $2 failed $attempt times; giving up"; return 1; }
    log "aws $1 $2 failed (attempt $attempt of $ATTEMPTS); retrying"
    sleep "$attempt"
  done
}
ERR_FILE=$(mktemp)
trap 'rm -f "$ERR_FILE"' EXIT

# "<n> <highest generation> <holder volume id>" for every number claimed in the ledger.
ledger() {
  aws_call ssm get-parameters-by-path --path "$PREFIX" --recursive \
    --query 'Parameters[].[Name, Value]' --output text |
    awk -v p="$PREFIX/" 'index($1, p) == 1 {
        split(substr($1, length(p) + 1), part, "/")
        n = part[1]; g = part[2]
        if (n ~ /^[0-9]+$/ && g ~ /^[0-9]+$/ && (!(n in top) || g + 0 > top[n])) { top[n] = g + 0; holder[n] = $2 }
      }
      END { for (n in top) print n, top[n], holder[n] }'
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

# Answers n: the volume's tag says n (idempotent), then the unbind mark; exits 0.
answer() {
  local n=$1
  aws_call ec2 create-tags --resources "$VOLUME" --tags "Key=$SERVER_KEY,Value=$n" >/dev/null
  log "volume $VOLUME is server $n"
  write_unbind_mark
  echo "$n"
  exit 0
}

# n's holder in the ledger read this round (empty if none), and whether it is live: still one of this
# cluster's data volumes in the volumes read after the ledger.
holder() { awk -v n="$1" '$1 == n { print $3 }' <<<"$claims"; }
holder_live() { local h; h=$(holder "$1"); [[ -n $h ]] && grep -qx "$h" <<<"$live"; }

for ((round = 1; round <= 10#$MAX_ROUNDS; round++)); do
  claims=$(ledger)
  table=$(holdings)
  grep -q "^$VOLUME[[:space:]]" <<<"$table" || die 2 "volume $VOLUME is not one of this cluster's data volumes (Name=$NAME Environment=$ENVIRONMENT $CLUSTER_KEY=$CLUSTER_ID)"
  live=$(awk '{ print $1 }' <<<"$table")
  held=$(awk -v v="$VOLUME" -v c="$COUNT" '$3 == v && $1 >= 1 && $1 <= c + 0 { print $1 }' <<<"$claims" | sort -n | head -n 1)
  [[ -z $held ]] || answer "$held"
  mine=$(awk -v v="$VOLUME" '$1 == v { print $2 }' <<<"$table")
  want=
  if [[ $mine =~ ^[0-9]+$ ]] && ((10#$mine >= 1 && 10#$mine <= 10#$COUNT)); then
    if holder_live "$mine"; then
      log "server $mine is held by live volume $(holder "$mine"); choosing another"
    else
      want=$((10#$mine))
    fi
  fi
  if [[ -z $want ]]; then
    tagged=$(awk -v v="$VOLUME" '$1 != v && $2 ~ /^[0-9]+$/ { print $2 + 0 }' <<<"$table" | sort -n | uniq)
    for ((n = 1; n <= 10#$COUNT; n++)); do
      holder_live "$n" || grep -qx "$n" <<<"$tagged" || { want=$n; break; }
    done
  fi
  [[ -n $want ]] || die 4 "no free server number: every one of 1..$COUNT is held or carried by another volume of this cluster"
  generation=$(( $(awk -v n="$want" '$1 == n { print $2 }' <<<"$claims") + 1 ))
  log "round $round: claiming server $want for $VOLUME ($PREFIX/$want/$generation)"
  if aws_call ssm put-parameter --name "$PREFIX/$want/$generation" --value "$VOLUME" --type String >/dev/null; then
    answer "$want"
  else
    rc=$?
    ((rc == 3)) || die 1 "could not write the claim $PREFIX/$want/$generation"
    log "round $round: $PREFIX/$want/$generation was claimed first by another node; reading again"
  fi
done
die 4 "no agreement on a server number after $MAX_ROUNDS rounds"
