import { CreateVolumeCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, SnapshotState } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { CreateCloneVolumesInput, logic } from '../../lambda/create-clone-volumes/logic';
import { clientToken } from '../../lambda/shared/client-token';
import { TAG_KEYS } from '../../lambda/shared/context';
import { CLUSTER, EXECUTION_ID, awsError, clusterSnapshotTags, dataVolume, mockAws, tags } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (extra: Partial<CreateCloneVolumesInput> = {}) => logic(aws.deps, {
  cluster: CLUSTER, executionId: EXECUTION_ID, availabilityZone: 'us-east-1b', snapshotId: 'snap-src', count: 2, ...extra,
});
const snapshot = (State: SnapshotState = 'completed', extra: Record<string, string> = {}) =>
  ({ Snapshots: [{ SnapshotId: 'snap-src', State, VolumeSize: 20, Tags: clusterSnapshotTags(extra) }] });
const clone = (id: string, index: number) => dataVolume(id, 'us-east-1b', {
  tagMap: { [TAG_KEYS.execution]: EXECUTION_ID, [TAG_KEYS.cloneOf]: 'snap-src', [TAG_KEYS.cloneIndex]: String(index) },
});

beforeEach(() => {
  aws.ec2Mock.reset();
  aws.otherMock.reset();
  aws.ec2Mock.on(DescribeSnapshotsCommand).resolves(snapshot());
  aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  let n = 0;
  aws.ec2Mock.on(CreateVolumeCommand).callsFake(() => ({ VolumeId: `vol-new${n++}` }));
});

describe('create-clone-volumes', () => {
  test('creates `count` claimable volumes from the snapshot in the AZ, each with its own deterministic ClientToken', async () => {
    await expect(run()).resolves.toEqual({
      region: 'us-east-1', availabilityZone: 'us-east-1b', snapshotId: 'snap-src',
      volumeIds: ['vol-new0', 'vol-new1'], created: ['vol-new0', 'vol-new1'], reused: [],
    });
    for (const index of [0, 1]) {
      expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateVolumeCommand, {
        AvailabilityZone: 'us-east-1b',
        SnapshotId: 'snap-src',
        VolumeType: 'gp3',
        ClientToken: clientToken(EXECUTION_ID, 'us-east-1', 'us-east-1b', 'snap-src', String(index)),
        TagSpecifications: [{
          ResourceType: 'volume',
          Tags: tags({
            Name: CLUSTER.dataVolumeName,
            Environment: CLUSTER.environmentName,
            [TAG_KEYS.execution]: EXECUTION_ID,
            [TAG_KEYS.cloneOf]: 'snap-src',
            [TAG_KEYS.cloneIndex]: String(index),
          }),
        }],
      });
    }
    const tokens = aws.ec2Mock.commandCalls(CreateVolumeCommand).map((c) => c.args[0].input.ClientToken);
    expect(new Set(tokens).size).toBe(2);
    expect(tokens.every((t) => t !== undefined && t.length <= 64)).toBe(true);
  });

  test('looks up earlier clones by execution + clone-of + AZ (any Name) and creates only missing indexes', async () => {
    aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [clone('vol-old1', 1)] });
    await expect(run({ count: 3 })).resolves.toMatchObject({
      volumeIds: ['vol-new0', 'vol-old1', 'vol-new1'], created: ['vol-new0', 'vol-new1'], reused: ['vol-old1'],
    });
    expect(aws.ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [
        { Name: `tag:${TAG_KEYS.execution}`, Values: [EXECUTION_ID] },
        { Name: `tag:${TAG_KEYS.cloneOf}`, Values: ['snap-src'] },
        { Name: 'availability-zone', Values: ['us-east-1b'] },
      ],
    });
    expect(aws.ec2Mock).not.toHaveReceivedCommandWith(CreateVolumeCommand, { TagSpecifications: [expect.objectContaining({ Tags: expect.arrayContaining([{ Key: TAG_KEYS.cloneIndex, Value: '1' }]) })] });
  });

  test('a rerun after a complete run creates nothing', async () => {
    aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [clone('vol-x1', 1), clone('vol-x0', 0)] });
    await expect(run()).resolves.toMatchObject({ volumeIds: ['vol-x0', 'vol-x1'], created: [], reused: ['vol-x0', 'vol-x1'] });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateVolumeCommand, 0);
  });

  test('count 0 creates nothing', async () => {
    await expect(run({ count: 0 })).resolves.toMatchObject({ volumeIds: [], created: [] });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateVolumeCommand, 0);
  });

  test('another region uses that region\'s client and its regional copy', async () => {
    aws.otherMock.on(DescribeSnapshotsCommand).resolves(snapshot());
    aws.otherMock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    aws.otherMock.on(CreateVolumeCommand).resolves({ VolumeId: 'vol-eu' });
    await expect(run({ region: 'eu-west-1', availabilityZone: 'eu-west-1a', count: 1 })).resolves.toMatchObject({ region: 'eu-west-1', volumeIds: ['vol-eu'] });
    expect(aws.ec2Mock.calls()).toHaveLength(0);
    expect(aws.otherMock).toHaveReceivedCommandWith(CreateVolumeCommand, { ClientToken: clientToken(EXECUTION_ID, 'eu-west-1', 'eu-west-1a', 'snap-src', '0') });
  });

  test('volume type, IOPS and throughput from the input (only where CreateVolume allows them)', async () => {
    await run({ count: 1, volumeType: 'io2', iops: 8000, throughput: 500 });
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateVolumeCommand, { VolumeType: 'io2', Iops: 8000 });
    expect(aws.ec2Mock.commandCalls(CreateVolumeCommand)[0].args[0].input.Throughput).toBeUndefined();
  });

  test.each([
    ['pending', () => snapshot('pending'), 'StillInProgressError'],
    ['failed', () => snapshot('error'), 'SnapshotFailedError'],
    ['of another cluster', () => snapshot('completed', { [TAG_KEYS.sourceName]: 'other-data' }), 'PreconditionFailedError'],
    ['missing', () => ({ Snapshots: [] }), 'PreconditionFailedError'],
  ])('a snapshot that is %s: %s, nothing created', async (_what, answer, name) => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves(answer());
    await expect(run()).rejects.toMatchObject({ name });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateVolumeCommand, 0);
  });

  test('a CreateVolume failure propagates', async () => {
    aws.ec2Mock.on(CreateVolumeCommand).rejects(awsError('VolumeLimitExceeded'));
    await expect(run()).rejects.toMatchObject({ name: 'VolumeLimitExceeded' });
  });

  test.each([
    [{ availabilityZone: 'eu-west-1a' }, /not in region us-east-1/],
    [{ count: -1 }, /count must be an integer >= 0/],
    [{ count: undefined }, /count/],
    [{ iops: 0 }, /iops/],
    [{ snapshotId: '' }, /snapshotId/],
  ])('invalid input %j is InvalidInputError before any AWS call', async (bad, message) => {
    await expect(run(bad as Partial<CreateCloneVolumesInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(aws.ec2Mock.calls()).toHaveLength(0);
  });
});
