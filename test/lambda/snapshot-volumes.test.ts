import { CreateSnapshotCommand, DescribeSnapshotsCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { TAG_KEYS } from '../../lambda/shared/context';
import { SnapshotVolumesInput, logic } from '../../lambda/snapshot-volumes/logic';
import { CLUSTER, EXECUTION_ID, dataVolume, mockAws, tags } from './fixtures/volume-cluster';

const aws = mockAws();
const input = (extra: Partial<SnapshotVolumesInput> = {}): SnapshotVolumesInput =>
  ({ cluster: CLUSTER, executionId: EXECUTION_ID, purpose: 'pre-upgrade', ...extra });

const VOL_A = dataVolume('vol-a', 'us-east-1a', { State: 'in-use', Attachments: [{ InstanceId: 'i-0000000a', State: 'attached' }] });
const VOL_B = dataVolume('vol-b', 'us-east-1b', { VolumeType: 'gp2', Iops: 150, Throughput: undefined, Size: 100 });

beforeEach(() => {
  aws.ec2Mock.reset();
  aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [VOL_B, VOL_A] });
  aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  aws.ec2Mock.on(CreateSnapshotCommand).callsFake((i) => ({ SnapshotId: `snap-of-${i.VolumeId}`, State: 'pending' }));
});

describe('snapshot-volumes', () => {
  test('snapshots every data volume found by Name+Environment tags, attached or not', async () => {
    const out = await logic(aws.deps, input());
    expect(aws.ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [
        { Name: 'tag:Name', Values: ['neo4j-prod-data'] },
        { Name: 'tag:Environment', Values: ['production'] },
      ],
    });
    expect(out).toEqual({
      purpose: 'pre-upgrade',
      snapshots: [
        { snapshotId: 'snap-of-vol-a', volumeId: 'vol-a', availabilityZone: 'us-east-1a', sizeGiB: 50, volumeType: 'gp3', iops: 3000, throughput: 125, reused: false },
        { snapshotId: 'snap-of-vol-b', volumeId: 'vol-b', availabilityZone: 'us-east-1b', sizeGiB: 100, volumeType: 'gp2', iops: 150, reused: false },
      ],
    });
  });

  test('tags each snapshot with execution, purpose, source volume, AZ, provisioning and the volume Name/Environment', async () => {
    await logic(aws.deps, input());
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateSnapshotCommand, {
      VolumeId: 'vol-b',
      TagSpecifications: [{
        ResourceType: 'snapshot',
        Tags: tags({
          [TAG_KEYS.sourceVolumeType]: 'gp2',
          [TAG_KEYS.sourceSize]: '100',
          Name: 'neo4j-prod-data-pre-upgrade-run-1',
          [TAG_KEYS.execution]: EXECUTION_ID,
          [TAG_KEYS.purpose]: 'pre-upgrade',
          [TAG_KEYS.sourceVolume]: 'vol-b',
          [TAG_KEYS.sourceAvailabilityZone]: 'us-east-1b',
          [TAG_KEYS.sourceName]: 'neo4j-prod-data',
          [TAG_KEYS.sourceEnvironment]: 'production',
        }),
      }],
    });
  });

  test('looks for an earlier snapshot by execution+purpose+source volume tags and reuses it', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).callsFake((i) => {
      const vol = i.Filters.find((f: { Name: string }) => f.Name === `tag:${TAG_KEYS.sourceVolume}`).Values[0];
      return { Snapshots: vol === 'vol-a' ? [{ SnapshotId: 'snap-earlier', State: 'pending' }] : [] };
    });
    const out = await logic(aws.deps, input());
    expect(aws.ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${TAG_KEYS.execution}`, Values: [EXECUTION_ID] },
        { Name: `tag:${TAG_KEYS.purpose}`, Values: ['pre-upgrade'] },
        { Name: `tag:${TAG_KEYS.sourceVolume}`, Values: ['vol-a'] },
      ],
    });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(aws.ec2Mock).not.toHaveReceivedCommandWith(CreateSnapshotCommand, { VolumeId: 'vol-a' });
    expect(out.snapshots.map((s) => [s.snapshotId, s.reused])).toEqual([['snap-earlier', true], ['snap-of-vol-b', false]]);
  });

  test('an earlier snapshot in state error is kept and a new one made', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-bad', State: 'error' }] });
    const out = await logic(aws.deps, input({ volumeIds: ['vol-a'] }));
    expect(out.snapshots).toEqual([expect.objectContaining({ snapshotId: 'snap-of-vol-a', reused: false })]);
  });

  test('volumeIds restricts to those volumes (post-upgrade: the master only)', async () => {
    const out = await logic(aws.deps, input({ purpose: 'post-upgrade', volumeIds: ['vol-b'] }));
    expect(out.snapshots.map((s) => s.volumeId)).toEqual(['vol-b']);
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateSnapshotCommand, {
      TagSpecifications: [expect.objectContaining({ Tags: expect.arrayContaining([{ Key: TAG_KEYS.purpose, Value: 'post-upgrade' }]) })],
    });
  });

  test('reads every page of DescribeVolumes', async () => {
    aws.ec2Mock.on(DescribeVolumesCommand)
      .resolvesOnce({ Volumes: [VOL_A], NextToken: 'p2' })
      .resolvesOnce({ Volumes: [VOL_B] });
    const out = await logic(aws.deps, input());
    expect(out.snapshots).toHaveLength(2);
    expect(aws.ec2Mock).toHaveReceivedNthCommandWith(2, DescribeVolumesCommand, { NextToken: 'p2' });
  });

  test('a volumeId that is not a cluster data volume is PreconditionFailedError, nothing snapshotted', async () => {
    await expect(logic(aws.deps, input({ volumeIds: ['vol-a', 'vol-other'] })))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/vol-other/) });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 0);
  });

  test('no data volumes at all is PreconditionFailedError', async () => {
    aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    await expect(logic(aws.deps, input())).rejects.toMatchObject({ name: 'PreconditionFailedError' });
  });

  test.each([
    [{ purpose: 'backup' }, /purpose must be one of pre-upgrade, post-upgrade, clone-source, got "backup"/],
    [{ executionId: '' }, /executionId must be a non-empty string/],
    [{ volumeIds: [] }, /volumeIds must be an array of at least 1/],
    [{ cluster: { ...CLUSTER, environmentName: undefined } }, /cluster.environmentName/],
  ])('invalid input %j is InvalidInputError before any AWS call', async (bad, message) => {
    await expect(logic(aws.deps, input(bad as Partial<SnapshotVolumesInput>)))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(aws.ec2Mock.calls()).toHaveLength(0);
  });

  test('an AWS error propagates unchanged (its name reaches Step Functions)', async () => {
    aws.ec2Mock.on(CreateSnapshotCommand).rejects(Object.assign(new Error('slow down'), { name: 'SnapshotCreationPerVolumeRateExceeded' }));
    await expect(logic(aws.deps, input())).rejects.toMatchObject({ name: 'SnapshotCreationPerVolumeRateExceeded' });
  });
});
