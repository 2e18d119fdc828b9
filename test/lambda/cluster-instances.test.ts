import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { logic } from '../../lambda/cluster-instances/logic';
import { A, B, C, D, attachedVolume, fakeCluster } from './fixtures/fake-cluster';
import { CLUSTER, awsError, mockAws } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (cluster: unknown = CLUSTER, extra: Record<string, unknown> = {}) => logic(aws.deps, { cluster, ...extra } as never);

describe('cluster-instances', () => {
  test('lists InService instances of both groups with AZ, private IP, protection and data volume', async () => {
    fakeCluster(aws, [B, A, C], [D]);
    await expect(run()).resolves.toEqual({
      main: [
        { instanceId: A.id, group: 'main', autoScalingGroupName: CLUSTER.mainAutoScalingGroupName, availabilityZone: 'us-east-1a', privateIpAddress: '10.0.1.10', lifecycleState: 'InService', protectedFromScaleIn: false, dataVolumeIds: ['vol-a'] },
        { instanceId: B.id, group: 'main', autoScalingGroupName: CLUSTER.mainAutoScalingGroupName, availabilityZone: 'us-east-1b', privateIpAddress: '10.0.2.10', lifecycleState: 'InService', protectedFromScaleIn: false, dataVolumeIds: ['vol-b'] },
      ],
      slave: [
        { instanceId: D.id, group: 'slave', autoScalingGroupName: CLUSTER.slaveAutoScalingGroupName, availabilityZone: 'us-east-1c', privateIpAddress: '10.0.3.10', lifecycleState: 'InService', protectedFromScaleIn: false, dataVolumeIds: ['vol-d'] },
      ],
      count: 3,
      members: 3,
    });
    expect(aws.asMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: [CLUSTER.mainAutoScalingGroupName, CLUSTER.slaveAutoScalingGroupName],
    });
    expect(aws.ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [
        { Name: 'tag:Name', Values: [CLUSTER.dataVolumeName] },
        { Name: 'tag:Environment', Values: [CLUSTER.environmentName] },
        { Name: 'attachment.instance-id', Values: [B.id, A.id, D.id] },
      ],
    });
  });

  test('an instance without a claimed volume has none; two claimed volumes are both listed', async () => {
    fakeCluster(aws, [A, B], [D]);
    aws.ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [attachedVolume('a', A), attachedVolume('a2', A)] });
    const out = await run();
    expect(out.main.map((i) => i.dataVolumeIds)).toEqual([['vol-a', 'vol-a2'], []]);
    expect(out.slave[0].dataVolumeIds).toEqual([]);
  });

  test('members leave out the slave-only node while it is not a member (SlaveMode SINGLE)', async () => {
    fakeCluster(aws, [A, B], [D]);
    await expect(run(CLUSTER, { slaveIsMember: false })).resolves.toMatchObject({ count: 3, members: 2 });
    await expect(run(CLUSTER, { slaveIsMember: true })).resolves.toMatchObject({ count: 3, members: 3 });
    await expect(run(CLUSTER, { slaveIsMember: 'no' })).rejects.toMatchObject({
      name: 'InvalidInputError', message: 'slaveIsMember must be a boolean, got "no"',
    });
  });

  test('empty groups: no instance calls', async () => {
    fakeCluster(aws, [], []);
    await expect(run()).resolves.toEqual({ main: [], slave: [], count: 0, members: 0 });
    expect(aws.ec2Mock.calls()).toHaveLength(0);
  });

  test('a group that does not exist is PreconditionFailedError naming it', async () => {
    fakeCluster(aws);
    aws.asMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(run()).rejects.toMatchObject({
      name: 'PreconditionFailedError',
      message: expect.stringContaining(`${CLUSTER.mainAutoScalingGroupName}, ${CLUSTER.slaveAutoScalingGroupName}`),
    });
  });

  test('AWS errors propagate; missing cluster fields are InvalidInputError', async () => {
    fakeCluster(aws);
    aws.asMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('Throttling'));
    await expect(run()).rejects.toMatchObject({ name: 'Throttling' });
    await expect(run({ ...CLUSTER, slaveAutoScalingGroupName: '' })).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/cluster.slaveAutoScalingGroupName/) });
  });
});
