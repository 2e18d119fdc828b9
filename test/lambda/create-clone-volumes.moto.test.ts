import { CreateVolumeCommand } from '@aws-sdk/client-ec2';
import { logic as copySnapshotToRegion } from '../../lambda/copy-snapshot-to-region/logic';
import { CreateCloneVolumesOutput, logic } from '../../lambda/create-clone-volumes/logic';
import { logic as planCloneTargets } from '../../lambda/plan-clone-targets/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { findDataVolumes } from '../../lambda/shared/data-volumes';
import { logic as snapshotVolumes } from '../../lambda/snapshot-volumes/logic';
import { logic as snapshotsComplete } from '../../lambda/snapshots-complete/logic';
import { NothingDeleted, allVolumes, attach, createDataVolume, createGroup, motoPerFile, volumeTags } from './fixtures/moto-ec2';
import { CLUSTER, EXECUTION_ID } from './fixtures/volume-cluster';

/**
 * Seed step 6 end to end on moto: snapshot the master's volume, plan, copy to eu-west-1, create the
 * clones per AZ; then all of it again. moto 5.2.1 ignores CreateVolume's ClientToken (a repeated
 * token makes a second volume), so the tag lookup by clone-index is what keeps the rerun at the
 * same volumes here; on EC2 the token covers a retried call as well.
 */
describe('create-clone-volumes against moto_server', () => {
  const env = motoPerFile();

  async function cloneStage(masterVolumeId: string): Promise<CreateCloneVolumesOutput[]> {
    const { snapshots } = await snapshotVolumes(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, purpose: 'clone-source', volumeIds: [masterVolumeId] });
    await snapshotsComplete(env.aws, { cluster: CLUSTER, snapshots });
    const plan = await planCloneTargets(env.aws, {
      cluster: CLUSTER, targetCapacity: 3, slaveCount: 1, masterAvailabilityZone: 'us-east-1a', extraRegions: ['eu-west-1'],
    });
    const results: CreateCloneVolumesOutput[] = [];
    for (const region of plan.regions) {
      let snapshotId = snapshots[0].snapshotId;
      if (region.copyRequired) {
        const copy = await copySnapshotToRegion(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, sourceSnapshotId: snapshotId, destinationRegion: region.region });
        await snapshotsComplete(env.aws, { cluster: CLUSTER, snapshotIds: [copy.snapshotId], region: region.region });
        snapshotId = copy.snapshotId;
      }
      for (const target of region.targets) {
        results.push(await logic(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, ...target, snapshotId }));
      }
    }
    return results;
  }

  test('every AZ gets its planned, claimable copies of the master volume; twice gives the same volumes', async () => {
    const guard = new NothingDeleted(env.aws.ec2ForRegion, ['us-east-1', 'eu-west-1']);
    const [master] = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 1, subnetZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
    await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 1, subnetZones: ['us-east-1b'] });
    const masterVolumeId = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a', { sizeGiB: 40 });
    await attach(env.aws.ec2, masterVolumeId, master.InstanceId as string);
    const before = await guard.check();

    const first = await cloneStage(masterVolumeId);
    expect(first.map((r) => [r.availabilityZone, r.volumeIds.length, r.created.length])).toEqual([
      ['us-east-1b', 2, 2], ['us-east-1c', 1, 1], ['eu-west-1a', 1, 1], ['eu-west-1b', 2, 2], ['eu-west-1c', 1, 1],
    ]);
    const afterFirst = await guard.check();
    expect(afterFirst).toEqual({ volumes: before.volumes + 7, snapshots: before.snapshots + 2 });

    const home = await findDataVolumes(env.aws.ec2, CLUSTER);
    expect(home.map((v) => v.AvailabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1b', 'us-east-1c']);
    expect(home.filter((v) => v.VolumeId !== masterVolumeId).every((v) => v.State === 'available' && v.Size === 40)).toBe(true);
    const eu = await findDataVolumes(env.aws.ec2ForRegion('eu-west-1'), CLUSTER);
    expect(eu.map((v) => v.AvailabilityZone).sort()).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1b', 'eu-west-1c']);
    const tags = await volumeTags(env.aws.ec2, first[0].volumeIds[1]);
    expect(tags).toEqual({
      Name: CLUSTER.dataVolumeName,
      Environment: CLUSTER.environmentName,
      [TAG_KEYS.execution]: EXECUTION_ID,
      [TAG_KEYS.cloneOf]: first[0].snapshotId,
      [TAG_KEYS.cloneIndex]: '1',
    });

    const second = await cloneStage(masterVolumeId);
    expect(second.map((r) => r.volumeIds)).toEqual(first.map((r) => r.volumeIds));
    expect(second.every((r) => r.created.length === 0)).toBe(true);
    expect(await guard.check()).toEqual(afterFirst);
  });

  test('finding: moto ignores CreateVolume ClientToken, so the clone-index lookup is what dedupes here', async () => {
    const volumeId = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a', { name: 'scratch' });
    const { snapshots } = await snapshotVolumes(env.aws, { cluster: { ...CLUSTER, dataVolumeName: 'scratch' }, executionId: 'e2', purpose: 'clone-source', volumeIds: [volumeId] });
    const count = (await allVolumes(env.aws.ec2)).length;
    const input = { cluster: { ...CLUSTER, dataVolumeName: 'scratch' }, executionId: 'e2', availabilityZone: 'us-east-1c', snapshotId: snapshots[0].snapshotId, count: 2 };
    const a = await logic(env.aws, input);
    const b = await logic(env.aws, input);
    expect(b.volumeIds).toEqual(a.volumeIds);
    expect((await allVolumes(env.aws.ec2)).length).toBe(count + 2);

    const token = { AvailabilityZone: 'us-east-1c', Size: 1, ClientToken: 'same-token' };
    const x = await env.aws.ec2.send(new CreateVolumeCommand(token));
    const y = await env.aws.ec2.send(new CreateVolumeCommand(token));
    expect(y.VolumeId).not.toBe(x.VolumeId); // EC2 would return x again
  });
});
