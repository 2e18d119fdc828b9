import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { logic } from '../../lambda/resolve-master/logic';
import { attach, createDataVolume, createGroup, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

describe('resolve-master against moto_server', () => {
  const env = motoPerFile();

  test('by instance id or private IP: AZ and the data volume attached (tag match, not any volume)', async () => {
    const [m0, m1] = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 2, subnetZones: ['us-east-1b'] });
    const [slave] = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 1 });
    const master = m1.InstanceId as string;
    const old = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b', { name: `${CLUSTER.dataVolumeName}-old` });
    await attach(env.aws.ec2, old, master);
    const data = await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b');
    await attach(env.aws.ec2, data, master);
    await attach(env.aws.ec2, await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1b'), m0.InstanceId as string);
    await attach(env.aws.ec2, await createDataVolume(env.aws.ec2, CLUSTER, 'us-east-1a'), slave.InstanceId as string);
    const ip = (await env.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [master] }))).Reservations?.[0].Instances?.[0].PrivateIpAddress;

    const expected = { instanceId: master, availabilityZone: 'us-east-1b', privateIpAddress: ip, volumeId: data, autoScalingGroupName: CLUSTER.mainAutoScalingGroupName };
    await expect(logic(env.aws, { cluster: CLUSTER, masterInstanceId: master })).resolves.toEqual(expected);
    await expect(logic(env.aws, { cluster: CLUSTER, masterPrivateIp: ip })).resolves.toEqual(expected);
    await expect(logic(env.aws, { cluster: CLUSTER, masterInstanceId: slave.InstanceId }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError' });
  });
});
