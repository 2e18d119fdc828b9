import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Token } from 'aws-cdk-lib';
import { Neo4jUpgradesValidationError } from '../errors';
import { ClusterMode } from './cluster-mode';
import { DataVolumeOptions } from './data-volume';
import { DiscoveryVersion } from './discovery-version';
import { parseDockerImageReference } from './docker-image-reference';
import { Neo4jVersionFamily } from './neo4j-version-family';
import { NodeCapacity } from './node-capacity';

// Synth-time checks. Each names the prop and the value; unresolved tokens are left to CloudFormation.

const fail = (prop: string, value: unknown, reason: string): never => {
  throw new Neo4jUpgradesValidationError(prop, typeof value === 'string' ? `'${value}'` : String(value), reason);
};

const known = (value: unknown): boolean => value !== undefined && !Token.isUnresolved(value);

export function validateDockerImage(image: string, family: Neo4jVersionFamily): void {
  if (!known(image)) return;
  const ref = parseDockerImageReference('dockerImage', image);
  const version = ref.tag?.match(/^\d+(\.\d+)*/)?.[0];
  if (version && !family.runsVersion(version)) {
    fail('dockerImage', image, `version ${version} does not belong to versionFamily ${family.displayName}`);
  }
}

export function validateEnvironmentName(name: string): void {
  if (!known(name)) return;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    fail('environmentName', name, 'use 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit (it becomes a tag value and part of names)');
  }
}

export function validateCapacity(prop: string, capacity: NodeCapacity, lowest: number): void {
  for (const key of ['min', 'max', 'desired'] as const) {
    const value = capacity[key];
    if (!known(value)) continue;
    if (!Number.isInteger(value)) fail(`${prop}.${key}`, value, 'must be a whole number');
    if (value < lowest) fail(`${prop}.${key}`, value, `must be at least ${lowest}`);
  }
  const { min, max, desired } = capacity;
  if (known(max) && max < 1) fail(`${prop}.max`, max, 'must be at least 1');
  if (known(desired) && known(max) && desired > max) fail(`${prop}.desired`, desired, `is greater than ${prop}.max (${max})`);
  if (known(min) && known(desired) && min > desired) fail(`${prop}.min`, min, `is greater than ${prop}.desired (${desired})`);
  if (known(min) && known(max) && min > max) fail(`${prop}.min`, min, `is greater than ${prop}.max (${max})`);
}

export function validateAllowUpgrade(allowUpgrade: boolean, mode: ClusterMode): void {
  if (allowUpgrade && mode !== ClusterMode.SINGLE) {
    fail('allowUpgrade', allowUpgrade, `a store upgrade runs on one server alone: it needs mode SINGLE, got mode ${mode.value} (seed 000 step 2)`);
  }
}

/** EBS limits per volume type: size range, IOPS range, IOPS per GiB. */
const EBS_LIMITS: Record<string, { size: [number, number]; iops?: [number, number]; iopsPerGiB?: number; iopsRequired?: boolean }> = {
  [ec2.EbsDeviceVolumeType.GP3]: { size: [1, 65536], iops: [3000, 80000], iopsPerGiB: 500 },
  [ec2.EbsDeviceVolumeType.GP2]: { size: [1, 16384] },
  [ec2.EbsDeviceVolumeType.IO1]: { size: [4, 16384], iops: [100, 64000], iopsPerGiB: 50, iopsRequired: true },
  [ec2.EbsDeviceVolumeType.IO2]: { size: [4, 65536], iops: [100, 256000], iopsPerGiB: 1000, iopsRequired: true },
  [ec2.EbsDeviceVolumeType.ST1]: { size: [125, 16384] },
  [ec2.EbsDeviceVolumeType.SC1]: { size: [125, 16384] },
  [ec2.EbsDeviceVolumeType.STANDARD]: { size: [1, 1024] },
};

export function validateDataVolume(volume: DataVolumeOptions, sizeGiB: number, volumeType: ec2.EbsDeviceVolumeType): void {
  if (volume.name !== undefined && known(volume.name) && !/^[A-Za-z0-9][A-Za-z0-9._:/=+@-]{0,200}$/.test(volume.name)) {
    fail('dataVolume.name', volume.name, 'must be a tag value of letters, digits and ._:/=+@- (at most 201 characters)');
  }
  const limits = EBS_LIMITS[volumeType];
  if (known(sizeGiB)) {
    if (!Number.isInteger(sizeGiB) || sizeGiB < limits.size[0] || sizeGiB > limits.size[1]) {
      fail('dataVolume.sizeGiB', sizeGiB, `${volumeType} volumes take a whole number of GiB from ${limits.size[0]} to ${limits.size[1]}`);
    }
  }
  const iops = volume.iops;
  if (iops === undefined) {
    if (limits.iopsRequired) fail('dataVolume.iops', iops, `${volumeType} volumes need provisioned IOPS`);
  } else if (known(iops)) {
    if (!limits.iops) fail('dataVolume.iops', iops, `${volumeType} volumes take no provisioned IOPS`);
    const [lo, hi] = limits.iops!;
    if (!Number.isInteger(iops) || iops < lo || iops > hi) fail('dataVolume.iops', iops, `${volumeType} volumes take ${lo} to ${hi} IOPS`);
    if (known(sizeGiB) && iops > sizeGiB * limits.iopsPerGiB!) {
      fail('dataVolume.iops', iops, `${volumeType} allows at most ${limits.iopsPerGiB} IOPS per GiB; ${sizeGiB} GiB allows ${sizeGiB * limits.iopsPerGiB!}`);
    }
  }
  const throughput = volume.throughputMiBps;
  if (throughput !== undefined && known(throughput)) {
    if (volumeType !== ec2.EbsDeviceVolumeType.GP3) fail('dataVolume.throughputMiBps', throughput, `only gp3 volumes take a throughput, not ${volumeType}`);
    if (!Number.isInteger(throughput) || throughput < 125 || throughput > 2000) fail('dataVolume.throughputMiBps', throughput, 'gp3 takes 125 to 2000 MiB/s');
    const effectiveIops = iops === undefined ? 3000 : known(iops) ? iops : undefined;
    if (effectiveIops !== undefined && throughput > effectiveIops * 0.25) {
      fail('dataVolume.throughputMiBps', throughput, `gp3 allows at most 0.25 MiB/s per IOPS; ${effectiveIops} IOPS allow ${effectiveIops * 0.25}`);
    }
  }
  if (volume.encrypted === false && volume.encryptionKey) {
    fail('dataVolume.encrypted', false, 'an encryptionKey was given for volumes that are not encrypted');
  }
  if (volume.mountPoint !== undefined && !/^\/[A-Za-z0-9._/-]+$/.test(volume.mountPoint)) {
    fail('dataVolume.mountPoint', volume.mountPoint, 'must be an absolute path of letters, digits and ._/-');
  }
}

export function validateParameterPrefix(prefix: string): void {
  if (!/^[A-Za-z0-9]*$/.test(prefix)) {
    fail('parameterPrefix', prefix, 'stack parameter names are alphanumeric');
  }
}

export function validatePositiveInteger(prop: string, value: number | undefined): void {
  if (value !== undefined && known(value) && (!Number.isInteger(value) || value < 1)) {
    fail(prop, value, 'must be a whole number of at least 1');
  }
}

export function validatePercent(prop: string, value: number | undefined): void {
  if (value !== undefined && known(value) && (!Number.isInteger(value) || value < 0 || value > 100)) {
    fail(prop, value, 'must be a whole percentage from 0 to 100');
  }
}

/**
 * The per-server layout has one service per main member, fixed at synth: the main group must have a fixed
 * size, and the slave-only node (seed 000's 3.5 HA layout) none. Returns the number of servers.
 */
export function validateFixedServers(capacity: NodeCapacity, slaveCapacity: NodeCapacity): number {
  const { min, max, desired } = capacity;
  if (!known(min) || !known(max) || !known(desired)) {
    fail('capacity', `${min}/${max}/${desired}`, 'ServerLayout.SERVICE_PER_SERVER needs a known, fixed main group size (one service per server)');
  }
  if (min !== max || max !== desired) {
    fail('capacity', JSON.stringify(capacity), 'ServerLayout.SERVICE_PER_SERVER needs min = max = desired: each main member is a fixed server with its own service');
  }
  if (slaveCapacity.min !== 0 || slaveCapacity.desired !== 0) {
    fail('slaveCapacity', JSON.stringify(slaveCapacity), 'ServerLayout.SERVICE_PER_SERVER has no slave-only node (every member is a server): set slaveCapacity to { min: 0, max: 1, desired: 0 }');
  }
  if (desired > 99) fail('capacity.desired', desired, 'ServerLayout.SERVICE_PER_SERVER supports at most 99 servers');
  return desired;
}

/**
 * Discovery v2 exists from 5.23 on (Neo4j moved 5.x clusters to it there; calendar versions have nothing else),
 * so `DiscoveryVersion.V2` needs a 5.x image of 5.23 or later, or a calendar version; an explicit V1 cannot run
 * a calendar version.
 */
export function validateDiscoveryVersion(discovery: DiscoveryVersion | undefined, image: string, family: Neo4jVersionFamily): void {
  if (discovery === undefined) return;
  if (discovery === DiscoveryVersion.V1) {
    if (family === Neo4jVersionFamily.V2025) {
      fail('discoveryVersion', 'DiscoveryVersion.V1', `${family.displayName} has only discovery v2: use DiscoveryVersion.V2 or leave discoveryVersion unset`);
    }
    return;
  }
  if (family === Neo4jVersionFamily.V2025) return;
  if (family !== Neo4jVersionFamily.V5) {
    fail('discoveryVersion', 'DiscoveryVersion.V2', `discovery v2 needs Neo4j 5.23 or later or a calendar version, and versionFamily is ${family.displayName}`);
  }
  if (!known(image)) return;
  const version = parseDockerImageReference('dockerImage', image).tag?.match(/^5\.(\d+)/);
  if (!version) {
    fail('discoveryVersion', 'DiscoveryVersion.V2', `discovery v2 needs Neo4j 5.23 or later, and dockerImage '${image}' has no 5.x version tag to tell`);
  } else if (Number(version[1]) < 23) {
    fail('discoveryVersion', 'DiscoveryVersion.V2', `discovery v2 needs Neo4j 5.23 or later, and dockerImage is '${image}'`);
  }
}

/**
 * `spareServerSlots`: 0 (default) or 1, and only in the per-server layout (`fixedServers` is its server
 * count). One spare is what the replacement rotates identities through; more would only idle.
 */
export function validateSpareServerSlots(spare: number | undefined, fixedServers: number | undefined): number {
  if (spare === undefined || spare === 0) return 0;
  if (spare !== 1) fail('spareServerSlots', spare, 'expected 0 or 1: the replacement rotates members through one spare slot');
  if (fixedServers === undefined) {
    fail('spareServerSlots', spare, 'a spare server slot needs serverLayout: ServerLayout.SERVICE_PER_SERVER (one service per server)');
  }
  if (fixedServers! + spare > 99) fail('spareServerSlots', spare, `at most 99 server slots, and the cluster has ${fixedServers} servers`);
  return spare;
}
