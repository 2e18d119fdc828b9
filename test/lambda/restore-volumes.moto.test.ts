import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { logic as createCloneVolumes } from '../../lambda/create-clone-volumes/logic';
import { logic as keepMaster } from '../../lambda/keep-master/logic';
import { logic as restoreVolumes } from '../../lambda/restore-volumes/logic';
import { logic as retagVolumes } from '../../lambda/retag-volumes/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { findDataVolumes } from '../../lambda/shared/data-volumes';
import { logic as snapshotVolumes } from '../../lambda/snapshot-volumes/logic';
import { logic as snapshotsComplete } from '../../lambda/snapshots-complete/logic';
import { NothingDeleted, attach, createDataVolume, createGroup, groupInstances, motoPerFile, volumeTags } from './fixtures/moto-ec2';
import { CLUSTER, EXECUTION_ID } from './fixtures/volume-cluster';

/**
 * The restore path past the point of no return, on moto: pre-upgrade snapshots, an "upgrade" that
 * renames and clones volumes, then the restore in the order the state machine must follow.
 * Finding: moto keeps a scale-in-protected instance through a scale to 0, as EC2 Auto Scaling does;
 * the protected master keeps its volume attached and the restore waits (StillInProgressError) until
 * keep-master `release` lifts the protection and the group empties.
 */
describe('restore-volumes against moto_server', () => {
  const env = motoPerFile();

  const scaleTo = (name: string, n: number) =>
    env.aws.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: n, MaxSize: Math.max(n, 1), DesiredCapacity: n }));
  const claimable = async () => (await findDataVolumes(env.aws.ec2, CLUSTER)).map((v) => [v.VolumeId, v.AvailabilityZone]);

  test('scale to 0, restore, and the pre-upgrade data is what the next nodes claim; twice is the same', async () => {
    const guard = new NothingDeleted(env.aws.ec2ForRegion);
    const main = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 2, availabilityZones: ['us-east-1a'] });
    const [slave] = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 1, subnetZones: ['us-east-1b'] });
    const master = main[0].InstanceId as string;
    const vMaster = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a');
    const vOther = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a');
    const vSlave = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b', { volumeType: 'gp2' });
    await attach(env.aws.ec2, vMaster, master);
    await attach(env.aws.ec2, vOther, main[1].InstanceId as string);
    await attach(env.aws.ec2, vSlave, slave.InstanceId as string);

    // Before the upgrade.
    const pre = await snapshotVolumes(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, purpose: 'pre-upgrade' });
    await snapshotsComplete(env.aws, { cluster: CLUSTER, snapshots: pre.snapshots });
    // The upgrade: master protected, slaves' volumes renamed, a clone of the (upgraded) master volume.
    await keepMaster(env.aws, { cluster: CLUSTER, masterInstanceId: master });
    await retagVolumes(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, masterVolumeId: vMaster });
    const clone = await snapshotVolumes(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, purpose: 'clone-source', volumeIds: [vMaster] });
    const [cloneVolume] = (await createCloneVolumes(env.aws, {
      cluster: CLUSTER, executionId: EXECUTION_ID, availabilityZone: 'us-east-1b', snapshotId: clone.snapshots[0].snapshotId, count: 1,
    })).volumeIds;
    expect((await claimable()).map(([id]) => id).sort()).toEqual([vMaster, cloneVolume].sort());
    const beforeRestore = await guard.check();

    const input = { cluster: CLUSTER, executionId: EXECUTION_ID, snapshots: pre.snapshots };
    // The groups still run: refused, nothing changed.
    await expect(restoreVolumes(env.aws, input)).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(vMaster) });
    expect(await guard.check()).toEqual(beforeRestore);

    // 1. Scale both groups to 0. The protected master stays: the restore waits.
    await scaleTo(CLUSTER.mainAutoScalingGroupName, 0);
    await scaleTo(CLUSTER.slaveAutoScalingGroupName, 0);
    expect((await groupInstances(env.aws.autoScaling, CLUSTER.mainAutoScalingGroupName)).map((i) => i.InstanceId)).toEqual([master]);
    await expect(restoreVolumes(env.aws, input)).rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringMatching(master) });
    await keepMaster(env.aws, { cluster: CLUSTER, release: true });
    await scaleTo(CLUSTER.mainAutoScalingGroupName, 0);
    expect(await groupInstances(env.aws.autoScaling, CLUSTER.mainAutoScalingGroupName)).toEqual([]);

    // 2. Restore.
    const first = await restoreVolumes(env.aws, input);
    expect(first.renamed.map((r) => r.volumeId).sort()).toEqual([vMaster, cloneVolume].sort());
    expect(first.restored.map((r) => [r.sourceVolumeId, r.availabilityZone]).sort())
      .toEqual([[vMaster, 'us-east-1a'], [vOther, 'us-east-1a'], [vSlave, 'us-east-1b']].sort());
    expect((await claimable()).map(([id, az]) => [id, az]).sort())
      .toEqual(first.restored.map((r) => [r.volumeId, r.availabilityZone]).sort());
    expect(await volumeTags(env.aws.ec2, vMaster)).toMatchObject({
      Name: `${CLUSTER.dataVolumeName}-failed-run-1`, [TAG_KEYS.previousName]: CLUSTER.dataVolumeName, [TAG_KEYS.renamedBy]: EXECUTION_ID,
    });
    const restoredSlave = first.restored.find((r) => r.sourceVolumeId === vSlave);
    expect(await volumeTags(env.aws.ec2, restoredSlave?.volumeId as string)).toEqual({
      Name: CLUSTER.dataVolumeName, Environment: CLUSTER.environmentName,
      [TAG_KEYS.restoredFrom]: restoredSlave?.snapshotId, [TAG_KEYS.execution]: EXECUTION_ID, [TAG_KEYS.sourceVolume]: vSlave,
    });
    const afterFirst = await guard.check();
    expect(afterFirst).toEqual({ volumes: beforeRestore.volumes + 3, snapshots: beforeRestore.snapshots });

    const second = await restoreVolumes(env.aws, input);
    expect(second.restored.map((r) => r.volumeId)).toEqual(first.restored.map((r) => r.volumeId));
    expect(second.restored.every((r) => r.reused)).toBe(true);
    expect(second.renamed.every((r) => r.alreadyRenamed)).toBe(true);
    expect(await guard.check()).toEqual(afterFirst);

    // 3. The pre-upgrade parameters come back: new instances boot and find the restored volumes.
    await scaleTo(CLUSTER.mainAutoScalingGroupName, 2);
    const booted = await groupInstances(env.aws.autoScaling, CLUSTER.mainAutoScalingGroupName);
    const inTheirAz = (await findDataVolumes(env.aws.ec2, CLUSTER, [{ Name: 'status', Values: ['available'] }]))
      .filter((v) => booted.some((i) => i.AvailabilityZone === v.AvailabilityZone));
    expect(inTheirAz.length).toBeGreaterThanOrEqual(2);
  });
});
