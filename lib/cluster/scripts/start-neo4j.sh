#!/bin/sh
# Container command: picks the settings of the version family the node runs, turns the node's membership
# and the typed modes into the image's settings, then starts the official entrypoint. Runs inside the
# Neo4j image (POSIX sh).
#
# Env from the task definition:
#   NEO4J_UPGRADE_VERSION_FAMILY   the VersionFamily stack parameter: '3.5', '4.4', '5' or '2025'
#   NEO4J_UPGRADE_CLUSTER_MODE     HA or SINGLE (the Mode / SlaveMode stack parameter)
#   NEO4J_UPGRADE_FAMILY_<id>_...  every family's settings and inputs (<id>: the family id, "." as "_"):
#     SET_<NEO4J_var>    a setting, exported as <NEO4J_var> when <id> is the chosen family
#     HA_<NEO4J_var>, SINGLE_<NEO4J_var>  the same, only in that mode
#     DISCOVERY_VAR      env var of the family's discovery setting, e.g. NEO4J_ha_initial__hosts
#     DISCOVERY_PORT     its port
#     ADVERTISED_VAR     env var of the advertised-address setting
#     SERVER_ID_VAR      env var of the server-id setting (3.5 HA only)
#     MIGRATE_STORE      true: run `neo4j-admin database migrate '*'` first (5.x and later)
#     UNBIND_COMMAND     neo4j-admin arguments that clear a copied store's cluster identity (4.4 and later)
#     ENTRYPOINT         the image's entrypoint script
#   NEO4J_ADMIN_USER, NEO4J_ADMIN_PASSWORD  from Secrets Manager (never in the task definition)
# File: /neo4j-upgrades/cluster.env (NEO4J_UPGRADE_CLUSTER_ENV) written at boot by discover-cluster-members.sh;
#   in the per-server layout claim-server-number.sh adds NEO4J_UPGRADE_UNBIND: the volume's unbind mark, set on
#   a copy of another server's store (the offline upgrade). Neo4j runs the family's UNBIND_COMMAND once per mark
#   before it starts, recorded in <data>/neo4j-upgrades.unbound (<data>: NEO4J_UPGRADE_DATA_DIR, default /data),
#   so no member rejoins with the cluster state of the server the store was copied from.
#
# The image's entrypoint turns EVERY NEO4J_* variable into a setting, and Neo4j 5+ refuses unknown settings
# (strict validation): so only the chosen family's settings are exported, and every NEO4J_UPGRADE_* and
# NEO4J_ADMIN_* variable is removed before the entrypoint runs.
set -eu

. "${NEO4J_UPGRADE_CLUSTER_ENV:-/neo4j-upgrades/cluster.env}"

family="${NEO4J_UPGRADE_VERSION_FAMILY:?the VersionFamily stack parameter}"
prefix="NEO4J_UPGRADE_FAMILY_$(printf '%s' "$family" | tr . _)_"
case "$prefix" in
  NEO4J_UPGRADE_FAMILY__|*[!A-Za-z0-9_]*)
    echo "start-neo4j.sh: NEO4J_UPGRADE_VERSION_FAMILY '$family' is not a family id" >&2
    exit 64 ;;
esac
# The chosen family's input $1 (empty when unset). $prefix is checked above, so eval sees a plain name.
family_input() { eval "printf '%s' \"\${${prefix}$1:-}\""; }

entrypoint="$(family_input ENTRYPOINT)"
if [ -z "$entrypoint" ]; then
  echo "start-neo4j.sh: the task definition carries no settings for version family '$family' (NEO4J_UPGRADE_VERSION_FAMILY)" >&2
  exit 64
fi
discovery_var="$(family_input DISCOVERY_VAR)"
discovery_port="$(family_input DISCOVERY_PORT)"
advertised_var="$(family_input ADVERTISED_VAR)"
server_id_var="$(family_input SERVER_ID_VAR)"
migrate_store="$(family_input MIGRATE_STORE)"
unbind_command="$(family_input UNBIND_COMMAND)"
unbind_mark="${NEO4J_UPGRADE_UNBIND:-}"
unbound_record="${NEO4J_UPGRADE_DATA_DIR:-/data}/neo4j-upgrades.unbound"
admin_user="${NEO4J_ADMIN_USER:-neo4j}"
admin_password="${NEO4J_ADMIN_PASSWORD:?from Secrets Manager}"

self_address="$NEO4J_UPGRADE_SELF_ADDRESS"
server_id="${NEO4J_UPGRADE_SERVER_ID:-}"
mode="${NEO4J_UPGRADE_CLUSTER_MODE:-HA}"
case "$mode" in
  HA|SINGLE) ;;
  *) echo "start-neo4j.sh: NEO4J_UPGRADE_CLUSTER_MODE '$mode' is not HA or SINGLE" >&2; exit 64 ;;
esac
members="$NEO4J_UPGRADE_MEMBERS"
# SINGLE: a cluster of one, isolated from the other members (seed 000 step 2).
if [ "$mode" = SINGLE ]; then
  members="$self_address"
fi
endpoints=""
for member in $(echo "$members" | tr ',' ' '); do
  endpoints="${endpoints:+$endpoints,}$member:$discovery_port"
done

for kind in SET "$mode"; do
  for name in $(env | sed -n "s/^${prefix}${kind}_\(NEO4J_[A-Za-z0-9_]*\)=.*/\1/p"); do
    eval "value=\"\${${prefix}${kind}_${name}}\""
    export "$name=$value"
  done
done
for name in $(env | sed -n 's/^\(NEO4J_UPGRADE_[A-Za-z0-9_]*\)=.*/\1/p') NEO4J_ADMIN_USER NEO4J_ADMIN_PASSWORD; do
  unset "$name"
done

export "$discovery_var=$endpoints"
export "$advertised_var=$self_address"
if [ -n "$server_id_var" ]; then
  export "$server_id_var=$server_id"
fi
export NEO4J_AUTH="$admin_user/$admin_password"

# A copy of another server's store: clear its cluster identity once (the record makes a restart skip it).
if [ -n "$unbind_mark" ] && [ -n "$unbind_command" ] && [ "$(cat "$unbound_record" 2>/dev/null || true)" != "$unbind_mark" ]; then
  # shellcheck disable=SC2086 # the command's words are neo4j-admin's arguments
  "$entrypoint" $unbind_command
  printf '%s\n' "$unbind_mark" >"$unbound_record"
fi

if [ "$migrate_store" = true ]; then
  "$entrypoint" neo4j-admin database migrate '*'
fi

exec "$entrypoint" neo4j
