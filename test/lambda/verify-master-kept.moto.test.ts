import { TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { logic } from '../../lambda/verify-master-kept/logic';
import { createGroup, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

describe('verify-master-kept against moto_server', () => {
  const env = motoPerFile();

  test('fails while others are kept by DesiredCapacity, passes once the master is alone', async () => {
    const ids = (await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 2 })).map((i) => i.InstanceId as string);
    const input = { cluster: CLUSTER, masterInstanceId: ids[1] };
    await expect(logic(env.aws, input)).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/DesiredCapacity 2/) });
    await env.aws.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: ids[0], ShouldDecrementDesiredCapacity: true }));
    await expect(logic(env.aws, input)).resolves.toEqual({ masterInstanceId: ids[1], desiredCapacity: 1 });
    await expect(logic(env.aws, input)).resolves.toEqual({ masterInstanceId: ids[1], desiredCapacity: 1 });
    await expect(logic(env.aws, { ...input, masterInstanceId: ids[0] })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/no longer InService/) });
  });
});
