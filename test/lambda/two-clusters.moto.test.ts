import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { Snapshot, Volume } from '@aws-sdk/client-ec2';
import { logic as createCloneVolumes } from '../../lambda/create-clone-volumes/logic';
import { logic as restoreVolumes } from '../../lambda/restore-volumes/logic';
import { logic as retagVolumes } from '../../lambda/retag-volumes/logic';
import { ClusterContext, TAG_KEYS } from '../../lambda/shared/context';
import { findDataVolumes } from '../../lambda/shared/data-volumes';
import { logic as snapshotVolumes } from '../../lambda/snapshot-volumes/logic';
import { logic as snapshotsComplete } from '../../lambda/snapshots-complete/logic';
import { NothingDeleted, allSnapshots, allVolumes, attach, createDataVolume, createGroup, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER, EXECUTION_ID } from './fixtures/volume-cluster';

/**
 * Issue 17: two clusters in one region whose data volumes carry the same Name and Environment tags, told
 * apart only by their identity (neo4j-upgrades:cluster). Cluster A is upgraded and then rolled back with the
 * real handlers on moto (snapshot, retag, clone, restore); every volume and snapshot of cluster B is exactly
 * as it was, and a cluster without an identity (seed 000's) sees neither.
 */
const A: ClusterContext = {
  ...CLUSTER, clusterIdentity: 'StackA/aaaaaaaa', mainAutoScalingGroupName: 'a-main', slaveAutoScalingGroupName: 'a-slave',
};
const B: ClusterContext = {
  ...CLUSTER, clusterIdentity: 'StackB/bbbbbbbb', mainAutoScalingGroupName: 'b-main', slaveAutoScalingGroupName: 'b-slave',
};
const LEGACY: ClusterContext = { ...CLUSTER, mainAutoScalingGroupName: 'legacy-main', slaveAutoScalingGroupName: 'legacy-slave' };

const identityOf = (c: ClusterContext) => ({ [TAG_KEYS.cluster]: c.clusterIdentity as string });
const summary = (v: Volume) => ({ id: v.VolumeId, tags: v.Tags?.slice().sort((x, y) => (x.Key ?? '').localeCompare(y.Key ?? '')), attachments: v.Attachments?.map((a) => a.InstanceId) });
const snapSummary = (s: Snapshot) => ({ id: s.SnapshotId, tags: s.Tags?.slice().sort((x, y) => (x.Key ?? '').localeCompare(y.Key ?? '')) });

describe('two clusters with the same Name/Environment tags in one region (moto_server)', () => {
  const env = motoPerFile();

  test('cluster A snapshots, retags, clones and restores only its own volumes; B\'s are untouched', async () => {
    const { ec2, autoScaling } = env.aws;
    const guard = new NothingDeleted(env.aws.ec2ForRegion);
    const aMain = await createGroup(ec2, autoScaling, { name: A.mainAutoScalingGroupName, desired: 2, availabilityZones: ['us-east-1a'] });
    await createGroup(ec2, autoScaling, { name: A.slaveAutoScalingGroupName, desired: 0, availabilityZones: ['us-east-1a'] });
    const bMain = await createGroup(ec2, autoScaling, { name: B.mainAutoScalingGroupName, desired: 1, availabilityZones: ['us-east-1a'] });
    await createGroup(ec2, autoScaling, { name: B.slaveAutoScalingGroupName, desired: 0, availabilityZones: ['us-east-1a'] });

    const aMaster = await createDataVolume(ec2, A, 'us-east-1a', { extraTags: identityOf(A) });
    const aOther = await createDataVolume(ec2, A, 'us-east-1a', { extraTags: identityOf(A) });
    const bAttached = await createDataVolume(ec2, B, 'us-east-1a', { extraTags: identityOf(B) });
    const bSpare = await createDataVolume(ec2, B, 'us-east-1a', { extraTags: identityOf(B) });
    const legacy = await createDataVolume(ec2, LEGACY, 'us-east-1a');
    await attach(ec2, aMaster, aMain[0].InstanceId as string);
    await attach(ec2, aOther, aMain[1].InstanceId as string);
    await attach(ec2, bAttached, bMain[0].InstanceId as string);
    const bPre = await snapshotVolumes(env.aws, { cluster: B, executionId: `${EXECUTION_ID}-b`, purpose: 'pre-upgrade' });
    expect(bPre.snapshots.map((s) => s.volumeId).sort()).toEqual([bAttached, bSpare].sort());

    const bIds = new Set([bAttached, bSpare, legacy]);
    const bVolumes = async () => (await allVolumes(ec2)).filter((v) => bIds.has(v.VolumeId as string)).map(summary);
    const bSnapshots = async () => (await allSnapshots(ec2)).filter((s) => bPre.snapshots.some((p) => p.snapshotId === s.SnapshotId)).map(snapSummary);
    const bBefore = { volumes: await bVolumes(), snapshots: await bSnapshots() };
    expect(bBefore.snapshots).toHaveLength(2);

    // Each cluster's pool: its own identity only; the cluster without one sees only the untagged volume.
    const pool = async (c: ClusterContext) => (await findDataVolumes(ec2, c)).map((v) => v.VolumeId).sort();
    expect(await pool(A)).toEqual([aMaster, aOther].sort());
    expect(await pool(B)).toEqual([bAttached, bSpare].sort());
    expect(await pool(LEGACY)).toEqual([legacy]);

    // A's upgrade: pre-upgrade snapshots, retag, clone (seed 000 steps 5, 6).
    const aPre = await snapshotVolumes(env.aws, { cluster: A, executionId: EXECUTION_ID, purpose: 'pre-upgrade' });
    expect(aPre.snapshots.map((s) => s.volumeId).sort()).toEqual([aMaster, aOther].sort());
    await snapshotsComplete(env.aws, { cluster: A, snapshots: aPre.snapshots });
    const retag = await retagVolumes(env.aws, { cluster: A, executionId: EXECUTION_ID, masterVolumeId: aMaster });
    expect(retag.renamed.map((r) => r.volumeId)).toEqual([aOther]);
    const cloneSource = await snapshotVolumes(env.aws, { cluster: A, executionId: EXECUTION_ID, purpose: 'clone-source', volumeIds: [aMaster] });
    const clones = await createCloneVolumes(env.aws, {
      cluster: A, executionId: EXECUTION_ID, availabilityZone: 'us-east-1a', snapshotId: cloneSource.snapshots[0].snapshotId, count: 2,
    });
    expect(await pool(A)).toEqual([aMaster, ...clones.volumeIds].sort());
    for (const id of clones.volumeIds) {
      expect((await allVolumes(ec2)).find((v) => v.VolumeId === id)?.Tags).toContainEqual({ Key: TAG_KEYS.cluster, Value: A.clusterIdentity });
    }

    // A refuses B's snapshots, and B's volume as its master.
    await expect(createCloneVolumes(env.aws, {
      cluster: A, executionId: EXECUTION_ID, availabilityZone: 'us-east-1a', snapshotId: bPre.snapshots[0].snapshotId, count: 1,
    })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringContaining(`belongs to the cluster ${B.clusterIdentity}`) });
    await expect(snapshotsComplete(env.aws, { cluster: A, snapshots: bPre.snapshots }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringContaining(B.clusterIdentity as string) });
    await expect(retagVolumes(env.aws, { cluster: A, executionId: EXECUTION_ID, masterVolumeId: bAttached }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError' });
    await expect(restoreVolumes(env.aws, { cluster: A, executionId: EXECUTION_ID, snapshots: bPre.snapshots }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringContaining(B.clusterIdentity as string) });

    // A's rollback past the point of no return: groups to 0, its claimable volumes renamed, its snapshots restored.
    await autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: A.mainAutoScalingGroupName, MinSize: 0, MaxSize: 1, DesiredCapacity: 0 }));
    const restore = await restoreVolumes(env.aws, { cluster: A, executionId: EXECUTION_ID, snapshots: aPre.snapshots });
    expect(restore.renamed.map((r) => r.volumeId).sort()).toEqual([aMaster, ...clones.volumeIds].sort());
    expect(await pool(A)).toEqual(restore.restored.map((r) => r.volumeId).sort());
    // Twice is the same.
    const again = await restoreVolumes(env.aws, { cluster: A, executionId: EXECUTION_ID, snapshots: aPre.snapshots });
    expect(again.restored.map((r) => r.volumeId)).toEqual(restore.restored.map((r) => r.volumeId));

    expect({ volumes: await bVolumes(), snapshots: await bSnapshots() }).toEqual(bBefore);
    expect(await pool(B)).toEqual([bAttached, bSpare].sort());
    expect(await pool(LEGACY)).toEqual([legacy]);
    await guard.check();
  });

  test('a cluster adopting untagged volumes snapshots and renames them, and tags what it renames as its own', async () => {
    const { ec2 } = env.aws;
    const adopter: ClusterContext = { ...CLUSTER, dataVolumeName: 'adopt-data', clusterIdentity: 'StackC/cccccccc', adoptUntaggedVolumes: true };
    const other: ClusterContext = { ...adopter, clusterIdentity: 'StackD/dddddddd', adoptUntaggedVolumes: false };
    const untagged = await createDataVolume(ec2, adopter, 'us-east-1b');
    const owned = await createDataVolume(ec2, adopter, 'us-east-1b', { extraTags: identityOf(adopter) });
    const others = await createDataVolume(ec2, adopter, 'us-east-1b', { extraTags: identityOf(other) });
    expect((await findDataVolumes(ec2, adopter)).map((v) => v.VolumeId).sort()).toEqual([untagged, owned].sort());

    const snaps = await snapshotVolumes(env.aws, { cluster: adopter, executionId: `${EXECUTION_ID}-c`, purpose: 'pre-upgrade' });
    expect(snaps.snapshots.map((s) => s.volumeId).sort()).toEqual([untagged, owned].sort());
    await retagVolumes(env.aws, { cluster: adopter, executionId: `${EXECUTION_ID}-c`, masterVolumeId: owned });
    const renamed = (await allVolumes(ec2)).find((v) => v.VolumeId === untagged);
    expect(renamed?.Tags).toEqual(expect.arrayContaining([
      { Key: TAG_KEYS.name, Value: 'adopt-data-old' }, { Key: TAG_KEYS.cluster, Value: adopter.clusterIdentity },
    ]));
    expect((await allVolumes(ec2)).find((v) => v.VolumeId === others)?.Tags).toEqual(expect.arrayContaining([
      { Key: TAG_KEYS.name, Value: 'adopt-data' }, { Key: TAG_KEYS.cluster, Value: other.clusterIdentity },
    ]));
  });
});
