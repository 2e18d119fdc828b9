#!/usr/bin/env bash
# Claims this node's Neo4j data volume at boot (EC2 user data, before the ECS agent starts Neo4j).
# AWS-API part only: finds, attaches or creates the EBS volume. mount-data-volume.sh does the device part.
#
# A data volume is an EBS volume tagged Name=<NEO4J_CLAIM_VOLUME_NAME> AND
# Environment=<NEO4J_CLAIM_ENVIRONMENT> (exact values: `<name>-old` is not one) in this instance's AZ
# that belongs to this cluster: tagged <NEO4J_CLAIM_CLUSTER_TAG_KEY>=<NEO4J_CLAIM_CLUSTER_ID>. Another
# cluster's volume (another value) is never claimed, whatever its Name and Environment. A volume without
# that tag (made before clusters had identities) is claimed only with NEO4J_CLAIM_ADOPT_UNTAGGED=true, and
# is then tagged with this cluster's identity (adopted). Without NEO4J_CLAIM_CLUSTER_ID, only volumes
# without the tag are claimed (the behaviour of clusters that have no identity).
#   1. One already attached to this instance (reboot, or a re-run) is reused.
#   2. Else the available ones in this AZ are tried, oldest first. Losing one to a racing node (AttachVolume
#      fails, or a re-describe shows it attached to another instance) moves on to the next.
#   3. Else, only when no tagged volume is available in this AZ any more, a new one is created, tagged,
#      and attached. A volume this script created but failed to attach stays in the pool (never deleted).
#   Bounded: NEO4J_CLAIM_MAX_ROUNDS rounds of the above, then exit 4. Nothing is ever detached or deleted.
#
# Output (stdout, one line, only on exit 0):  <volume-id> <device-name>    e.g.  vol-0abc... /dev/xvdf
#   The device name is the one EC2 records; on Nitro instances the block device is an NVMe device
#   whose serial is the volume id: give both to mount-data-volume.sh. Logs go to stderr.
#
# Env (required):
#   NEO4J_CLAIM_VOLUME_NAME        Name tag value (letters, digits, space and _.:/=+@- ; 1-255 chars)
#   NEO4J_CLAIM_ENVIRONMENT        Environment tag value (same characters)
#   NEO4J_CLAIM_VOLUME_SIZE        GiB of a volume this script creates (1-65536)
# Env (optional, the cluster's identity):
#   NEO4J_CLAIM_CLUSTER_ID         the identity tag value (same characters as Name); new volumes carry it
#   NEO4J_CLAIM_CLUSTER_TAG_KEY    its tag key (default neo4j-upgrades:cluster)
#   NEO4J_CLAIM_ADOPT_UNTAGGED     true: also claim (and tag) volumes without the identity tag; default false
# Env (optional, for volumes this script creates):
#   NEO4J_CLAIM_VOLUME_TYPE        gp3 (default), gp2, io1, io2, st1, sc1, standard
#   NEO4J_CLAIM_VOLUME_IOPS        provisioned IOPS (gp3, io1, io2 only); default: none given
#   NEO4J_CLAIM_VOLUME_THROUGHPUT  MiB/s (gp3 only); default: none given
#   NEO4J_CLAIM_VOLUME_ENCRYPTED   true (default) or false
#   NEO4J_CLAIM_VOLUME_KMS_KEY_ID  key id, key ARN, alias/NAME or alias ARN (needs encrypted=true);
#                                  default: the account's default EBS key
# Env (optional, this instance; default from IMDSv2):
#   NEO4J_CLAIM_INSTANCE_ID        e.g. i-0123456789abcdef0
#   NEO4J_CLAIM_AVAILABILITY_ZONE  e.g. eu-west-1a
#   AWS_REGION, else AWS_DEFAULT_REGION, else IMDS placement/region. Never hard-coded.
#   NEO4J_CLAIM_IMDS_ENDPOINT      default http://169.254.169.254 (tests point it at a stub)
# Env (optional, behaviour):
#   NEO4J_CLAIM_DEVICE             preferred device name, /dev/sd[f-p] or /dev/xvd[f-p] (default /dev/xvdf);
#                                  the next free one of /dev/xvdf../dev/xvdp is used if it is taken
#   NEO4J_CLAIM_MAX_ROUNDS         default 5
#   NEO4J_CLAIM_RETRY_DELAY_SECONDS    base pause between rounds, plus 0..base of jitter (default 5)
#   NEO4J_CLAIM_ATTACH_TIMEOUT_SECONDS how long to wait for an attachment to be `attached` (default 90)
#   NEO4J_CLAIM_CREATE_TIMEOUT_SECONDS how long to wait for a new volume to be `available` (default 120)
#   NEO4J_CLAIM_POLL_SECONDS       pause between describe calls while waiting (default 2)
#   NEO4J_CLAIM_SETTLE_SECONDS     after attaching a volume and seeing it `attached`, wait this long and
#                                  check it is still this instance's alone before reporting it (default 2;
#                                  0 = no re-check). EC2 itself rejects a second attach; this catches an
#                                  API (e.g. an emulator) that lets the last attach win.
#   NEO4J_CLAIM_AWS_CLI            the aws CLI command (default `aws`; split on spaces)
#   AWS_ENDPOINT_URL               honoured by the aws CLI itself (tests and the rehearsal use moto)
# Arguments: none.
# Needs: bash, aws CLI (v1 or v2), curl (only when IMDS is asked), coreutils.
#
# Exit codes:
#   0  claimed; the line above is on stdout
#   1  unexpected failure (a bug: the script stops at the first failing command)
#   2  invalid or missing configuration (nothing was changed)
#   3  environment: aws CLI or curl missing, or instance id / AZ / region not obtainable from IMDS
#   4  no volume claimed after NEO4J_CLAIM_MAX_ROUNDS rounds, or a created volume went to `error`
#   5  refused to create an empty volume beside an available one without an identity tag (not adopted)
set -euo pipefail

PROG=claim-data-volume
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { local code=$1; shift; log "ERROR: $*"; exit "$code"; }

# ---------------------------------------------------------------------------------------------------
# Configuration (validated before any AWS call)
# ---------------------------------------------------------------------------------------------------
TAG_RE='^[A-Za-z0-9 _.:/=+@-]{1,255}$'
UINT_RE='^[0-9]{1,9}$'
SECONDS_RE='^[0-9]{1,6}(\.[0-9]{1,3})?$'

NAME=${NEO4J_CLAIM_VOLUME_NAME:-}
ENVIRONMENT=${NEO4J_CLAIM_ENVIRONMENT:-}
SIZE=${NEO4J_CLAIM_VOLUME_SIZE:-}
CLUSTER_ID=${NEO4J_CLAIM_CLUSTER_ID:-}
CLUSTER_KEY=${NEO4J_CLAIM_CLUSTER_TAG_KEY:-neo4j-upgrades:cluster}
ADOPT=${NEO4J_CLAIM_ADOPT_UNTAGGED:-false}
VOLUME_TYPE=${NEO4J_CLAIM_VOLUME_TYPE:-gp3}
IOPS=${NEO4J_CLAIM_VOLUME_IOPS:-}
THROUGHPUT=${NEO4J_CLAIM_VOLUME_THROUGHPUT:-}
ENCRYPTED=${NEO4J_CLAIM_VOLUME_ENCRYPTED:-true}
KMS_KEY_ID=${NEO4J_CLAIM_VOLUME_KMS_KEY_ID:-}
PREFERRED_DEVICE=${NEO4J_CLAIM_DEVICE:-/dev/xvdf}
MAX_ROUNDS=${NEO4J_CLAIM_MAX_ROUNDS:-5}
RETRY_DELAY=${NEO4J_CLAIM_RETRY_DELAY_SECONDS:-5}
ATTACH_TIMEOUT=${NEO4J_CLAIM_ATTACH_TIMEOUT_SECONDS:-90}
CREATE_TIMEOUT=${NEO4J_CLAIM_CREATE_TIMEOUT_SECONDS:-120}
POLL=${NEO4J_CLAIM_POLL_SECONDS:-2}
SETTLE=${NEO4J_CLAIM_SETTLE_SECONDS:-2}
IMDS=${NEO4J_CLAIM_IMDS_ENDPOINT:-http://169.254.169.254}
read -r -a AWS_CLI <<<"${NEO4J_CLAIM_AWS_CLI:-aws}"

[[ $NAME =~ $TAG_RE ]] ||
  die 2 "NEO4J_CLAIM_VOLUME_NAME='$NAME' must be 1-255 of letters, digits, space and _.:/=+@-"
[[ $ENVIRONMENT =~ $TAG_RE ]] ||
  die 2 "NEO4J_CLAIM_ENVIRONMENT='$ENVIRONMENT' must be 1-255 of letters, digits, space and _.:/=+@-"
[[ -z $CLUSTER_ID || $CLUSTER_ID =~ $TAG_RE ]] ||
  die 2 "NEO4J_CLAIM_CLUSTER_ID='$CLUSTER_ID' must be 1-255 of letters, digits, space and _.:/=+@-"
[[ $CLUSTER_KEY =~ $TAG_RE ]] ||
  die 2 "NEO4J_CLAIM_CLUSTER_TAG_KEY='$CLUSTER_KEY' must be 1-255 of letters, digits, space and _.:/=+@-"
[[ $ADOPT == true || $ADOPT == false ]] || die 2 "NEO4J_CLAIM_ADOPT_UNTAGGED='$ADOPT' must be true or false"
[[ $ADOPT == false || -n $CLUSTER_ID ]] ||
  die 2 "NEO4J_CLAIM_ADOPT_UNTAGGED=true needs NEO4J_CLAIM_CLUSTER_ID (the identity an adopted volume gets)"
[[ $SIZE =~ $UINT_RE ]] && ((10#$SIZE >= 1 && 10#$SIZE <= 65536)) ||
  die 2 "NEO4J_CLAIM_VOLUME_SIZE='$SIZE' must be a whole number of GiB, 1 to 65536"
case $VOLUME_TYPE in
  gp2 | gp3 | io1 | io2 | st1 | sc1 | standard) ;;
  *) die 2 "NEO4J_CLAIM_VOLUME_TYPE='$VOLUME_TYPE' must be one of gp2 gp3 io1 io2 st1 sc1 standard" ;;
esac
if [[ -n $IOPS ]]; then
  [[ $IOPS =~ $UINT_RE ]] && ((10#$IOPS > 0)) || die 2 "NEO4J_CLAIM_VOLUME_IOPS='$IOPS' must be a positive whole number"
  case $VOLUME_TYPE in
    gp3 | io1 | io2) ;;
    *) die 2 "NEO4J_CLAIM_VOLUME_IOPS='$IOPS' is only valid with volume type gp3, io1 or io2, not '$VOLUME_TYPE'" ;;
  esac
fi
if [[ -n $THROUGHPUT ]]; then
  [[ $THROUGHPUT =~ $UINT_RE ]] && ((10#$THROUGHPUT > 0)) ||
    die 2 "NEO4J_CLAIM_VOLUME_THROUGHPUT='$THROUGHPUT' must be a positive whole number of MiB/s"
  [[ $VOLUME_TYPE == gp3 ]] ||
    die 2 "NEO4J_CLAIM_VOLUME_THROUGHPUT='$THROUGHPUT' is only valid with volume type gp3, not '$VOLUME_TYPE'"
fi
[[ $ENCRYPTED == true || $ENCRYPTED == false ]] ||
  die 2 "NEO4J_CLAIM_VOLUME_ENCRYPTED='$ENCRYPTED' must be true or false"
if [[ -n $KMS_KEY_ID ]]; then
  [[ $KMS_KEY_ID =~ ^[A-Za-z0-9:/_.-]+$ ]] ||
    die 2 "NEO4J_CLAIM_VOLUME_KMS_KEY_ID='$KMS_KEY_ID' is not a key id, key ARN or alias"
  [[ $ENCRYPTED == true ]] ||
    die 2 "NEO4J_CLAIM_VOLUME_KMS_KEY_ID is set but NEO4J_CLAIM_VOLUME_ENCRYPTED=false"
fi
[[ $PREFERRED_DEVICE =~ ^/dev/(sd|xvd)[f-p]$ ]] ||
  die 2 "NEO4J_CLAIM_DEVICE='$PREFERRED_DEVICE' must be /dev/sdf../dev/sdp or /dev/xvdf../dev/xvdp"
[[ $MAX_ROUNDS =~ $UINT_RE ]] && ((10#$MAX_ROUNDS >= 1)) ||
  die 2 "NEO4J_CLAIM_MAX_ROUNDS='$MAX_ROUNDS' must be a whole number >= 1"
for var in NEO4J_CLAIM_RETRY_DELAY_SECONDS NEO4J_CLAIM_ATTACH_TIMEOUT_SECONDS \
  NEO4J_CLAIM_CREATE_TIMEOUT_SECONDS; do
  value=${!var:-}
  [[ -z $value || $value =~ $UINT_RE ]] || die 2 "$var='$value' must be a whole number of seconds"
done
for var in NEO4J_CLAIM_POLL_SECONDS NEO4J_CLAIM_SETTLE_SECONDS; do
  value=${!var:-}
  [[ -z $value || $value =~ $SECONDS_RE ]] || die 2 "$var='$value' must be a number of seconds"
done
[[ $IMDS =~ ^https?://[^/[:space:]]+$ ]] ||
  die 2 "NEO4J_CLAIM_IMDS_ENDPOINT='$IMDS' must be http(s)://host[:port]"
((${#AWS_CLI[@]} > 0)) || die 2 "NEO4J_CLAIM_AWS_CLI is empty"

ATTACH_TIMEOUT=$((10#$ATTACH_TIMEOUT)) CREATE_TIMEOUT=$((10#$CREATE_TIMEOUT)) RETRY_DELAY=$((10#$RETRY_DELAY))

command -v "${AWS_CLI[0]}" >/dev/null 2>&1 ||
  die 3 "the aws CLI ('${AWS_CLI[0]}') was not found: install it (Amazon Linux 2023: dnf install -y awscli-2)"

# ---------------------------------------------------------------------------------------------------
# This instance: env overrides, else IMDSv2
# ---------------------------------------------------------------------------------------------------
IMDS_TOKEN=
imds() {
  local path=$1 attempt value
  command -v curl >/dev/null 2>&1 || die 3 "curl is needed to read '$path' from IMDS (or set the env override)"
  for attempt in 1 2 3 4 5; do
    if [[ -z $IMDS_TOKEN ]]; then
      IMDS_TOKEN=$(curl -sf --connect-timeout 2 --max-time 5 -X PUT \
        -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/latest/api/token") || IMDS_TOKEN=
    fi
    if [[ -n $IMDS_TOKEN ]] &&
      value=$(curl -sf --connect-timeout 2 --max-time 5 -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" \
        "$IMDS/latest/meta-data/$path") && [[ -n $value ]]; then
      printf '%s\n' "$value"
      return 0
    fi
    IMDS_TOKEN=
    sleep "$attempt"
  done
  return 1
}

INSTANCE_ID=${NEO4J_CLAIM_INSTANCE_ID:-}
if [[ -z $INSTANCE_ID ]]; then
  INSTANCE_ID=$(imds instance-id) || die 3 "could not read instance-id from IMDSv2 at $IMDS"
fi
AZ=${NEO4J_CLAIM_AVAILABILITY_ZONE:-}
if [[ -z $AZ ]]; then
  AZ=$(imds placement/availability-zone) || die 3 "could not read placement/availability-zone from IMDSv2 at $IMDS"
fi
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
if [[ -z $REGION ]]; then
  REGION=$(imds placement/region) || die 3 "could not read placement/region from IMDSv2 at $IMDS"
fi
[[ $INSTANCE_ID =~ ^i-[0-9a-f]{1,32}$ ]] || die 2 "instance id '$INSTANCE_ID' is not an EC2 instance id"
[[ $AZ =~ ^[a-z0-9-]{3,64}$ ]] || die 2 "availability zone '$AZ' is not a zone name"
[[ $REGION =~ ^[a-z0-9-]{3,64}$ ]] || die 2 "region '$REGION' is not a region name"

OWNER="$CLUSTER_KEY=${CLUSTER_ID:-(none)}"
[[ $ADOPT == false ]] || OWNER="$OWNER or untagged"
log "instance $INSTANCE_ID in $AZ ($REGION): claiming a volume tagged Name=$NAME Environment=$ENVIRONMENT $OWNER"

# ---------------------------------------------------------------------------------------------------
# AWS calls. ec2() leaves stdout in OUT and stderr (one line) in ERR; neither mixes into the other.
# ---------------------------------------------------------------------------------------------------
export AWS_PAGER=""
ERR_FILE=$(mktemp)
trap 'rm -f "$ERR_FILE"' EXIT
OUT=
ERR=
LAST_ERROR=
ec2() {
  local rc=0
  OUT=$("${AWS_CLI[@]}" --region "$REGION" --output text ec2 "$@" </dev/null 2>"$ERR_FILE") || rc=$?
  ERR=$(tr '\n' ' ' <"$ERR_FILE")
  return "$rc"
}
failed() { LAST_ERROR="$*"; log "$LAST_ERROR"; return 1; }

# Server-side filters plus the same conditions in the JMESPath query (exact tag values, defensively).
TAG_FILTERS="{\"Name\":\"tag:Name\",\"Values\":[\"$NAME\"]},{\"Name\":\"tag:Environment\",\"Values\":[\"$ENVIRONMENT\"]}"
IS_DATA_VOLUME="Tags[?Key=='Name' && Value=='$NAME'] && Tags[?Key=='Environment' && Value=='$ENVIRONMENT']"
# Ours: tagged with our identity; untagged only when adopting (or when we have none).
UNTAGGED="!(Tags[?Key=='$CLUSTER_KEY'])"
if [[ -z $CLUSTER_ID ]]; then
  IS_OURS=$UNTAGGED
elif [[ $ADOPT == true ]]; then
  IS_OURS="(Tags[?Key=='$CLUSTER_KEY' && Value=='$CLUSTER_ID'] || $UNTAGGED)"
else
  IS_OURS="Tags[?Key=='$CLUSTER_KEY' && Value=='$CLUSTER_ID']"
  TAG_FILTERS="$TAG_FILTERS,{\"Name\":\"tag:$CLUSTER_KEY\",\"Values\":[\"$CLUSTER_ID\"]}"
fi
IS_DATA_VOLUME="$IS_DATA_VOLUME && $IS_OURS"
MY_ATTACHMENT="Attachments[?InstanceId=='$INSTANCE_ID'] | [0]"

# The data volumes in this AZ, in one call, oldest first:
#   ATTACHED_HERE  lines "<volume-id> <device> <state>" of those attached (or attaching) to this instance
#   AVAILABLE      space-separated ids of the `available`, single-attach ones
ATTACHED_HERE=
AVAILABLE=
list_data_volumes() {
  ec2 describe-volumes \
    --filters "[$TAG_FILTERS,{\"Name\":\"availability-zone\",\"Values\":[\"$AZ\"]}]" \
    --query "sort_by(Volumes[?$IS_DATA_VOLUME && AvailabilityZone=='$AZ'], &CreateTime)[].[VolumeId, State, MultiAttachEnabled, $MY_ATTACHMENT.State, $MY_ATTACHMENT.Device]" ||
    failed "DescribeVolumes (Name=$NAME Environment=$ENVIRONMENT $OWNER in $AZ) failed: $ERR" || return 1
  ATTACHED_HERE=$(awk '$1 ~ /^vol-/ && ($4 == "attached" || $4 == "attaching") { print $1, $5, $4 }' <<<"$OUT")
  AVAILABLE=$(awk '$1 ~ /^vol-/ && $2 == "available" && $3 != "True" { print $1 }' <<<"$OUT" | paste -sd ' ' -)
}

# A device name not used by any volume attached to this instance -> DEVICE.
DEVICE=
free_device() {
  local used candidate
  ec2 describe-volumes --filters "[{\"Name\":\"attachment.instance-id\",\"Values\":[\"$INSTANCE_ID\"]}]" \
    --query "Volumes[].Attachments[] | [?InstanceId=='$INSTANCE_ID'].Device" ||
    failed "DescribeVolumes (devices of $INSTANCE_ID) failed: $ERR" || return 1
  used=$(tr -s '\t\n' '  ' <<<" $OUT ")
  used=${used//\/dev\/sd//dev/xvd}
  for candidate in "$PREFERRED_DEVICE" /dev/xvd{f..p}; do
    if [[ $used != *" /dev/xvd${candidate: -1} "* ]]; then
      DEVICE=$candidate
      return 0
    fi
  done
  failed "no free device name among /dev/xvdf../dev/xvdp on $INSTANCE_ID (in use: $used)"
}

# 0 once the volume is attached to this instance and no other (its device name -> DEVICE); 1 when it is
# (or turns out to be) another instance's, or the wait times out. With settle=settle, after `attached`
# it waits NEO4J_CLAIM_SETTLE_SECONDS and checks once more: a racing attach that the API accepted anyway
# (an emulator may, EC2 does not) shows up there, and the volume is not ours.
wait_attached() {
  local volume=$1 settled=true deadline=$((SECONDS + ATTACH_TIMEOUT)) mine='' others=''
  [[ ${2:-} != settle || $SETTLE =~ ^0+(\.0+)?$ ]] || settled=false
  while :; do
    if ec2 describe-volumes --volume-ids "$volume" --query "Volumes[0].Attachments[].[InstanceId, State, Device]"; then
      mine=$(awk -v me="$INSTANCE_ID" '$1 == me { print $2; exit }' <<<"$OUT")
      others=$(awk -v me="$INSTANCE_ID" '$1 ~ /^i-/ && $1 != me { print $1 }' <<<"$OUT" | paste -sd, -)
      [[ -z $others ]] || failed "lost $volume: it is attached to $others, not $INSTANCE_ID" || return 1
      case $mine in
        attached)
          if [[ $settled == true ]]; then
            DEVICE=$(awk -v me="$INSTANCE_ID" '$1 == me { print $3; exit }' <<<"$OUT")
            [[ $DEVICE =~ ^/dev/[a-z0-9]+$ ]] || failed "$volume has no device name for $INSTANCE_ID ('$DEVICE')" || return 1
            return 0
          fi
          sleep "$SETTLE"
          settled=true
          continue
          ;;
        detaching | detached | busy)
          failed "$volume: its attachment to $INSTANCE_ID is '$mine'"
          return 1
          ;;
        *) ;; # attaching, or not visible yet (EC2 reads are eventually consistent)
      esac
    else
      log "describing $volume failed (will retry): $ERR"
    fi
    ((SECONDS < deadline)) ||
      failed "$volume not attached to $INSTANCE_ID within ${ATTACH_TIMEOUT}s (state '${mine:-none}')" || return 1
    sleep "$POLL"
  done
}

# Tags an adopted volume with this cluster's identity (a no-op on one that has it already).
adopt() {
  [[ $ADOPT == true ]] || return 0
  ec2 create-tags --resources "$1" --tags "Key=$CLUSTER_KEY,Value=$CLUSTER_ID" ||
    failed "tagging $1 with $CLUSTER_KEY=$CLUSTER_ID failed: $ERR"
}

# The result line (an adopted volume is tagged first).
report() {
  adopt "$1" || return 1
  log "claimed $1 as $DEVICE"
  printf '%s %s\n' "$1" "$DEVICE"
}

# Attaches the volume to this instance, waits, and reports it; 1 if it is not ours.
try_attach() {
  local volume=$1
  free_device || return 1
  log "attaching $volume to $INSTANCE_ID as $DEVICE"
  ec2 attach-volume --volume-id "$volume" --instance-id "$INSTANCE_ID" --device "$DEVICE" --query State ||
    failed "AttachVolume $volume failed: $ERR" || return 1
  wait_attached "$volume" settle && report "$volume"
}

# Creates a tagged volume in this AZ and waits until it is available -> CREATED.
CREATED=
create_volume() {
  local args deadline state='' NEW_VOLUME_TAGS="{\"Key\":\"Name\",\"Value\":\"$NAME\"},{\"Key\":\"Environment\",\"Value\":\"$ENVIRONMENT\"}"
  if [[ -n $CLUSTER_ID ]]; then NEW_VOLUME_TAGS+=",{\"Key\":\"$CLUSTER_KEY\",\"Value\":\"$CLUSTER_ID\"}"; fi
  args=(create-volume --availability-zone "$AZ" --size "$SIZE" --volume-type "$VOLUME_TYPE"
    --tag-specifications "[{\"ResourceType\":\"volume\",\"Tags\":[$NEW_VOLUME_TAGS]}]"
    --query VolumeId)
  if [[ -n $IOPS ]]; then args+=(--iops "$IOPS"); fi
  if [[ -n $THROUGHPUT ]]; then args+=(--throughput "$THROUGHPUT"); fi
  if [[ $ENCRYPTED == true ]]; then args+=(--encrypted); else args+=(--no-encrypted); fi
  if [[ -n $KMS_KEY_ID ]]; then args+=(--kms-key-id "$KMS_KEY_ID"); fi
  # The CLI fills CreateVolume's ClientToken itself, so its own retries do not create a second volume.
  ec2 "${args[@]}" || failed "CreateVolume in $AZ failed: $ERR" || return 1
  [[ $OUT =~ ^vol-[0-9a-f]+$ ]] || failed "CreateVolume in $AZ returned '$OUT', not a volume id" || return 1
  CREATED=$OUT
  log "created $CREATED ($SIZE GiB $VOLUME_TYPE, encrypted=$ENCRYPTED) in $AZ"
  deadline=$((SECONDS + CREATE_TIMEOUT))
  while :; do
    if ec2 describe-volumes --volume-ids "$CREATED" --query "Volumes[0].State"; then state=$OUT; fi
    case $state in
      available) return 0 ;;
      error) die 4 "created volume $CREATED went to state 'error' (check NEO4J_CLAIM_VOLUME_* and the KMS key); it is left for inspection" ;;
      in-use) failed "created volume $CREATED was claimed by another node first" || return 1 ;;
    esac
    ((SECONDS < deadline)) ||
      failed "created volume $CREATED not available within ${CREATE_TIMEOUT}s (state '${state:-unknown}')" || return 1
    sleep "$POLL"
  done
}

# A cluster given an identity after its volumes were made (an existing cluster upgraded to this library
# version without adoptUntaggedVolumes) would otherwise boot on a new, empty volume while its own data sits
# untagged beside it. Stop instead: the operator adopts them (adoptUntaggedVolumes) or retires them.
refuse_beside_unadopted_volumes() {
  [[ -n $CLUSTER_ID && $ADOPT == false ]] || return 0
  local base="{\"Name\":\"tag:Name\",\"Values\":[\"$NAME\"]},{\"Name\":\"tag:Environment\",\"Values\":[\"$ENVIRONMENT\"]}"
  local unadopted
  ec2 describe-volumes \
    --filters "[$base,{\"Name\":\"availability-zone\",\"Values\":[\"$AZ\"]},{\"Name\":\"status\",\"Values\":[\"available\"]}]" \
    --query "Volumes[?$UNTAGGED].VolumeId" ||
    failed "DescribeVolumes (untagged Name=$NAME Environment=$ENVIRONMENT in $AZ) failed: $ERR" || return 1
  unadopted=$(tr -s '\t\n' '  ' <<<"$OUT" | xargs)
  [[ -z $unadopted ]] || die 5 "not creating an empty volume: $AZ has available volume(s) tagged Name=$NAME" \
    "Environment=$ENVIRONMENT without a $CLUSTER_KEY tag ($unadopted), probably this cluster's data from before" \
    "cluster identities; set adoptUntaggedVolumes: true to adopt them, or rename them to retire them"
}

# ---------------------------------------------------------------------------------------------------
# One round: reuse, else available ones, else create. Returns 0 once a volume is claimed and reported.
# ---------------------------------------------------------------------------------------------------
claim_round() {
  local volume device state
  list_data_volumes || return 1
  while read -r volume device state; do
    [[ -n $volume ]] || continue
    log "reusing $volume, already attached to this instance as $device ($state)"
    if wait_attached "$volume" && report "$volume"; then return 0; fi
  done <<<"$ATTACHED_HERE"

  for volume in $AVAILABLE; do
    try_attach "$volume" && return 0
  done

  # Create only when no volume is available here any more (not when one merely failed to attach).
  if [[ -n $AVAILABLE ]]; then
    list_data_volumes || return 1
    if [[ -n $AVAILABLE ]]; then
      failed "not creating a volume: some are still available in $AZ ($AVAILABLE); last error: $LAST_ERROR"
      return 1
    fi
  fi
  refuse_beside_unadopted_volumes || return 1
  log "no volume tagged Name=$NAME Environment=$ENVIRONMENT $OWNER is available in $AZ: creating one"
  create_volume || return 1
  try_attach "$CREATED"
}

for ((round = 1; round <= MAX_ROUNDS; round++)); do
  if claim_round; then
    exit 0
  fi
  if ((round < MAX_ROUNDS)); then
    pause=$((RETRY_DELAY + RANDOM % (RETRY_DELAY + 1)))
    log "round $round of $MAX_ROUNDS did not claim a volume; next round in ${pause}s"
    sleep "$pause"
  fi
done
die 4 "no data volume claimed for $INSTANCE_ID in $AZ after $MAX_ROUNDS rounds; last error: ${LAST_ERROR:-none}"
