import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { logic as terminateNonMaster } from '../../lambda/terminate-non-master/logic';
import { logic as verifyMasterKept } from '../../lambda/verify-master-kept/logic';
import { createGroup, groupInstances, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

/**
 * The explicit alternative to scale-in protection. moto 5.2.1 removes a terminated instance from the
 * group at once (no Terminating state), and answers HTTP 500 (not ValidationError) when asked to
 * terminate an instance no group has: the handler checks membership first, so it never asks.
 */
describe('terminate-non-master against moto_server', () => {
  const env = motoPerFile();

  test('leaves the master alone in the group with DesiredCapacity 1; twice is the same', async () => {
    const ids = (await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 3 })).map((i) => i.InstanceId as string);
    const master = ids[0];
    const input = { cluster: CLUSTER, masterInstanceId: master };

    const first = await terminateNonMaster(env.aws, input);
    expect(first).toEqual({ masterInstanceId: master, terminated: ids.slice(1).sort(), skipped: [] });
    expect((await groupInstances(env.aws.autoScaling, CLUSTER.mainAutoScalingGroupName)).map((i) => i.InstanceId)).toEqual([master]);
    await expect(verifyMasterKept(env.aws, input)).resolves.toEqual({ masterInstanceId: master, desiredCapacity: 1 });

    const second = await terminateNonMaster(env.aws, input);
    expect(second).toEqual({ masterInstanceId: master, terminated: [], skipped: [] });
    await expect(verifyMasterKept(env.aws, input)).resolves.toEqual({ masterInstanceId: master, desiredCapacity: 1 });

    const states = await env.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    expect(Object.fromEntries((states.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.State?.Name])))
      .toEqual({ [ids[0]]: 'running', [ids[1]]: 'terminated', [ids[2]]: 'terminated' });
  });
});
