import { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeAvailabilityZonesCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describeGroups } from '../shared/cluster-members';
import { ClusterContext } from '../shared/context';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { requireCluster, requireInteger, requireString, requireStringArray } from '../shared/input-checks';
import { addNeeds, balancedNeed } from './formula';

export interface PlanCloneTargetsInput {
  readonly cluster: ClusterContext;
  /** N: the main group's size after the scale-up (seed step 7), master included. */
  readonly targetCapacity: number;
  /** Instances of the slave-only group after the upgrade (normally 1). */
  readonly slaveCount: number;
  /** The master's AZ (resolve-master's `availabilityZone`): the master keeps its own volume. */
  readonly masterAvailabilityZone: string;
  /**
   * Further regions to seed, region -> AZ list. An empty list or null means "the same AZ letters
   * as the home region" (us-east-1a, us-east-1c -> eu-west-1a, eu-west-1c). A plain list of region
   * names (validate-input's `cloneRegions`) means the same letters in each.
   */
  readonly extraRegions?: Readonly<Record<string, readonly string[] | null>> | readonly string[] | null;
}

/** One item for the create-clone-volumes Map state (plus the region's snapshot id). */
export interface CloneTarget {
  readonly region: string;
  readonly availabilityZone: string;
  readonly count: number;
}

export interface RegionPlan {
  readonly region: string;
  /** False for the home region; true where the snapshot must be copied first. */
  readonly copyRequired: boolean;
  readonly targets: CloneTarget[];
}

export interface PlanCloneTargetsOutput {
  readonly homeRegion: string;
  /** Per region, for a Map state that copies the snapshot and then creates that region's volumes. */
  readonly regions: RegionPlan[];
  /** All targets with count > 0, flat. */
  readonly targets: CloneTarget[];
  readonly totalVolumes: number;
}

export interface PlanCloneTargetsDeps {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly ec2ForRegion: (region: string) => EC2Client;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

interface Validated {
  readonly extra: Array<[string, string[] | null]>;
}

function validate(input: PlanCloneTargetsInput, homeRegion: string): Validated {
  requireCluster(input?.cluster, ['mainAutoScalingGroupName', 'slaveAutoScalingGroupName']);
  requireInteger(input.targetCapacity, 'targetCapacity', 1);
  requireInteger(input.slaveCount, 'slaveCount', 0);
  requireString(input.masterAvailabilityZone, 'masterAvailabilityZone');
  const given = input.extraRegions ?? {};
  const raw = Array.isArray(given)
    ? Object.fromEntries(given.map((r, i) => [requireString(r, `extraRegions[${i}]`), null]))
    : given;
  if (typeof raw !== 'object') {
    throw new InvalidInputError(`extraRegions must be an object region -> AZ list, or a list of regions, got ${JSON.stringify(raw)}`);
  }
  const extra = Object.entries(raw).map(([region, zones]): [string, string[] | null] => {
    if (!REGION.test(region)) throw new InvalidInputError(`extraRegions: ${JSON.stringify(region)} is not a region name`);
    if (region === homeRegion) throw new InvalidInputError(`extraRegions: ${region} is the home region`);
    if (zones === null || zones === undefined || (Array.isArray(zones) && zones.length === 0)) return [region, null];
    const list = requireStringArray(zones, `extraRegions.${region}`, 1);
    const foreign = list.filter((z) => !z.startsWith(region));
    if (foreign.length > 0) throw new InvalidInputError(`extraRegions.${region}: ${foreign.join(', ')} are not AZs of ${region}`);
    return [region, [...new Set(list)].sort()];
  });
  return { extra };
}

/** The group's AZs: from its subnets (VPCZoneIdentifier) when it has any, else AvailabilityZones. */
async function groupZones(ec2: EC2Client, group: AutoScalingGroup): Promise<string[]> {
  const subnetIds = (group.VPCZoneIdentifier ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (subnetIds.length > 0) {
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
    const zones = (subnets.Subnets ?? []).map((s) => s.AvailabilityZone ?? '').filter(Boolean);
    if (zones.length > 0) return [...new Set(zones)].sort();
  }
  const zones = [...new Set(group.AvailabilityZones ?? [])].sort();
  if (zones.length === 0) throw new PreconditionFailedError(`Auto Scaling group ${group.AutoScalingGroupName} has no subnets or AZs`);
  return zones;
}

function letterMapped(zones: readonly string[], from: string, to: string): string[] {
  return zones.map((z) => (z.startsWith(from) ? to + z.slice(from.length) : z));
}

function targetsOf(region: string, need: ReadonlyMap<string, number>): CloneTarget[] {
  return [...need.entries()]
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([availabilityZone, count]) => ({ region, availabilityZone, count }));
}

async function requireZonesExist(ec2: EC2Client, region: string, zones: readonly string[]): Promise<void> {
  const out = await ec2.send(new DescribeAvailabilityZonesCommand({}));
  const known = new Set((out.AvailabilityZones ?? []).map((z) => z.ZoneName));
  const unknown = zones.filter((z) => !known.has(z));
  if (unknown.length > 0) throw new PreconditionFailedError(`AZs not available in ${region}: ${unknown.join(', ')}`);
}

/**
 * Seed step 6, planning: where the copies of the master's migrated volume must go so that every
 * node booting after the scale-up finds one in its own AZ.
 *
 * Home region (see formula.ts for `need`):
 * - main group, N = targetCapacity over its AZs, the master holding one volume in its AZ:
 *   need(N, mainAZs, {masterAZ: 1}).
 * - slave-only group: each InService slave instance stays where it is and claims a new volume when
 *   its container restarts (its old one was renamed), so current(a) = min(InService slaves in a,
 *   slaveCount) in its AZ; plus, if slaveCount exceeds them, need(slaveCount, slaveAZs, current)
 *   for the new ones.
 * Extra regions hold a copy of the whole topology with no volume yet: need(N, AZs) + need(slaveCount, AZs),
 * where AZs are the listed ones, or the home AZs with the same letters (per group).
 */
export async function logic(deps: PlanCloneTargetsDeps, input: PlanCloneTargetsInput): Promise<PlanCloneTargetsOutput> {
  const { extra } = validate(input, deps.region);
  const { cluster, targetCapacity: n, slaveCount, masterAvailabilityZone: masterAz } = input;
  const groups = await describeGroups(deps.autoScaling, [cluster.mainAutoScalingGroupName, cluster.slaveAutoScalingGroupName]);
  const main = groups.get(cluster.mainAutoScalingGroupName) as AutoScalingGroup;
  const slave = groups.get(cluster.slaveAutoScalingGroupName) as AutoScalingGroup;
  const mainZones = await groupZones(deps.ec2, main);
  const slaveZones = await groupZones(deps.ec2, slave);
  if (!mainZones.includes(masterAz)) {
    throw new PreconditionFailedError(`masterAvailabilityZone ${masterAz} is not one of the main group's AZs: ${mainZones.join(', ')}`);
  }

  // Slave instances that stay (at most slaveCount of them, which ones unknown when it shrinks).
  const slaveNow: Record<string, number> = {};
  for (const i of slave.Instances ?? []) {
    if (i.LifecycleState === 'InService' && i.AvailabilityZone) slaveNow[i.AvailabilityZone] = (slaveNow[i.AvailabilityZone] ?? 0) + 1;
  }
  for (const z of Object.keys(slaveNow)) slaveNow[z] = Math.min(slaveNow[z], slaveCount);
  const home = addNeeds(
    balancedNeed(n, mainZones, { [masterAz]: 1 }),
    new Map(Object.entries(slaveNow)),
    balancedNeed(slaveCount, slaveZones, slaveNow),
  );
  const regions: RegionPlan[] = [{ region: deps.region, copyRequired: false, targets: targetsOf(deps.region, home) }];

  for (const [region, listed] of extra) {
    const regionMain = listed ?? letterMapped(mainZones, deps.region, region);
    const regionSlave = listed ?? letterMapped(slaveZones, deps.region, region);
    await requireZonesExist(deps.ec2ForRegion(region), region, [...new Set([...regionMain, ...regionSlave])]);
    const need = addNeeds(balancedNeed(n, regionMain), balancedNeed(slaveCount, regionSlave));
    regions.push({ region, copyRequired: true, targets: targetsOf(region, need) });
  }
  const targets = regions.flatMap((r) => r.targets);
  return { homeRegion: deps.region, regions, targets, totalVolumes: targets.reduce((s, t) => s + t.count, 0) };
}
