import { readPackageFile } from '../private/package-root';
import { CLUSTER_IDENTITY_TAG } from './cluster-identity';

/** Where the bootstrap scripts live on the host; the container sees this folder as /neo4j-upgrades. */
export const BOOTSTRAP_DIR = '/opt/neo4j-upgrades';

const SCRIPTS = ['claim-data-volume.sh', 'mount-data-volume.sh', 'discover-cluster-members.sh', 'start-neo4j.sh'];
const SERVER_SCRIPT = 'claim-server-number.sh';

/** The per-server layout: the node learns which server it is from its volume and says so to ECS. */
export interface ServerIdentityOptions {
  /** Number of servers. */
  readonly count: number;
  /** The volume tag holding the server number. */
  readonly volumeTag: string;
  /** The ECS instance attribute the server's service is placed by. */
  readonly attribute: string;
  /** The other instance attributes (the group). */
  readonly otherAttributes: Record<string, string>;
  /** The SSM path of the server-number ledger (the atomic claims). */
  readonly claimParameterPrefix: string;
}

export interface NodeBootstrapOptions {
  readonly dataVolumeName: string;
  readonly environmentName: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly iops?: number;
  readonly throughputMiBps?: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly mountPoint: string;
  /** The cluster's identity: every instance carries it (discovery), and every data volume the node claims. */
  readonly clusterIdentity: string;
  /** Also claim volumes without an identity tag (and tag them with this one). */
  readonly adoptUntaggedVolumes: boolean;
  /** Extra lines for /etc/ecs/ecs.config (e.g. instance attributes). */
  readonly ecsConfig: string[];
  /**
   * A value whose change must replace the instance (the slave-only node's mode: a new instance
   * claims a fresh volume, seed 000 step 8).
   */
  readonly replaceOn?: string;
  /** Per-server layout only: find the server number and write it as an instance attribute (after `ecsConfig`). */
  readonly server?: ServerIdentityOptions;
}

/**
 * User data that runs before the ECS agent starts tasks (the ECS-optimized AMI starts the agent after
 * cloud-init's final stage): write the library's scripts, claim and mount this AZ's data volume, and
 * record the membership Neo4j starts with.
 */
export function nodeBootstrapCommands(o: NodeBootstrapOptions): string[] {
  const env: Record<string, string | undefined> = {
    NEO4J_CLAIM_VOLUME_NAME: o.dataVolumeName,
    NEO4J_CLAIM_ENVIRONMENT: o.environmentName,
    NEO4J_CLAIM_CLUSTER_TAG_KEY: CLUSTER_IDENTITY_TAG,
    NEO4J_CLAIM_CLUSTER_ID: o.clusterIdentity,
    NEO4J_CLAIM_ADOPT_UNTAGGED: String(o.adoptUntaggedVolumes),
    NEO4J_CLAIM_VOLUME_SIZE: String(o.sizeGiB),
    NEO4J_CLAIM_VOLUME_TYPE: o.volumeType,
    NEO4J_CLAIM_VOLUME_IOPS: o.iops !== undefined ? String(o.iops) : undefined,
    NEO4J_CLAIM_VOLUME_THROUGHPUT: o.throughputMiBps !== undefined ? String(o.throughputMiBps) : undefined,
    NEO4J_CLAIM_VOLUME_ENCRYPTED: String(o.encrypted),
    NEO4J_CLAIM_VOLUME_KMS_KEY_ID: o.kmsKeyId,
    NEO4J_MOUNT_POINT: o.mountPoint,
    NEO4J_MOUNT_FSTAB: '/etc/fstab',
    NEO4J_CLUSTER_TAG_KEY: CLUSTER_IDENTITY_TAG,
    NEO4J_CLUSTER_TAG_VALUE: o.clusterIdentity,
    NEO4J_CLUSTER_ENV_FILE: `${BOOTSTRAP_DIR}/cluster.env`,
  };
  const envExports = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `export ${k}='${v}'`);
  const writeScripts = [...SCRIPTS, ...(o.server ? [SERVER_SCRIPT] : [])].flatMap((name) => [
    `cat > ${BOOTSTRAP_DIR}/${name} <<'NEO4J_UPGRADES_SCRIPT_EOF'`,
    readPackageFile('lib', 'cluster', 'scripts', name).trimEnd(),
    'NEO4J_UPGRADES_SCRIPT_EOF',
    `chmod 0755 ${BOOTSTRAP_DIR}/${name}`,
  ]);
  return [
    'set -euo pipefail',
    ...(o.replaceOn ? [`# replace-on: ${o.replaceOn}`] : []),
    'command -v aws >/dev/null && command -v mkfs.ext4 >/dev/null || dnf install -y awscli-2 e2fsprogs',
    `mkdir -p ${BOOTSTRAP_DIR} ${o.mountPoint}`,
    ...writeScripts,
    ...envExports,
    `read -r NEO4J_MOUNT_VOLUME_ID NEO4J_MOUNT_DEVICE < <(${BOOTSTRAP_DIR}/claim-data-volume.sh)`,
    'export NEO4J_MOUNT_VOLUME_ID NEO4J_MOUNT_DEVICE',
    `${BOOTSTRAP_DIR}/mount-data-volume.sh`,
    `${BOOTSTRAP_DIR}/discover-cluster-members.sh`,
    ...(o.server ? claimServerNumber(o.server) : []),
    ...o.ecsConfig.map((line) => `echo '${line}' >> /etc/ecs/ecs.config`),
    ...(o.server ? [serverAttributesLine(o.server)] : []),
  ];
}

/** Before any ecs.config line: a node that cannot tell its server never joins ECS. */
function claimServerNumber(s: ServerIdentityOptions): string[] {
  return [
    `export NEO4J_SERVER_VOLUME_ID="$NEO4J_MOUNT_VOLUME_ID" NEO4J_SERVER_COUNT='${s.count}' NEO4J_SERVER_TAG_KEY='${s.volumeTag}'`,
    `export NEO4J_SERVER_CLAIM_PARAMETER_PREFIX='${s.claimParameterPrefix}'`,
    `NEO4J_SERVER=$(${BOOTSTRAP_DIR}/${SERVER_SCRIPT})`,
  ];
}

function serverAttributesLine(s: ServerIdentityOptions): string {
  const fixed = Object.entries(s.otherAttributes).map(([k, v]) => `\\"${k}\\":\\"${v}\\"`);
  const attributes = [...fixed, `\\"${s.attribute}\\":\\"$NEO4J_SERVER\\"`].join(',');
  return `echo "ECS_INSTANCE_ATTRIBUTES={${attributes}}" >> /etc/ecs/ecs.config`;
}
