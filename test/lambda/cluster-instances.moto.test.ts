import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { logic } from '../../lambda/cluster-instances/logic';
import { attach, createDataVolume, createGroup, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

describe('cluster-instances against moto_server', () => {
  const env = motoPerFile();

  test('both groups, their AZs and IPs, and the claimed volume of each instance', async () => {
    const main = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 2, availabilityZones: ['us-east-1a'] });
    const [slave] = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 1, subnetZones: ['us-east-1b'] });
    const volMain = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a');
    await attach(env.aws.ec2, volMain, main[0].InstanceId as string);
    const old = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a', { name: `${CLUSTER.dataVolumeName}-old` });
    await attach(env.aws.ec2, old, main[1].InstanceId as string);
    const volSlave = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b');
    await attach(env.aws.ec2, volSlave, slave.InstanceId as string);

    const out = await logic(env.aws, { cluster: CLUSTER });
    const described = await env.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...main, slave].map((i) => i.InstanceId as string) }));
    const ips = Object.fromEntries((described.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.PrivateIpAddress]));

    expect(out.count).toBe(3);
    expect(out.main.map((i) => [i.instanceId, i.availabilityZone, i.privateIpAddress, i.dataVolumeIds]).sort()).toEqual([
      [main[0].InstanceId, 'us-east-1a', ips[main[0].InstanceId as string], [volMain]],
      [main[1].InstanceId, 'us-east-1a', ips[main[1].InstanceId as string], []],
    ].sort());
    expect(out.slave).toEqual([expect.objectContaining({
      instanceId: slave.InstanceId, group: 'slave', availabilityZone: 'us-east-1b', dataVolumeIds: [volSlave], lifecycleState: 'InService',
    })]);
    expect(out.main.every((i) => /^\d+\.\d+\.\d+\.\d+$/.test(i.privateIpAddress ?? ''))).toBe(true);
  });

  test('a missing group is PreconditionFailedError', async () => {
    await expect(logic(env.aws, { cluster: { ...CLUSTER, mainAutoScalingGroupName: 'nope' } }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/nope/) });
  });
});
