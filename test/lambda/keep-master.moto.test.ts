import { SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { logic as keepMaster } from '../../lambda/keep-master/logic';
import { logic as verifyMasterKept } from '../../lambda/verify-master-kept/logic';
import { createGroup, groupInstances, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

/**
 * Finding (moto 5.2.1): scale-in protection IS honoured when the desired capacity drops, through
 * UpdateAutoScalingGroup(DesiredCapacity) and SetDesiredCapacity alike: moto removes unprotected
 * instances only, oldest first. The control test shows that without keep-master the oldest
 * instance (here the master) is the one removed, so the protected tests can fail.
 */
describe('keep-master + verify-master-kept against moto_server', () => {
  const env = motoPerFile();
  let n = 0;
  beforeAll(async () => {
  });

  async function threeNodeGroup() {
    const cluster = { ...CLUSTER, mainAutoScalingGroupName: `main-${++n}` };
    await createGroup(env.aws.ec2, env.aws.autoScaling, { name: cluster.slaveAutoScalingGroupName, desired: 1 }).catch(() => undefined);
    const instances = await createGroup(env.aws.ec2, env.aws.autoScaling, { name: cluster.mainAutoScalingGroupName, desired: 3, availabilityZones: ['us-east-1a', 'us-east-1b'] });
    const ids = instances.map((i) => i.InstanceId as string);
    return { cluster, ids, master: ids[0] };
  }

  const scaleToOne = (name: string) =>
    env.aws.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MaxSize: 1, DesiredCapacity: 1 }));

  test('control: without protection the scale-down removes the oldest instance, the master, and verify fails', async () => {
    const { cluster, master } = await threeNodeGroup();
    await scaleToOne(cluster.mainAutoScalingGroupName);
    const left = await groupInstances(env.aws.autoScaling, cluster.mainAutoScalingGroupName);
    expect(left.map((i) => i.InstanceId)).not.toContain(master);
    await expect(verifyMasterKept(env.aws, { cluster, masterInstanceId: master }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/no longer InService/) });
  });

  test('keep-master then UpdateAutoScalingGroup(MaxSize 1, DesiredCapacity 1): the master is the one left', async () => {
    const { cluster, ids, master } = await threeNodeGroup();
    const first = await keepMaster(env.aws, { cluster, masterInstanceId: master });
    const second = await keepMaster(env.aws, { cluster, masterInstanceId: master });
    expect(second).toEqual(first);
    expect(first).toEqual({ masterInstanceId: master, protected: [master], unprotected: ids.slice(1).sort() });
    const flags = await groupInstances(env.aws.autoScaling, cluster.mainAutoScalingGroupName);
    expect(Object.fromEntries(flags.map((i) => [i.InstanceId, i.ProtectedFromScaleIn])))
      .toEqual({ [ids[0]]: true, [ids[1]]: false, [ids[2]]: false });

    await scaleToOne(cluster.mainAutoScalingGroupName);
    const left = await groupInstances(env.aws.autoScaling, cluster.mainAutoScalingGroupName);
    expect(left.map((i) => i.InstanceId)).toEqual([master]);
    await expect(verifyMasterKept(env.aws, { cluster, masterInstanceId: master })).resolves.toEqual({ masterInstanceId: master, desiredCapacity: 1 });
  });

  test('keep-master then SetDesiredCapacity(1): the master is the one left', async () => {
    const { cluster, master } = await threeNodeGroup();
    await keepMaster(env.aws, { cluster, masterInstanceId: master });
    await env.aws.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: cluster.mainAutoScalingGroupName, DesiredCapacity: 1 }));
    await expect(verifyMasterKept(env.aws, { cluster, masterInstanceId: master })).resolves.toMatchObject({ masterInstanceId: master });
  });

  test('keep-master moves protection when the master changes', async () => {
    const { cluster, ids } = await threeNodeGroup();
    await keepMaster(env.aws, { cluster, masterInstanceId: ids[0] });
    await keepMaster(env.aws, { cluster, masterInstanceId: ids[2] });
    const flags = await groupInstances(env.aws.autoScaling, cluster.mainAutoScalingGroupName);
    expect(Object.fromEntries(flags.map((i) => [i.InstanceId, i.ProtectedFromScaleIn])))
      .toEqual({ [ids[0]]: false, [ids[1]]: false, [ids[2]]: true });
  });

  test('an instance of another group is refused and nothing changes', async () => {
    const { cluster } = await threeNodeGroup();
    const [slave] = await groupInstances(env.aws.autoScaling, cluster.slaveAutoScalingGroupName);
    await expect(keepMaster(env.aws, { cluster, masterInstanceId: slave.InstanceId as string })).rejects.toMatchObject({ name: 'PreconditionFailedError' });
    const flags = await groupInstances(env.aws.autoScaling, cluster.mainAutoScalingGroupName);
    expect(flags.every((i) => i.ProtectedFromScaleIn === false)).toBe(true);
  });

  test('release lifts the protection, so a scale to 0 empties the group (a protected master survives it)', async () => {
    const { cluster, master } = await threeNodeGroup();
    await keepMaster(env.aws, { cluster, masterInstanceId: master });
    await env.aws.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: cluster.mainAutoScalingGroupName, MinSize: 0, DesiredCapacity: 0 }));
    expect((await groupInstances(env.aws.autoScaling, cluster.mainAutoScalingGroupName)).map((i) => i.InstanceId)).toEqual([master]);
    const released = await keepMaster(env.aws, { cluster, release: true });
    expect(released).toEqual({ masterInstanceId: null, protected: [], unprotected: [master] });
    await expect(keepMaster(env.aws, { cluster, release: true })).resolves.toEqual(released);
    await env.aws.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: cluster.mainAutoScalingGroupName, MinSize: 0, DesiredCapacity: 0 }));
    expect(await groupInstances(env.aws.autoScaling, cluster.mainAutoScalingGroupName)).toEqual([]);
  });
});
