#!/usr/bin/env bash
# Mounts the data volume claimed by claim-data-volume.sh (device part; runs as root at boot, before the
# ECS agent starts Neo4j). Waits for the block device, formats it ONLY when blkid finds nothing on it,
# mounts it at NEO4J_MOUNT_POINT. Never formats a device that holds anything blkid recognises (a
# filesystem of another type is mounted as that type; a partition table, RAID or LUKS member is refused).
#
# Typical use from user data:
#   read -r volume device < <(claim-data-volume.sh)
#   NEO4J_MOUNT_VOLUME_ID=$volume NEO4J_MOUNT_DEVICE=$device NEO4J_MOUNT_POINT=/var/lib/neo4j-data \
#     mount-data-volume.sh
#
# Device lookup, first that exists (waiting up to NEO4J_MOUNT_DEVICE_TIMEOUT_SECONDS):
#   1. $NEO4J_MOUNT_BY_ID_DIR/nvme-Amazon_Elastic_Block_Store_vol<hex>  (Nitro: NVMe serial = volume id)
#   2. $NEO4J_MOUNT_DEVICE                                               (e.g. /dev/xvdf)
#   3. its other spelling, /dev/sdX <-> /dev/xvdX                        (Xen instances rename sdX to xvdX)
#
# Output (stdout, one line, only on exit 0):  <device> <mount-point> <fs-type> <formatted|existing|already-mounted>
# Logs go to stderr.
#
# Env (required):
#   NEO4J_MOUNT_DEVICE         device name from claim-data-volume.sh (any path works, e.g. a file image)
#   NEO4J_MOUNT_POINT          absolute directory to mount on (created if missing)
# Env (optional):
#   NEO4J_MOUNT_VOLUME_ID      the volume id from claim-data-volume.sh (enables the NVMe lookup)
#   NEO4J_MOUNT_FS_TYPE        filesystem to create on a blank device: ext4 (default) or xfs
#   NEO4J_MOUNT_OPTIONS        mount options (default defaults,noatime)
#   NEO4J_MOUNT_DEVICE_TIMEOUT_SECONDS  how long to wait for the device to appear (default 120)
#   NEO4J_MOUNT_FSTAB          file to record the mount in, by UUID with nofail (e.g. /etc/fstab), so a
#                              reboot mounts it even if user data does not run again; unset = not recorded
#   NEO4J_MOUNT_BY_ID_DIR      default /dev/disk/by-id
#   Commands (split on spaces; tests point them at stubs or add flags):
#   NEO4J_MOUNT_BLKID_CMD      default blkid     (called as: blkid -p -o export DEVICE)
#   NEO4J_MOUNT_MKFS_CMD       default mkfs.<NEO4J_MOUNT_FS_TYPE>  (called as: mkfs... DEVICE)
#   NEO4J_MOUNT_MOUNT_CMD      default mount     (called as: mount -t TYPE -o OPTIONS DEVICE MOUNT_POINT)
#   NEO4J_MOUNT_FINDMNT_CMD    default findmnt   (called as: findmnt -rn -o SOURCE --mountpoint MOUNT_POINT)
# Arguments: none.
#
# Exit codes:
#   0  mounted (or already mounted from this device); the line above is on stdout
#   1  unexpected failure (a bug)
#   2  invalid or missing configuration
#   3  the device did not appear in time
#   4  refused: blkid failed or found something that is not a filesystem (nothing was written)
#   5  mkfs or mount failed, or the mount point is already a mount of another device
set -euo pipefail

PROG=mount-data-volume
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { local code=$1; shift; log "ERROR: $*"; exit "$code"; }

DEVICE_NAME=${NEO4J_MOUNT_DEVICE:-}
MOUNT_POINT=${NEO4J_MOUNT_POINT:-}
VOLUME_ID=${NEO4J_MOUNT_VOLUME_ID:-}
FS_TYPE=${NEO4J_MOUNT_FS_TYPE:-ext4}
OPTIONS=${NEO4J_MOUNT_OPTIONS:-defaults,noatime}
TIMEOUT=${NEO4J_MOUNT_DEVICE_TIMEOUT_SECONDS:-120}
FSTAB=${NEO4J_MOUNT_FSTAB:-}
BY_ID_DIR=${NEO4J_MOUNT_BY_ID_DIR:-/dev/disk/by-id}
read -r -a BLKID <<<"${NEO4J_MOUNT_BLKID_CMD:-blkid}"
read -r -a MKFS <<<"${NEO4J_MOUNT_MKFS_CMD:-mkfs.$FS_TYPE}"
read -r -a MOUNT <<<"${NEO4J_MOUNT_MOUNT_CMD:-mount}"
read -r -a FINDMNT <<<"${NEO4J_MOUNT_FINDMNT_CMD:-findmnt}"

[[ -n $DEVICE_NAME && $DEVICE_NAME == /* && $DEVICE_NAME != *[[:space:]]* ]] ||
  die 2 "NEO4J_MOUNT_DEVICE='$DEVICE_NAME' must be an absolute path without spaces (e.g. /dev/xvdf)"
[[ -n $MOUNT_POINT && $MOUNT_POINT == /* && $MOUNT_POINT != / && $MOUNT_POINT != *[[:space:]]* ]] ||
  die 2 "NEO4J_MOUNT_POINT='$MOUNT_POINT' must be an absolute path other than / without spaces"
[[ -z $VOLUME_ID || $VOLUME_ID =~ ^vol-[0-9a-f]+$ ]] || die 2 "NEO4J_MOUNT_VOLUME_ID='$VOLUME_ID' is not a volume id"
[[ $FS_TYPE == ext4 || $FS_TYPE == xfs ]] || die 2 "NEO4J_MOUNT_FS_TYPE='$FS_TYPE' must be ext4 or xfs"
[[ $OPTIONS =~ ^[A-Za-z0-9_=,.:-]+$ ]] || die 2 "NEO4J_MOUNT_OPTIONS='$OPTIONS' is not a mount option list"
[[ $TIMEOUT =~ ^[0-9]{1,6}$ ]] || die 2 "NEO4J_MOUNT_DEVICE_TIMEOUT_SECONDS='$TIMEOUT' must be a whole number of seconds"
TIMEOUT=$((10#$TIMEOUT))
[[ -z $FSTAB || $FSTAB == /* ]] || die 2 "NEO4J_MOUNT_FSTAB='$FSTAB' must be an absolute path"
for cmd in "${BLKID[0]:-}" "${MOUNT[0]:-}" "${FINDMNT[0]:-}"; do
  command -v "$cmd" >/dev/null 2>&1 || die 2 "command '$cmd' was not found"
done

# ---------------------------------------------------------------------------------------------------
# Wait for the device
# ---------------------------------------------------------------------------------------------------
candidates=()
[[ -n $VOLUME_ID ]] && candidates+=("$BY_ID_DIR/nvme-Amazon_Elastic_Block_Store_${VOLUME_ID//-/}")
candidates+=("$DEVICE_NAME")
case $DEVICE_NAME in
  /dev/sd*) candidates+=("/dev/xvd${DEVICE_NAME#/dev/sd}") ;;
  /dev/xvd*) candidates+=("/dev/sd${DEVICE_NAME#/dev/xvd}") ;;
esac

deadline=$((SECONDS + TIMEOUT))
device=
while :; do
  for candidate in "${candidates[@]}"; do
    if [[ -e $candidate ]]; then
      device=$(readlink -f -- "$candidate")
      break 2
    fi
  done
  ((SECONDS < deadline)) || die 3 "no device appeared within ${TIMEOUT}s (looked for: ${candidates[*]})"
  sleep 1
done
log "device for ${VOLUME_ID:-$DEVICE_NAME}: $device"

# ---------------------------------------------------------------------------------------------------
# Already mounted?
# ---------------------------------------------------------------------------------------------------
fstab_entry() {
  local uuid=$1 type=$2 tmp
  [[ -n $FSTAB ]] || return 0
  [[ -n $uuid ]] || die 5 "no UUID for $device: cannot record it in $FSTAB"
  touch -- "$FSTAB"
  tmp=$(mktemp "$FSTAB.XXXXXX")
  awk -v mp="$MOUNT_POINT" '$1 ~ /^#/ || $2 != mp' "$FSTAB" >"$tmp"
  printf 'UUID=%s %s %s %s,nofail 0 2\n' "$uuid" "$MOUNT_POINT" "$type" "$OPTIONS" >>"$tmp"
  chmod --reference="$FSTAB" "$tmp" 2>/dev/null || true
  mv -f -- "$tmp" "$FSTAB"
  log "recorded UUID=$uuid on $MOUNT_POINT in $FSTAB"
}

# blkid -p (low-level probe, no cache). Sets FOUND_TYPE, FOUND_UUID, FOUND_USAGE, FOUND_PTTYPE.
# Returns 0 = something found, 2 = nothing found (blank), other = blkid failed.
probe() {
  local out rc=0 key value
  FOUND_TYPE='' FOUND_UUID='' FOUND_USAGE='' FOUND_PTTYPE=''
  out=$("${BLKID[@]}" -p -o export "$device" 2>&1) || rc=$?
  if ((rc != 0)); then
    [[ $rc == 2 ]] || log "blkid on $device exited $rc: ${out//$'\n'/ }"
    return "$rc"
  fi
  while IFS='=' read -r key value; do
    case $key in
      TYPE) FOUND_TYPE=$value ;;
      UUID) FOUND_UUID=$value ;;
      USAGE) FOUND_USAGE=$value ;;
      PTTYPE) FOUND_PTTYPE=$value ;;
    esac
  done <<<"$out"
  return 0
}

if source=$("${FINDMNT[@]}" -rn -o SOURCE --mountpoint "$MOUNT_POINT" 2>/dev/null) && [[ -n $source ]]; then
  if [[ $(readlink -f -- "$source") != "$device" ]]; then
    die 5 "$MOUNT_POINT is already a mount of $source, not of $device"
  fi
  rc=0
  probe || rc=$?
  ((rc == 0)) || die 4 "$MOUNT_POINT is mounted from $device but blkid cannot read it (exit $rc)"
  fstab_entry "$FOUND_UUID" "$FOUND_TYPE"
  log "$device is already mounted on $MOUNT_POINT"
  printf '%s %s %s already-mounted\n' "$device" "$MOUNT_POINT" "$FOUND_TYPE"
  exit 0
fi

# ---------------------------------------------------------------------------------------------------
# Format only if blank
# ---------------------------------------------------------------------------------------------------
rc=0
probe || rc=$?
status=existing
case $rc in
  0) ;;
  2)
    log "blkid finds nothing on $device: creating $FS_TYPE"
    command -v "${MKFS[0]:-}" >/dev/null 2>&1 || die 5 "command '${MKFS[0]:-}' was not found: cannot create $FS_TYPE"
    "${MKFS[@]}" "$device" >&2 || die 5 "${MKFS[*]} $device failed"
    status=formatted
    rc=0
    probe || rc=$?
    ((rc == 0)) || die 5 "blkid finds no filesystem on $device after ${MKFS[*]} (exit $rc)"
    ;;
  *) die 4 "blkid could not probe $device (exit $rc): not formatting it" ;;
esac
if [[ -z $FOUND_TYPE || $FOUND_USAGE != filesystem ]]; then
  if [[ -n $FOUND_PTTYPE ]]; then
    what="a $FOUND_PTTYPE partition table"
  elif [[ -n $FOUND_TYPE ]]; then
    what="$FOUND_TYPE (usage ${FOUND_USAGE:-unknown})"
  else
    what="an unrecognised signature"
  fi
  die 4 "$device holds $what, not a filesystem: refusing to format or mount it"
fi
if [[ $FOUND_TYPE != "$FS_TYPE" ]]; then
  log "$device already holds $FOUND_TYPE (not $FS_TYPE): mounting it as $FOUND_TYPE, not reformatting"
fi

# ---------------------------------------------------------------------------------------------------
# Mount
# ---------------------------------------------------------------------------------------------------
mkdir -p -- "$MOUNT_POINT"
"${MOUNT[@]}" -t "$FOUND_TYPE" -o "$OPTIONS" "$device" "$MOUNT_POINT" >&2 ||
  die 5 "mount -t $FOUND_TYPE -o $OPTIONS $device $MOUNT_POINT failed"
fstab_entry "$FOUND_UUID" "$FOUND_TYPE"
log "mounted $device ($FOUND_TYPE, UUID ${FOUND_UUID:-unknown}, $status) on $MOUNT_POINT"
printf '%s %s %s %s\n' "$device" "$MOUNT_POINT" "$FOUND_TYPE" "$status"
