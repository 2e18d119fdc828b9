import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateVolumeCommand, DescribeInstancesCommand, EC2Client, Snapshot, Volume } from '@aws-sdk/client-ec2';
import { clientToken } from '../shared/client-token';
import { describeGroups, isLeaving } from '../shared/cluster-members';
import { ClusterContext, TAG_KEYS } from '../shared/context';
import { claimTags, findDataVolumes, findVolumes } from '../shared/data-volumes';
import { tagFilters, tagMap, tagSpecifications } from '../shared/ec2-tags';
import { InvalidInputError, PreconditionFailedError, StillInProgressError } from '../shared/errors';
import { shortExecutionId } from '../shared/execution-id';
import { optionalString, requireArray, requireCluster, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { completedSnapshot, requireClusterSnapshot } from '../shared/snapshot-lookup';
import { RecreateParams, carriedTags, recreateParams } from '../shared/volume-provisioning';
import { RenamedVolume, renameVolumes } from '../shared/volume-rename';

/** snapshot-volumes' output items (only snapshotId is required; the rest falls back to its tags). */
export interface RestoreSnapshot {
  readonly snapshotId: string;
  readonly volumeId?: string;
  readonly availabilityZone?: string;
  readonly volumeType?: string;
  readonly iops?: number;
  readonly throughput?: number;
}

export interface RestoreVolumesInput {
  readonly cluster: ClusterContext;
  readonly executionId: string;
  /** The pre-upgrade snapshots: snapshot-volumes' `snapshots` (purpose pre-upgrade). */
  readonly snapshots: RestoreSnapshot[];
}

export interface RestoredVolume {
  readonly volumeId: string;
  readonly snapshotId: string;
  readonly availabilityZone: string;
  /** The volume the snapshot was taken of. */
  readonly sourceVolumeId: string;
  /** True when an earlier run of this execution had already created it. */
  readonly reused: boolean;
}

export interface RestoreVolumesOutput {
  /** Name the previously claimable volumes now carry: `<dataVolumeName>-failed-<shortExecutionId>`. */
  readonly failedName: string;
  readonly renamed: RenamedVolume[];
  readonly restored: RestoredVolume[];
}

export interface RestoreVolumesDeps {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly log: Logger;
}

function validate(input: RestoreVolumesInput): void {
  requireCluster(input?.cluster, ['dataVolumeName', 'environmentName', 'mainAutoScalingGroupName', 'slaveAutoScalingGroupName']);
  requireString(input.executionId, 'executionId');
  const snapshots = requireArray<RestoreSnapshot>(input.snapshots, 'snapshots', 1);
  const ids = snapshots.map((s, i) => requireString(s?.snapshotId, `snapshots[${i}].snapshotId`));
  snapshots.forEach((s, i) => optionalString(s.availabilityZone, `snapshots[${i}].availabilityZone`));
  if (new Set(ids).size !== ids.length) throw new InvalidInputError(`snapshots repeat a snapshotId: ${ids.join(', ')}`);
}

function isRestoredBy(volume: Volume, executionId: string): boolean {
  const tags = tagMap(volume.Tags);
  return tags[TAG_KEYS.restoredFrom] !== undefined && tags[TAG_KEYS.execution] === executionId;
}

/**
 * No claimable volume may still be held by an instance: a node holding one keeps running on it (the
 * rename would not stop it). A holder on its way out (EC2 shutting-down/terminated/gone, Auto
 * Scaling Terminating*, or in one of the cluster's groups whose DesiredCapacity is now 0) =>
 * StillInProgressError, Retry polls until it lets go. Any other holder => PreconditionFailedError.
 */
async function requireDetached(deps: RestoreVolumesDeps, cluster: ClusterContext, volumes: readonly Volume[]): Promise<void> {
  const held = volumes.filter((v) => (v.Attachments ?? []).some((a) => a.State !== 'detached'));
  if (held.length === 0) return;
  const holders = [...new Set(held.flatMap((v) => (v.Attachments ?? []).map((a) => a.InstanceId ?? '')))];
  const reservations = await deps.ec2.send(new DescribeInstancesCommand({ InstanceIds: holders }))
    .then((out) => out.Reservations ?? [])
    .catch((err: Error) => {
      if (err.name === 'InvalidInstanceID.NotFound') return []; // long gone
      throw err;
    });
  const ec2State = new Map(reservations.flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId ?? '', i.State?.Name]));
  const groups = await describeGroups(deps.autoScaling, [cluster.mainAutoScalingGroupName, cluster.slaveAutoScalingGroupName]);
  const member = new Map([...groups.values()].flatMap((g) =>
    (g.Instances ?? []).map((i) => [i.InstanceId ?? '', { lifecycle: i.LifecycleState ?? '', groupEmptying: g.DesiredCapacity === 0 }] as const)));
  const leaving = (id: string) => {
    const state = ec2State.get(id);
    const m = member.get(id);
    return state === undefined || state === 'shutting-down' || state === 'terminated' || (m !== undefined && (isLeaving(m.lifecycle) || m.groupEmptying));
  };
  const detail = held.map((v) => `${v.VolumeId} on ${(v.Attachments ?? [])
    .map((a) => `${a.InstanceId} (${ec2State.get(a.InstanceId ?? '') ?? 'gone'}${member.has(a.InstanceId ?? '') ? `, ${member.get(a.InstanceId ?? '')?.lifecycle}` : ''}, ${a.State})`)
    .join(', ')}`).join('; ');
  const allLeaving = held.every((v) => (v.Attachments ?? []).every((a) => a.State === 'detaching' || a.State === 'detached' || leaving(a.InstanceId ?? '')));
  if (allLeaving) throw new StillInProgressError(`data volumes still attached to instances that are going away: ${detail}`);
  throw new PreconditionFailedError(`data volumes are attached to live instances; scale both groups to 0 first: ${detail}`);
}

/**
 * The restore path after the point of no return (the store was upgraded): brings the pre-upgrade
 * data back by tags, never deleting anything.
 *
 * (a) Every CURRENT claimable data volume (Name=<dataVolumeName>, Environment) is renamed to
 *     `<dataVolumeName>-failed-<shortExecutionId>` (tags: previous-name, renamed-by) and kept.
 * (b) One volume per pre-upgrade snapshot is created in the snapshot's source AZ with the claim tags
 *     Name=<dataVolumeName> + Environment (plus restored-from, execution, source-volume), so the
 *     nodes that boot next claim the pre-upgrade data.
 *
 * Order the state machine must follow:
 *   1. Scale the main and slave-only groups to 0 (stack update: DesiredCapacity/MinSize 0 for both)
 *      and wait until no instance of either group is left, so nothing holds a claimed volume. Give
 *      this task a Retry on StillInProgressError: the stack update completes before the instances
 *      are gone, and while a holder is on its way out (see requireDetached) the task polls. A
 *      volume held by an instance that is staying is PreconditionFailedError, nothing changed.
 *   2. Run this handler (snapshots must be completed: they are, since snapshot-volumes' wait passed
 *      before the upgrade started).
 *   3. Put the pre-upgrade parameters back (DockerImage, Mode, SlaveMode, AllowUpgrade=false, sizes)
 *      so the instances that launch boot the old version and claim the restored volumes (each node
 *      claims an available volume in its AZ: one restored volume per pre-upgrade node and AZ).
 *
 * Idempotent: volumes restored by this execution (restored-from + execution tags) are never renamed;
 * each snapshot's volume is found by those tags before creating, and CreateVolume carries a
 * ClientToken from (execution, snapshot). Volumes renamed by an earlier run are reported once.
 */
export async function logic(deps: RestoreVolumesDeps, input: RestoreVolumesInput): Promise<RestoreVolumesOutput> {
  validate(input);
  const { cluster, executionId } = input;
  const region = deps.region;

  // Everything is checked before anything changes.
  const sources: Array<{ item: RestoreSnapshot; snapshot: Snapshot; az: string; provisioning: RecreateParams }> = [];
  for (const item of input.snapshots) {
    const snapshot = await completedSnapshot(deps.ec2, item.snapshotId, region);
    requireClusterSnapshot(snapshot, cluster);
    const az = item.availabilityZone ?? tagMap(snapshot.Tags)[TAG_KEYS.sourceAvailabilityZone];
    if (!az) throw new PreconditionFailedError(`snapshot ${item.snapshotId} has no availabilityZone in the input and no source-az tag`);
    sources.push({ item, snapshot, az, provisioning: recreateParams(snapshot, item) });
  }
  const claimable = await findDataVolumes(deps.ec2, cluster);
  const toRename = claimable.filter((v) => !isRestoredBy(v, executionId));
  await requireDetached(deps, cluster, toRename);

  const failedName = `${cluster.dataVolumeName}-failed-${shortExecutionId(executionId)}`;
  const renamed = await renameVolumes(deps.ec2, cluster, toRename, failedName, executionId);

  const restored: RestoredVolume[] = [];
  for (const { item, snapshot, az, provisioning } of sources) {
    const identity = { [TAG_KEYS.restoredFrom]: item.snapshotId, [TAG_KEYS.execution]: executionId };
    const sourceVolumeId = item.volumeId ?? tagMap(snapshot.Tags)[TAG_KEYS.sourceVolume] ?? snapshot.VolumeId ?? '';
    const existing = (await findVolumes(deps.ec2, tagFilters(identity)))[0];
    let volumeId = existing?.VolumeId;
    if (!volumeId) {
      const created = await deps.ec2.send(new CreateVolumeCommand({
        AvailabilityZone: az,
        SnapshotId: item.snapshotId,
        ...provisioning,
        ClientToken: clientToken(executionId, 'restore', item.snapshotId),
        TagSpecifications: tagSpecifications('volume', {
          ...carriedTags(tagMap(snapshot.Tags)),
          ...claimTags(cluster),
          ...identity,
          [TAG_KEYS.sourceVolume]: sourceVolumeId,
        }),
      }));
      volumeId = created.VolumeId ?? '';
    }
    restored.push({ volumeId, snapshotId: item.snapshotId, availabilityZone: existing?.AvailabilityZone ?? az, sourceVolumeId, reused: existing !== undefined });
  }
  deps.log.info('volumes restored', { failedName, renamed: renamed.map((r) => r.volumeId), restored });
  return { failedName, renamed, restored };
}
