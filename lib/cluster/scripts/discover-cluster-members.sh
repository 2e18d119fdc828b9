#!/usr/bin/env bash
# Writes the cluster's membership, as this node sees it at boot, for start-neo4j.sh to read.
#
# Env (required): NEO4J_CLUSTER_TAG_KEY, NEO4J_CLUSTER_TAG_VALUE  the tag every member instance carries
#                 NEO4J_CLUSTER_ENV_FILE     file to write
# Env (optional): AWS_REGION, NEO4J_SELF_ADDRESS (default: this instance's private IP from IMDSv2),
#                 AWS_ENDPOINT_URL (the aws CLI honours it; the local rehearsal points it at an emulator)
# Writes:         NEO4J_UPGRADE_SELF_ADDRESS, NEO4J_UPGRADE_MEMBERS (comma-separated private IPs, sorted,
#                 self included), NEO4J_UPGRADE_SERVER_ID (unique per private IP in a /16).
# Exit codes:     0 written; 1 bad environment; 2 AWS call failed.
set -euo pipefail

: "${NEO4J_CLUSTER_TAG_KEY:?tag key every member carries}"
: "${NEO4J_CLUSTER_TAG_VALUE:?its value}"
: "${NEO4J_CLUSTER_ENV_FILE:?file to write}"

imds() {
  local token
  token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

self="${NEO4J_SELF_ADDRESS:-$(imds local-ipv4)}"
region="${AWS_REGION:-$(imds placement/region)}"

members=$(aws ec2 describe-instances --region "$region" \
  --filters "Name=tag:${NEO4J_CLUSTER_TAG_KEY},Values=${NEO4J_CLUSTER_TAG_VALUE}" \
            "Name=instance-state-name,Values=pending,running" \
  --query 'Reservations[].Instances[].PrivateIpAddress' --output text) || exit 2
members=$(printf '%s\n' $members "$self" | grep -E '^[0-9.]+$' | sort -u | paste -sd, -)

IFS=. read -r _ _ o3 o4 <<<"$self"
server_id=$(( (o3 * 256 + o4) % 65535 + 1 ))

umask 022
cat >"$NEO4J_CLUSTER_ENV_FILE" <<ENV
NEO4J_UPGRADE_SELF_ADDRESS=$self
NEO4J_UPGRADE_MEMBERS=$members
NEO4J_UPGRADE_SERVER_ID=$server_id
ENV
echo "members: $members (self $self, server id $server_id)"
