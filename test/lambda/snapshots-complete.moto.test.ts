import { CopySnapshotCommand, CreateSnapshotCommand } from '@aws-sdk/client-ec2';
import { logic } from '../../lambda/snapshots-complete/logic';
import { MotoServer, startMoto } from '../support/moto';
import { createDataVolume, motoAws } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

/** moto completes snapshots at once: pending and error are covered by snapshots-complete.test.ts. */
describe('snapshots-complete against moto_server', () => {
  let moto: MotoServer;
  let aws: ReturnType<typeof motoAws>;
  beforeAll(async () => {
    moto = await startMoto();
    aws = motoAws(moto);
  });
  afterAll(async () => { await moto?.stop(); });

  test('completed snapshots pass, at home and as cross-region copies', async () => {
    const volumeId = await createDataVolume(aws.ec2, CLUSTER, 'us-east-1a', { sizeGiB: 12 });
    const { SnapshotId } = await aws.ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    await expect(logic(aws, { cluster: CLUSTER, snapshotIds: [SnapshotId as string] }))
      .resolves.toEqual({ region: 'us-east-1', snapshots: [{ snapshotId: SnapshotId, sizeGiB: 12, encrypted: false }] });

    const copy = await aws.ec2ForRegion('eu-west-1').send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: SnapshotId }));
    await expect(logic(aws, { cluster: CLUSTER, snapshotIds: [copy.SnapshotId as string], region: 'eu-west-1' }))
      .resolves.toMatchObject({ region: 'eu-west-1', snapshots: [{ snapshotId: copy.SnapshotId }] });
    // The copy is not in the home region.
    await expect(logic(aws, { cluster: CLUSTER, snapshotIds: [copy.SnapshotId as string] }))
      .rejects.toMatchObject({ name: 'StillInProgressError' });
  });

  test('an unknown snapshot id is StillInProgressError (EC2 answers InvalidSnapshot.NotFound)', async () => {
    await expect(logic(aws, { cluster: CLUSTER, snapshotIds: ['snap-0123456789abcdef0'] }))
      .rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringMatching(/snap-0123456789abcdef0/) });
  });
});
