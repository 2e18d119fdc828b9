import { CopySnapshotCommand, CreateSnapshotCommand } from '@aws-sdk/client-ec2';
import { logic } from '../../lambda/snapshots-complete/logic';
import { createDataVolume, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

/** moto completes snapshots at once: pending and error are covered by snapshots-complete.test.ts. */
describe('snapshots-complete against moto_server', () => {
  const env = motoPerFile();

  test('completed snapshots pass, at home and as cross-region copies', async () => {
    const volumeId = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a', { sizeGiB: 12 });
    const { SnapshotId } = await env.aws.ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    await expect(logic(env.aws, { cluster: CLUSTER, snapshotIds: [SnapshotId as string] }))
      .resolves.toEqual({ region: 'us-east-1', snapshots: [{ snapshotId: SnapshotId, sizeGiB: 12, encrypted: false }] });

    const copy = await env.aws.ec2ForRegion('eu-west-1').send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: SnapshotId }));
    await expect(logic(env.aws, { cluster: CLUSTER, snapshotIds: [copy.SnapshotId as string], region: 'eu-west-1' }))
      .resolves.toMatchObject({ region: 'eu-west-1', snapshots: [{ snapshotId: copy.SnapshotId }] });
    // The copy is not in the home region.
    await expect(logic(env.aws, { cluster: CLUSTER, snapshotIds: [copy.SnapshotId as string] }))
      .rejects.toMatchObject({ name: 'StillInProgressError' });
  });

  test('an unknown snapshot id is StillInProgressError (EC2 answers InvalidSnapshot.NotFound)', async () => {
    await expect(logic(env.aws, { cluster: CLUSTER, snapshotIds: ['snap-0123456789abcdef0'] }))
      .rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringMatching(/snap-0123456789abcdef0/) });
  });
});
