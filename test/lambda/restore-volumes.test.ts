import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand, CreateVolumeCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, DescribeSnapshotsCommandInput,
  SnapshotState, Volume,
} from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { RestoreVolumesInput, logic } from '../../lambda/restore-volumes/logic';
import { clientToken } from '../../lambda/shared/client-token';
import { TAG_KEYS } from '../../lambda/shared/context';
import { tagMap } from '../../lambda/shared/ec2-tags';
import {
  CLUSTER, EXECUTION_ID, FakeInstance, answerVolumesFrom, awsError, clusterSnapshotTags, dataVolume, group, mockAws, tags,
} from './fixtures/volume-cluster';

const aws = mockAws();
const SNAPSHOTS = [
  { snapshotId: 'snap-a', volumeId: 'vol-a', availabilityZone: 'us-east-1a', sizeGiB: 50, volumeType: 'gp3', iops: 3000, throughput: 125 },
  { snapshotId: 'snap-b', volumeId: 'vol-b', availabilityZone: 'us-east-1b', sizeGiB: 50, volumeType: 'gp2', iops: 150 },
];
const run = (extra: Partial<RestoreVolumesInput> = {}) =>
  logic(aws.deps, { cluster: CLUSTER, executionId: EXECUTION_ID, snapshots: SNAPSHOTS, ...extra });

/** A small stateful EC2: CreateTags and CreateVolume change the volume table DescribeVolumes answers from. */
let volumes: Volume[];
let snapshotState: SnapshotState;
function statefulEc2() {
  answerVolumesFrom(aws.ec2Mock, () => volumes);
  aws.ec2Mock.on(CreateTagsCommand).callsFake((input) => {
    volumes = volumes.map((v) => (input.Resources.includes(v.VolumeId)
      ? { ...v, Tags: tags({ ...tagMap(v.Tags), ...tagMap(input.Tags) }) } : v));
    return {};
  });
  aws.ec2Mock.on(CreateVolumeCommand).callsFake((input) => {
    const volume: Volume = { VolumeId: `vol-r${volumes.length}`, AvailabilityZone: input.AvailabilityZone, State: 'creating', Tags: input.TagSpecifications[0].Tags, Attachments: [] };
    volumes.push(volume);
    return volume;
  });
  aws.ec2Mock.on(DescribeSnapshotsCommand).callsFake((input: DescribeSnapshotsCommandInput) => ({
    Snapshots: (input.SnapshotIds ?? []).map((id) => ({
      SnapshotId: id, State: snapshotState, VolumeSize: 50,
      Tags: clusterSnapshotTags({ [TAG_KEYS.purpose]: 'pre-upgrade', [TAG_KEYS.sourceVolume]: `vol-${id.slice(-1)}`, [TAG_KEYS.sourceAvailabilityZone]: `us-east-1${id.slice(-1)}` }),
    })),
  }));
}

function groups(main: FakeInstance[] = [], mainDesired = 0) {
  aws.asMock.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      group(CLUSTER.mainAutoScalingGroupName, main, { DesiredCapacity: mainDesired }),
      group(CLUSTER.slaveAutoScalingGroupName, [], { DesiredCapacity: 0 }),
    ],
  });
}

beforeEach(() => {
  aws.ec2Mock.reset();
  aws.asMock.reset();
  snapshotState = 'completed';
  volumes = [
    dataVolume('vol-up1', 'us-east-1a', { tagMap: { [TAG_KEYS.execution]: 'x' } }),
    dataVolume('vol-up2', 'us-east-1c'),
    dataVolume('vol-old', 'us-east-1b', { Tags: tags({ Name: `${CLUSTER.dataVolumeName}-old`, Environment: CLUSTER.environmentName }) }),
  ];
  statefulEc2();
  groups();
});

const claimable = () => volumes.filter((v) => tagMap(v.Tags).Name === CLUSTER.dataVolumeName).map((v) => v.VolumeId);

describe('restore-volumes', () => {
  test('renames every claimable volume to <name>-failed-<short>, then creates one claimable volume per snapshot in its AZ', async () => {
    const out = await run();
    expect(out.failedName).toBe('neo4j-prod-data-failed-run-1');
    expect(out.renamed.map((r) => [r.volumeId, r.newName, r.alreadyRenamed])).toEqual([
      ['vol-up1', 'neo4j-prod-data-failed-run-1', false], ['vol-up2', 'neo4j-prod-data-failed-run-1', false],
    ]);
    expect(tagMap(volumes[0].Tags)).toEqual({
      Name: 'neo4j-prod-data-failed-run-1', Environment: CLUSTER.environmentName, [TAG_KEYS.execution]: 'x',
      [TAG_KEYS.previousName]: CLUSTER.dataVolumeName, [TAG_KEYS.renamedBy]: EXECUTION_ID,
    });
    expect(out.restored).toEqual([
      { volumeId: 'vol-r3', snapshotId: 'snap-a', availabilityZone: 'us-east-1a', sourceVolumeId: 'vol-a', reused: false },
      { volumeId: 'vol-r4', snapshotId: 'snap-b', availabilityZone: 'us-east-1b', sourceVolumeId: 'vol-b', reused: false },
    ]);
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateVolumeCommand, {
      AvailabilityZone: 'us-east-1a', SnapshotId: 'snap-a', VolumeType: 'gp3', Iops: 3000, Throughput: 125,
      ClientToken: clientToken(EXECUTION_ID, 'restore', 'snap-a'),
      TagSpecifications: [{ ResourceType: 'volume', Tags: tags({
        Name: CLUSTER.dataVolumeName, Environment: CLUSTER.environmentName,
        [TAG_KEYS.restoredFrom]: 'snap-a', [TAG_KEYS.execution]: EXECUTION_ID, [TAG_KEYS.sourceVolume]: 'vol-a',
      }) }],
    });
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateVolumeCommand, { SnapshotId: 'snap-b', VolumeType: 'gp2' });
    expect(aws.ec2Mock.commandCalls(CreateVolumeCommand)[1].args[0].input.Iops).toBeUndefined();
    expect(claimable()).toEqual(['vol-r3', 'vol-r4']);
  });

  test('renames happen before any volume is created', async () => {
    await run();
    const order = aws.ec2Mock.calls().map((c) => c.args[0].constructor.name).filter((n) => n === 'CreateTagsCommand' || n === 'CreateVolumeCommand');
    expect(order).toEqual(['CreateTagsCommand', 'CreateVolumeCommand', 'CreateVolumeCommand']);
  });

  test('twice: the restored volumes are neither renamed nor created again; renamed ones are reported once', async () => {
    const first = await run();
    const table = JSON.stringify(volumes);
    const second = await run();
    expect(JSON.stringify(volumes)).toBe(table);
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateVolumeCommand, 2);
    expect(second.restored).toEqual(first.restored.map((r) => ({ ...r, reused: true })));
    expect(second.renamed).toEqual(first.renamed.map((r) => ({ ...r, alreadyRenamed: true })));
  });

  test('the AZ and source volume come from the snapshot tags when the input has only ids', async () => {
    const out = await run({ snapshots: [{ snapshotId: 'snap-c' }] });
    expect(out.restored).toEqual([expect.objectContaining({ availabilityZone: 'us-east-1c', sourceVolumeId: 'vol-c' })]);
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateVolumeCommand, { AvailabilityZone: 'us-east-1c', VolumeType: 'gp3' });
  });

  describe('volumes still attached', () => {
    const attachTo = (id: string, state = 'attached') => {
      volumes[1] = { ...volumes[1], State: 'in-use', Attachments: [{ InstanceId: id, State: state as never }] };
    };
    const instanceState = (state: string) =>
      aws.ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0000000a', State: { Name: state as never } }] }] });

    test('to a running instance its group keeps: PreconditionFailedError, nothing changed', async () => {
      attachTo('i-0000000a');
      instanceState('running');
      groups([{ id: 'i-0000000a', az: 'us-east-1c' }], 1);
      await expect(run()).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/vol-up2 on i-0000000a \(running, InService, attached\)/) });
      expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 0);
      expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateVolumeCommand, 0);
    });

    test('to an instance outside the cluster\'s groups: PreconditionFailedError', async () => {
      attachTo('i-0000000a');
      instanceState('running');
      await expect(run()).rejects.toMatchObject({ name: 'PreconditionFailedError' });
    });

    test.each([
      ['its group is scaled to 0', 'running', [{ id: 'i-0000000a', az: 'us-east-1c' }], 0, 'attached'],
      ['it is Terminating', 'running', [{ id: 'i-0000000a', az: 'us-east-1c', state: 'Terminating:Wait' }], 1, 'attached'],
      ['it is shutting down', 'shutting-down', [], 0, 'attached'],
      ['the volume is detaching', 'running', [{ id: 'i-0000000a', az: 'us-east-1c' }], 1, 'detaching'],
    ])('to an instance on its way out (%s): StillInProgressError, nothing changed', async (_what, state, main, desired, attachment) => {
      attachTo('i-0000000a', attachment);
      instanceState(state);
      groups(main as FakeInstance[], desired);
      await expect(run()).rejects.toMatchObject({ name: 'StillInProgressError', retryable: true });
      expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 0);
    });

    test('to an instance EC2 no longer knows: StillInProgressError', async () => {
      attachTo('i-0000000a');
      aws.ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
      await expect(run()).rejects.toMatchObject({ name: 'StillInProgressError' });
    });
  });

  test.each([
    ['pending', 'StillInProgressError'],
    ['error', 'SnapshotFailedError'],
  ])('a snapshot that is %s: %s before anything changes', async (state, name) => {
    snapshotState = state as SnapshotState;
    await expect(run()).rejects.toMatchObject({ name });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 0);
  });

  test('a snapshot of another cluster is PreconditionFailedError before anything changes', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-a', State: 'completed', Tags: clusterSnapshotTags({ [TAG_KEYS.sourceEnvironment]: 'staging' }) }] });
    await expect(run({ snapshots: [{ snapshotId: 'snap-a' }] })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/staging/) });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 0);
  });

  test('a snapshot without an AZ in the input or its tags is PreconditionFailedError', async () => {
    aws.ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-a', State: 'completed', Tags: clusterSnapshotTags({ [TAG_KEYS.sourceAvailabilityZone]: '' }) }] });
    await expect(run({ snapshots: [{ snapshotId: 'snap-a' }] })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/no availabilityZone/) });
  });

  test.each([
    [{ snapshots: [] }, /snapshots must be an array of at least 1/],
    [{ snapshots: [{ snapshotId: 'snap-a' }, { snapshotId: 'snap-a' }] }, /repeat a snapshotId/],
    [{ snapshots: [{ volumeId: 'vol-a' }] }, /snapshots\[0\].snapshotId/],
    [{ executionId: '' }, /executionId/],
  ])('invalid input %j is InvalidInputError before any AWS call', async (bad, message) => {
    await expect(run(bad as Partial<RestoreVolumesInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(aws.ec2Mock.calls()).toHaveLength(0);
  });
});
