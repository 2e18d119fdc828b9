import { logic } from '../../lambda/plan-clone-targets/logic';
import { createGroup, motoPerFile } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

describe('plan-clone-targets against moto_server', () => {
  const env = motoPerFile();
  beforeAll(async () => {
    await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 1, subnetZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
    await createGroup(env.aws.ec2, env.aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 1, subnetZones: ['us-east-1b'] });
  });

  test('AZs from the groups\' subnets; per-AZ counts at home and in an extra region', async () => {
    const out = await logic(env.aws, {
      cluster: CLUSTER, targetCapacity: 3, slaveCount: 1, masterAvailabilityZone: 'us-east-1a', extraRegions: { 'eu-west-1': [] },
    });
    expect(out.targets).toEqual([
      { region: 'us-east-1', availabilityZone: 'us-east-1b', count: 2 },
      { region: 'us-east-1', availabilityZone: 'us-east-1c', count: 1 },
      { region: 'eu-west-1', availabilityZone: 'eu-west-1a', count: 1 },
      { region: 'eu-west-1', availabilityZone: 'eu-west-1b', count: 2 },
      { region: 'eu-west-1', availabilityZone: 'eu-west-1c', count: 1 },
    ]);
    expect(out.regions.map((r) => [r.region, r.copyRequired])).toEqual([['us-east-1', false], ['eu-west-1', true]]);
    expect(out.totalVolumes).toBe(7);
  });

  test('an AZ that region does not have is refused', async () => {
    await expect(logic(env.aws, {
      cluster: CLUSTER, targetCapacity: 3, slaveCount: 1, masterAvailabilityZone: 'us-east-1a', extraRegions: { 'eu-west-1': ['eu-west-1z'] },
    })).rejects.toMatchObject({ name: 'PreconditionFailedError' });
  });
});
