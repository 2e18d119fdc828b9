import { CopySnapshotCommand } from '@aws-sdk/client-ec2';
import { logic } from '../../lambda/copy-snapshot-to-region/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { logic as snapshotVolumes } from '../../lambda/snapshot-volumes/logic';
import { logic as snapshotsComplete } from '../../lambda/snapshots-complete/logic';
import { NothingDeleted, allSnapshots, createDataVolume, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER, EXECUTION_ID } from './fixtures/volume-cluster';

/**
 * Finding: CopySnapshot has no ClientToken (EC2 API and SDK v3 CopySnapshotRequest), and moto, like
 * EC2, makes a new copy on every call. Idempotency therefore comes from looking for a copy tagged
 * with (execution, source snapshot) in the destination before copying.
 */
describe('copy-snapshot-to-region against moto_server (us-east-1 -> eu-west-1)', () => {
  const env = motoPerFile();
  let guard: NothingDeleted;
  let sourceSnapshotId: string;
  beforeAll(async () => {
    guard = new NothingDeleted(env.aws.ec2ForRegion, ['us-east-1', 'eu-west-1']);
    const volumeId = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a', { sizeGiB: 25 });
    const { snapshots } = await snapshotVolumes(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, purpose: 'clone-source', volumeIds: [volumeId] });
    sourceSnapshotId = snapshots[0].snapshotId;
    await snapshotsComplete(env.aws, { cluster: CLUSTER, snapshots });
  });

  test('copies once; a second run finds the copy; the copy completes in eu-west-1 with our tags', async () => {
    await guard.check();
    const input = { cluster: CLUSTER, executionId: EXECUTION_ID, sourceSnapshotId, destinationRegion: 'eu-west-1' };
    const first = await logic(env.aws, input);
    expect(first).toMatchObject({ region: 'eu-west-1', sourceSnapshotId, sourceRegion: 'us-east-1', reused: false });
    const second = await logic(env.aws, input);
    expect(second).toEqual({ ...first, reused: true });

    const inEu = await allSnapshots(env.aws.ec2ForRegion('eu-west-1'));
    expect(inEu.map((s) => s.SnapshotId)).toEqual([first.snapshotId]);
    expect(Object.fromEntries((inEu[0].Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      [TAG_KEYS.execution]: EXECUTION_ID,
      [TAG_KEYS.sourceSnapshot]: sourceSnapshotId,
      [TAG_KEYS.sourceRegion]: 'us-east-1',
      [TAG_KEYS.purpose]: 'clone-source',
      [TAG_KEYS.sourceName]: CLUSTER.dataVolumeName,
      [TAG_KEYS.sourceEnvironment]: CLUSTER.environmentName,
    });
    await expect(snapshotsComplete(env.aws, { cluster: CLUSTER, snapshotIds: [first.snapshotId], region: 'eu-west-1' }))
      .resolves.toMatchObject({ snapshots: [{ snapshotId: first.snapshotId, sizeGiB: 25 }] });
    expect(await guard.check()).toMatchObject({ snapshots: 2 });

    // Another execution makes its own copy.
    const other = await logic(env.aws, { ...input, executionId: `${EXECUTION_ID}-2` });
    expect(other.snapshotId).not.toBe(first.snapshotId);
    expect(await guard.check()).toMatchObject({ snapshots: 3 });
  });

  test('finding: a bare CopySnapshot twice makes two copies (no ClientToken to dedupe)', async () => {
    const eu = env.aws.ec2ForRegion('eu-west-1');
    const a = await eu.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: sourceSnapshotId }));
    const b = await eu.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: sourceSnapshotId }));
    expect(a.SnapshotId).not.toBe(b.SnapshotId);
  });

  test('an unknown source snapshot is refused', async () => {
    await expect(logic(env.aws, { cluster: CLUSTER, executionId: EXECUTION_ID, sourceSnapshotId: 'snap-0123456789abcdef0', destinationRegion: 'eu-west-1' }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError' });
  });
});
