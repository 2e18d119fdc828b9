import { DescribeSnapshotsCommand, Snapshot, SnapshotState } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { SnapshotFailedError, StillInProgressError } from '../../lambda/shared/errors';
import { SnapshotsCompleteInput, logic } from '../../lambda/snapshots-complete/logic';
import { CLUSTER, awsError, mockAws } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (input: Partial<SnapshotsCompleteInput>) => logic(aws.deps, { cluster: CLUSTER, ...input });
const snap = (id: string, State: string, extra: Partial<Snapshot> = {}): Snapshot =>
  ({ SnapshotId: id, State: State as SnapshotState, VolumeSize: 20, Encrypted: false, Progress: State === 'completed' ? '100%' : '40%', ...extra });

beforeEach(() => {
  aws.ec2Mock.reset();
  aws.otherMock.reset();
});

describe('snapshots-complete', () => {
  test('all completed: lists them in input order', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [snap('snap-2', 'completed'), snap('snap-1', 'completed', { Encrypted: true })] });
    await expect(run({ snapshotIds: ['snap-1', 'snap-2'] })).resolves.toEqual({
      region: 'us-east-1',
      snapshots: [
        { snapshotId: 'snap-1', sizeGiB: 20, encrypted: true },
        { snapshotId: 'snap-2', sizeGiB: 20, encrypted: false },
      ],
    });
    expect(aws.ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { SnapshotIds: ['snap-1', 'snap-2'] });
  });

  test('takes snapshot-volumes output items as `snapshots`', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [snap('snap-1', 'completed')] });
    await expect(run({ snapshots: [{ snapshotId: 'snap-1' }] })).resolves.toMatchObject({ snapshots: [{ snapshotId: 'snap-1' }] });
  });

  test('pending is StillInProgressError (retryable), with progress in the message', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [snap('snap-1', 'completed'), snap('snap-2', 'pending')] });
    const err = await run({ snapshotIds: ['snap-1', 'snap-2'] }).catch((e) => e);
    expect(err).toBeInstanceOf(StillInProgressError);
    expect(err).toMatchObject({ name: 'StillInProgressError', retryable: true, message: expect.stringMatching(/snap-2 pending 40%/) });
  });

  test('error is SnapshotFailedError (not retryable), even while others are pending', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [snap('snap-1', 'pending'), snap('snap-2', 'error', { StateMessage: 'internal error' })],
    });
    const err = await run({ snapshotIds: ['snap-1', 'snap-2'] }).catch((e) => e);
    expect(err).toBeInstanceOf(SnapshotFailedError);
    expect(err).toMatchObject({ name: 'SnapshotFailedError', retryable: false, message: expect.stringMatching(/snap-2 \(internal error\)/) });
  });

  test('a snapshot moved to the Recycle Bin is PreconditionFailedError', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [snap('snap-1', 'recoverable')] });
    await expect(run({ snapshotIds: ['snap-1'] })).rejects.toMatchObject({ name: 'PreconditionFailedError' });
  });

  test('recovering counts as in progress', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [snap('snap-1', 'recovering')] });
    await expect(run({ snapshotIds: ['snap-1'] })).rejects.toMatchObject({ name: 'StillInProgressError' });
  });

  test('not visible yet (InvalidSnapshot.NotFound, or missing from the answer) is StillInProgressError', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).rejectsOnce(awsError('InvalidSnapshot.NotFound', "The snapshot 'snap-1' does not exist."));
    await expect(run({ snapshotIds: ['snap-1'] })).rejects.toMatchObject({ name: 'StillInProgressError', message: expect.stringMatching(/snap-1/) });
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    await expect(run({ snapshotIds: ['snap-1'] })).rejects.toMatchObject({ name: 'StillInProgressError' });
  });

  test('other AWS errors propagate unchanged', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).rejects(awsError('RequestLimitExceeded'));
    await expect(run({ snapshotIds: ['snap-1'] })).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
  });

  test('region asks that region\'s EC2 (cross-region copies)', async () => {
    aws.otherMock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [snap('snap-eu', 'completed')] });
    await expect(run({ snapshotIds: ['snap-eu'], region: 'eu-west-1' })).resolves.toMatchObject({ region: 'eu-west-1' });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 0);
  });

  test.each([
    [{}, /snapshotIds or snapshots must be an array of at least 1/],
    [{ snapshotIds: [] }, /snapshotIds must be an array of at least 1/],
    [{ snapshotIds: ['snap-1', 'snap-1'] }, /repeat/],
    [{ snapshots: [{ volumeId: 'vol-1' }] }, /snapshots\[0\].snapshotId/],
    [{ snapshotIds: ['snap-1'], region: '' }, /region must be a non-empty string/],
  ])('invalid input %j is InvalidInputError', async (bad, message) => {
    await expect(run(bad as Partial<SnapshotsCompleteInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(aws.ec2Mock.calls()).toHaveLength(0);
  });
});
