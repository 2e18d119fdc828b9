#!/bin/sh
# Container command: turns the node's membership and the typed modes into the image's settings, then
# starts the official entrypoint. Runs inside the Neo4j image (POSIX sh).
#
# Env from the task definition:
#   NEO4J_UPGRADE_CLUSTER_MODE     HA or SINGLE (the Mode / SlaveMode stack parameter)
#   NEO4J_UPGRADE_DISCOVERY_VAR    env var of the family's discovery setting, e.g. NEO4J_ha_initial__hosts
#   NEO4J_UPGRADE_DISCOVERY_PORT   its port
#   NEO4J_UPGRADE_ADVERTISED_VAR   env var of the advertised-address setting
#   NEO4J_UPGRADE_SERVER_ID_VAR    env var of the server-id setting (3.5 HA only; may be empty)
#   NEO4J_UPGRADE_MIGRATE_STORE    true: run `neo4j-admin database migrate '*'` first (5.x and later)
#   NEO4J_UPGRADE_ENTRYPOINT       the image's entrypoint script
#   NEO4J_ADMIN_USER, NEO4J_ADMIN_PASSWORD  from Secrets Manager (never in the task definition)
# File: /neo4j-upgrades/cluster.env (NEO4J_UPGRADE_CLUSTER_ENV) written at boot by discover-cluster-members.sh.
set -eu

. "${NEO4J_UPGRADE_CLUSTER_ENV:-/neo4j-upgrades/cluster.env}"

members="$NEO4J_UPGRADE_MEMBERS"
# SINGLE: a cluster of one, isolated from the other members (seed 000 step 2).
if [ "${NEO4J_UPGRADE_CLUSTER_MODE:-HA}" = SINGLE ]; then
  members="$NEO4J_UPGRADE_SELF_ADDRESS"
fi

endpoints=""
for member in $(echo "$members" | tr ',' ' '); do
  endpoints="${endpoints:+$endpoints,}$member:$NEO4J_UPGRADE_DISCOVERY_PORT"
done

export "$NEO4J_UPGRADE_DISCOVERY_VAR=$endpoints"
export "$NEO4J_UPGRADE_ADVERTISED_VAR=$NEO4J_UPGRADE_SELF_ADDRESS"
if [ -n "${NEO4J_UPGRADE_SERVER_ID_VAR:-}" ]; then
  export "$NEO4J_UPGRADE_SERVER_ID_VAR=$NEO4J_UPGRADE_SERVER_ID"
fi
export NEO4J_AUTH="${NEO4J_ADMIN_USER:-neo4j}/${NEO4J_ADMIN_PASSWORD:?from Secrets Manager}"
unset NEO4J_ADMIN_PASSWORD

if [ "${NEO4J_UPGRADE_MIGRATE_STORE:-false}" = true ]; then
  "$NEO4J_UPGRADE_ENTRYPOINT" neo4j-admin database migrate '*'
fi

exec "$NEO4J_UPGRADE_ENTRYPOINT" neo4j
