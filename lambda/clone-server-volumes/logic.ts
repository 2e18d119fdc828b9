import { CreateTagsCommand, CreateVolumeCommand, EC2Client, Volume } from '@aws-sdk/client-ec2';
import { clientToken } from '../shared/client-token';
import { ClusterContext, TAG_KEYS } from '../shared/context';
import { attachedInstanceId, claimTags, findDataVolumes, findVolumes } from '../shared/data-volumes';
import { tagFilters, tagMap, tagSpecifications, toTags } from '../shared/ec2-tags';
import { PreconditionFailedError } from '../shared/errors';
import { requireCluster, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { completedSnapshot, requireClusterSnapshot } from '../shared/snapshot-lookup';
import { carriedTags, recreateParams } from '../shared/volume-provisioning';
import { renameTags, renameVolumes } from '../shared/volume-rename';

/** The data volume tag naming the server whose store a volume holds (lib/cluster/server-layout.ts SERVER_TAG). */
export const SERVER_TAG = 'neo4j-upgrades:server';
/**
 * On a copy of another server's store: the execution that made it. start-neo4j.sh clears the copy's cluster
 * identity (`neo4j-admin server unbind`) once per value before Neo4j starts, so no member rejoins with stale state.
 */
export const UNBIND_TAG = 'neo4j-upgrades:unbind';
/** Suffix of a replaced store's Name: out of the claim pool, retained. */
export const RETAINED_SUFFIX = '-old';

export interface CloneServerVolumesInput {
  readonly cluster: ClusterContext;
  readonly executionId: string;
  /** The completed snapshot of the migrated store (snapshot-volumes of `sourceVolumeId`). */
  readonly snapshotId: string;
  /** The migrated server's volume: it keeps its store. */
  readonly sourceVolumeId: string;
}

export interface ServerCopy {
  readonly serverNumber: number;
  readonly availabilityZone: string;
  /** The server's previous store, renamed `<name>-old` and retained. */
  readonly retainedVolumeId: string;
  /** The copy of the migrated store the server claims next time it boots. */
  readonly copyVolumeId: string;
  /** True when an earlier run of this execution had already created the copy. */
  readonly reused: boolean;
}

export interface CloneServerVolumesOutput {
  readonly snapshotId: string;
  readonly servers: ServerCopy[];
}

export interface CloneServerVolumesDeps {
  readonly ec2: EC2Client;
  readonly region: string;
  readonly log: Logger;
}

const serverOf = (v: Volume) => Number(tagMap(v.Tags)[SERVER_TAG]);

/**
 * The offline upgrade's copy step (seed 001 5.3.3 step 3, by snapshot instead of dump/load): every server
 * but the migrated one gets a new volume made from the migrated store's snapshot, in its own AZ and tagged
 * with its own server number (the instance that boots there claims it and becomes that server), marked
 * for unbind; its previous volume is renamed `<name>-old` and retained, never deleted. The migrated volume is marked
 * for unbind as well, so every member starts with its cluster state cleared and they form one new cluster. Every server must be
 * stopped (its volume detached), else PreconditionFailedError before any change. Idempotent: a rerun finds
 * the volumes it renamed and the copies it made (by execution and server), and makes only what is missing.
 */
export async function logic(deps: CloneServerVolumesDeps, input: CloneServerVolumesInput): Promise<CloneServerVolumesOutput> {
  const cluster = requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  const executionId = requireString(input.executionId, 'executionId');
  const snapshotId = requireString(input.snapshotId, 'snapshotId');
  const sourceVolumeId = requireString(input.sourceVolumeId, 'sourceVolumeId');
  const { ec2 } = deps;
  const snapshot = await completedSnapshot(ec2, snapshotId, deps.region);
  requireClusterSnapshot(snapshot, cluster);
  if (tagMap(snapshot.Tags)[TAG_KEYS.sourceVolume] !== sourceVolumeId) {
    throw new PreconditionFailedError(`snapshot ${snapshotId} is not of the migrated volume ${sourceVolumeId} (its source: ${tagMap(snapshot.Tags)[TAG_KEYS.sourceVolume] ?? 'untagged'})`);
  }

  const copyIdentity = { [TAG_KEYS.execution]: executionId, [TAG_KEYS.cloneOf]: snapshotId };
  const copies = new Map((await findVolumes(ec2, tagFilters(copyIdentity))).map((v) => [serverOf(v), v]));
  const pool = await findDataVolumes(ec2, cluster, [{ Name: 'tag-key', Values: [SERVER_TAG] }]);
  const toRetain = pool.filter((v) => v.VolumeId !== sourceVolumeId && !copies.has(serverOf(v)) && Number.isInteger(serverOf(v)));
  for (const v of toRetain) {
    const instance = attachedInstanceId(v);
    if (instance) {
      throw new PreconditionFailedError(`server ${serverOf(v)}'s volume ${v.VolumeId} is attached to ${instance}: every server must be stopped before its store is replaced`);
    }
  }
  const newName = `${cluster.dataVolumeName}${RETAINED_SUFFIX}`;
  await renameVolumes(ec2, cluster, toRetain, newName, executionId);
  // Every volume this execution retained (this run or an earlier one), with its tags.
  const retained = (await findVolumes(ec2, tagFilters(renameTags(cluster, newName, executionId))))
    .filter((v) => Number.isInteger(serverOf(v)))
    .sort((a, b) => serverOf(a) - serverOf(b));

  const provisioning = recreateParams(snapshot, {});
  const servers: ServerCopy[] = [];
  for (const old of retained) {
    const serverNumber = serverOf(old);
    const az = old.AvailabilityZone ?? '';
    let copy = copies.get(serverNumber);
    const reused = copy !== undefined;
    if (!copy) {
      const created = await ec2.send(new CreateVolumeCommand({
        AvailabilityZone: az, SnapshotId: snapshotId, ...provisioning,
        ClientToken: clientToken(executionId, snapshotId, 'server', String(serverNumber)),
        TagSpecifications: tagSpecifications('volume', {
          ...carriedTags(tagMap(snapshot.Tags)), ...claimTags(cluster), ...copyIdentity,
          [SERVER_TAG]: String(serverNumber), [UNBIND_TAG]: executionId,
        }),
      }));
      copy = created;
    }
    servers.push({ serverNumber, availabilityZone: az, retainedVolumeId: old.VolumeId ?? '', copyVolumeId: copy.VolumeId ?? '', reused });
  }
  // The migrated store keeps its own (pre-upgrade) cluster state too: every member starts unbound, one new cluster.
  await ec2.send(new CreateTagsCommand({ Resources: [sourceVolumeId], Tags: toTags({ [UNBIND_TAG]: executionId }) }));
  deps.log.info('server copies', { snapshotId, sourceVolumeId, servers });
  return { snapshotId, servers };
}
