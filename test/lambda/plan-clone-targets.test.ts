import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAvailabilityZonesCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { addNeeds, balancedNeed } from '../../lambda/plan-clone-targets/formula';
import { PlanCloneTargetsInput, logic } from '../../lambda/plan-clone-targets/logic';
import { CLUSTER, group, mockAws } from './fixtures/volume-cluster';

const obj = (m: Map<string, number>) => Object.fromEntries(m);

describe('plan-clone-targets formula', () => {
  test.each([
    [3, ['a', 'b', 'c'], { a: 1 }, { a: 0, b: 1, c: 1 }],
    [2, ['a', 'b', 'c'], { a: 1 }, { a: 0, b: 1, c: 1 }],
    [1, ['a', 'b', 'c'], { a: 1 }, { a: 0, b: 0, c: 0 }],
    [5, ['a', 'b', 'c'], { a: 1 }, { a: 1, b: 2, c: 2 }],
    [4, ['a', 'b'], {}, { a: 2, b: 2 }],
    [3, ['a'], { a: 1 }, { a: 2 }],
    [0, ['a', 'b'], {}, { a: 0, b: 0 }],
  ])('need(%i, %j, %j) = %j', (target, zones, holders, expected) => {
    expect(obj(balancedNeed(target, zones, holders))).toEqual(expected);
  });

  /** Every way a balanced group can place `target` instances over `k` AZs (each AZ floor or ceil). */
  function balancedPlacements(target: number, k: number): number[][] {
    const lo = Math.floor(target / k);
    const out: number[][] = [];
    for (let mask = 0; mask < 1 << k; mask++) {
      const counts = Array.from({ length: k }, (_, i) => lo + ((mask >> i) & 1));
      if (counts.reduce((s, c) => s + c, 0) === target) out.push(counts);
    }
    return out;
  }

  test('covers every balanced placement with the master in any AZ (N 1..12, 1..4 AZs), never over-providing by more than one per AZ', () => {
    for (let k = 1; k <= 4; k++) {
      const zones = ['a', 'b', 'c', 'd'].slice(0, k);
      for (let n = 1; n <= 12; n++) {
        for (const masterZone of zones) {
          const need = balancedNeed(n, zones, { [masterZone]: 1 });
          const total = [...need.values()].reduce((s, c) => s + c, 0);
          expect(total).toBeGreaterThanOrEqual(n - 1);
          expect(total).toBeLessThanOrEqual(n - 1 + k);
          for (const counts of balancedPlacements(n, k)) {
            const m = zones.indexOf(masterZone);
            if (counts[m] < 1) continue; // the master is in its AZ
            zones.forEach((z, i) => expect(counts[i] - (z === masterZone ? 1 : 0)).toBeLessThanOrEqual(need.get(z) as number));
          }
        }
      }
    }
  });

  test('addNeeds sums per AZ', () => {
    expect(obj(addNeeds(new Map([['a', 1], ['b', 2]]), new Map([['b', 1], ['c', 3]])))).toEqual({ a: 1, b: 3, c: 3 });
  });
});

describe('plan-clone-targets', () => {
  const aws = mockAws();
  const run = (extra: Partial<PlanCloneTargetsInput> = {}) =>
    logic(aws.deps, { cluster: CLUSTER, targetCapacity: 3, slaveCount: 1, masterAvailabilityZone: 'us-east-1a', ...extra });

  beforeEach(() => {
    aws.asMock.reset();
    aws.ec2Mock.reset();
    aws.otherMock.reset();
    aws.asMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group(CLUSTER.mainAutoScalingGroupName, [{ id: 'i-0000000a', az: 'us-east-1a' }], { VPCZoneIdentifier: 'subnet-c,subnet-a,subnet-b' }),
        group(CLUSTER.slaveAutoScalingGroupName, [{ id: 'i-0000000d', az: 'us-east-1b' }], { AvailabilityZones: ['us-east-1b'], VPCZoneIdentifier: '' }),
      ],
    });
    aws.ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' }, { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' }, { SubnetId: 'subnet-c', AvailabilityZone: 'us-east-1c' }],
    });
    aws.otherMock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: ['a', 'b', 'c'].map((l) => ({ ZoneName: `eu-west-1${l}`, State: 'available' })),
    });
  });

  test('home region: main AZs from the subnets, the master keeps its volume, the slave-only node claims one in its AZ', async () => {
    const out = await run();
    expect(aws.ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, { SubnetIds: ['subnet-c', 'subnet-a', 'subnet-b'] });
    expect(out).toEqual({
      homeRegion: 'us-east-1',
      regions: [{
        region: 'us-east-1',
        copyRequired: false,
        targets: [
          { region: 'us-east-1', availabilityZone: 'us-east-1b', count: 2 },
          { region: 'us-east-1', availabilityZone: 'us-east-1c', count: 1 },
        ],
      }],
      targets: [
        { region: 'us-east-1', availabilityZone: 'us-east-1b', count: 2 },
        { region: 'us-east-1', availabilityZone: 'us-east-1c', count: 1 },
      ],
      totalVolumes: 3,
    });
  });

  test('no slave-only node: slaveCount 0', async () => {
    const out = await run({ slaveCount: 0, targetCapacity: 5 });
    expect(out.targets.map((t) => [t.availabilityZone, t.count])).toEqual([['us-east-1a', 1], ['us-east-1b', 2], ['us-east-1c', 2]]);
  });

  test('a group without subnets uses its AvailabilityZones', async () => {
    aws.asMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group(CLUSTER.mainAutoScalingGroupName, [], { AvailabilityZones: ['us-east-1a', 'us-east-1b'] }),
        group(CLUSTER.slaveAutoScalingGroupName, [], { AvailabilityZones: ['us-east-1a'] }),
      ],
    });
    const out = await run({ targetCapacity: 2 });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 0);
    // main: need(2, [a,b], {a:1}) = a0 b1; slave: no instance now, need(1, [a]) = a1.
    expect(out.targets.map((t) => [t.availabilityZone, t.count])).toEqual([['us-east-1a', 1], ['us-east-1b', 1]]);
  });

  test('extra region, same AZ letters by default: the whole topology, nothing held there', async () => {
    const out = await run({ extraRegions: { 'eu-west-1': null } });
    expect(out.regions[1]).toEqual({
      region: 'eu-west-1',
      copyRequired: true,
      targets: [
        { region: 'eu-west-1', availabilityZone: 'eu-west-1a', count: 1 },
        { region: 'eu-west-1', availabilityZone: 'eu-west-1b', count: 2 },
        { region: 'eu-west-1', availabilityZone: 'eu-west-1c', count: 1 },
      ],
    });
    expect(out.totalVolumes).toBe(3 + 4);
    expect(aws.otherMock).toHaveReceivedCommandTimes(DescribeAvailabilityZonesCommand, 1);
  });

  test('a list of region names (validate-input\'s cloneRegions) means the same AZ letters', async () => {
    const fromList = await run({ extraRegions: ['eu-west-1'] });
    const fromMap = await run({ extraRegions: { 'eu-west-1': null } });
    expect(fromList).toEqual(fromMap);
  });

  test('extra region with listed AZs', async () => {
    const out = await run({ extraRegions: { 'eu-west-1': ['eu-west-1c', 'eu-west-1a'] } });
    // main need(3, [a,c]) = 2 each; slave need(1, [a,c]) = 1 each.
    expect(out.regions[1].targets.map((t) => [t.availabilityZone, t.count])).toEqual([['eu-west-1a', 3], ['eu-west-1c', 3]]);
  });

  test('an AZ the extra region does not have is PreconditionFailedError', async () => {
    await expect(run({ extraRegions: { 'eu-west-1': ['eu-west-1z'] } }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/eu-west-1z/) });
  });

  test('a master AZ outside the main group is PreconditionFailedError', async () => {
    await expect(run({ masterAvailabilityZone: 'us-east-1f' }))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/us-east-1a, us-east-1b, us-east-1c/) });
  });

  test.each([
    [{ targetCapacity: 0 }, /targetCapacity must be an integer >= 1/],
    [{ targetCapacity: 2.5 }, /targetCapacity/],
    [{ slaveCount: -1 }, /slaveCount must be an integer >= 0/],
    [{ masterAvailabilityZone: undefined }, /masterAvailabilityZone/],
    [{ extraRegions: { 'us-east-1': null } }, /is the home region/],
    [{ extraRegions: { Europe: null } }, /not a region name/],
    [{ extraRegions: { 'eu-west-1': ['us-east-1a'] } }, /not AZs of eu-west-1/],
    [{ extraRegions: 'eu-west-1' }, /extraRegions must be an object/],
    [{ extraRegions: ['eu-west-1', ''] }, /extraRegions\[1\]/],
  ])('invalid input %j is InvalidInputError before any AWS call', async (bad, message) => {
    await expect(run(bad as Partial<PlanCloneTargetsInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(aws.asMock.calls()).toHaveLength(0);
  });
});
