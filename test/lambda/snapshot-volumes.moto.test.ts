import { TAG_KEYS } from '../../lambda/shared/context';
import { logic } from '../../lambda/snapshot-volumes/logic';
import { NothingDeleted, allSnapshots, attach, createDataVolume, createGroup, motoPerFile, resetMoto } from './fixtures/moto-ec2';
import { CLUSTER, EXECUTION_ID } from './fixtures/volume-cluster';

describe('snapshot-volumes against moto_server', () => {
  const env = motoPerFile();
  let guard: NothingDeleted;
  let volA: string;
  let volB: string;
  let base: { volumes: number; snapshots: number };
  beforeEach(async () => {
    await resetMoto(env.moto);
    guard = new NothingDeleted(env.aws.ec2ForRegion);
    const [instance] = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 1, availabilityZones: ['us-east-1a'] });
    volA = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a');
    await attach(env.aws.ec2, volA, instance.InstanceId as string);
    volB = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b', { sizeGiB: 30, volumeType: 'gp2' });
    await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a', { name: `${CLUSTER.dataVolumeName}-old` });
    await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1c', { environment: 'staging' });
    base = await guard.check(); // 4 data volumes, no snapshots
  });

  const run = (extra: Record<string, unknown> = {}) =>
    logic(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, purpose: 'pre-upgrade', ...extra });

  test('snapshots the claimable volumes only (attached and available), with provenance tags; twice is the same', async () => {
    const first = await run();
    expect(first.snapshots.map((s) => [s.volumeId, s.availabilityZone, s.sizeGiB, s.volumeType, s.reused]).sort())
      .toEqual([[volA, 'us-east-1a', 20, 'gp3', false], [volB, 'us-east-1b', 30, 'gp2', false]].sort());
    const stored = await allSnapshots(env.aws.ec2);
    expect(stored).toHaveLength(2);
    const ofB = stored.find((s) => s.VolumeId === volB);
    expect(Object.fromEntries((ofB?.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      [TAG_KEYS.execution]: EXECUTION_ID,
      [TAG_KEYS.purpose]: 'pre-upgrade',
      [TAG_KEYS.sourceVolume]: volB,
      [TAG_KEYS.sourceAvailabilityZone]: 'us-east-1b',
      [TAG_KEYS.sourceName]: CLUSTER.dataVolumeName,
      [TAG_KEYS.sourceEnvironment]: CLUSTER.environmentName,
      [TAG_KEYS.sourceVolumeType]: 'gp2',
    });
    expect(await guard.check()).toEqual({ volumes: base.volumes, snapshots: 2 });

    const second = await run();
    expect(second.snapshots.map((s) => s.snapshotId)).toEqual(first.snapshots.map((s) => s.snapshotId));
    expect(second.snapshots.every((s) => s.reused)).toBe(true);
    expect(await guard.check()).toEqual({ volumes: base.volumes, snapshots: 2 });
  });

  test('another purpose or execution makes its own snapshots; volumeIds restricts', async () => {
    await run();
    const post = await run({ purpose: 'post-upgrade', volumeIds: [volA] });
    expect(post.snapshots.map((s) => s.volumeId)).toEqual([volA]);
    await run({ executionId: `${EXECUTION_ID}-2`, volumeIds: [volB] });
    expect(await guard.check()).toEqual({ volumes: base.volumes, snapshots: 4 });
  });

  test('a volume renamed out of the pool is refused', async () => {
    const old = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a', { name: `${CLUSTER.dataVolumeName}-old` });
    await expect(run({ volumeIds: [old] })).rejects.toMatchObject({ name: 'PreconditionFailedError' });
    expect(await allSnapshots(env.aws.ec2)).toHaveLength(0);
  });
});
