import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack, Token } from 'aws-cdk-lib';
import { ClusterMode, Neo4jCluster, Neo4jClusterProps, Neo4jVersionFamily } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { appWithFeatureFlags } from '../support/app';
import { clusterStack, EXAMPLE_PROPS } from '../support/example-cluster';

type Case = [string, Partial<Neo4jClusterProps>, string, string];

// [case, props, prop named in the error, text the error must contain]
const INVALID: Case[] = [
  ['desired > max', { capacity: { min: 1, max: 2, desired: 3 } }, 'capacity.desired', 'got 3'],
  ['min > desired', { capacity: { min: 3, max: 3, desired: 2 } }, 'capacity.min', 'got 3'],
  ['min > max', { capacity: { min: 4, max: 3, desired: 5 } }, 'capacity.desired', 'got 5'],
  ['capacity below 1', { capacity: { min: 0, max: 3, desired: 3 } }, 'capacity.min', 'at least 1'],
  ['desired 0', { capacity: { min: 1, max: 3, desired: 0 } }, 'capacity.desired', 'at least 1'],
  ['fractional capacity', { capacity: { min: 1, max: 3, desired: 2.5 } }, 'capacity.desired', 'whole number'],
  ['slave desired > max', { slaveCapacity: { min: 0, max: 1, desired: 2 } }, 'slaveCapacity.desired', 'got 2'],
  ['slave max 0', { slaveCapacity: { min: 0, max: 0, desired: 0 } }, 'slaveCapacity.max', 'at least 1'],
  ['negative slave min', { slaveCapacity: { min: -1, max: 1, desired: 1 } }, 'slaveCapacity.min', 'at least 0'],
  ['image without tag', { dockerImage: 'neo4j' }, 'dockerImage', 'no tag or digest'],
  ['image with latest tag', { dockerImage: 'neo4j:latest' }, 'dockerImage', "'latest'"],
  ['malformed image', { dockerImage: 'Neo4j Enterprise' }, 'dockerImage', 'not a Docker image reference'],
  ['image outside the family', { dockerImage: 'neo4j:4.4.30-enterprise' }, 'dockerImage', 'does not belong to versionFamily Neo4j 3.5 HA'],
  ['allowUpgrade with HA', { allowUpgrade: true, mode: ClusterMode.HA }, 'allowUpgrade', 'needs mode SINGLE'],
  ['allowUpgrade on 5.x with HA', { versionFamily: Neo4jVersionFamily.V5, dockerImage: 'neo4j:5.26.2-enterprise', allowUpgrade: true }, 'allowUpgrade', 'needs mode SINGLE'],
  ['volume size 0', { dataVolume: { sizeGiB: 0 } }, 'dataVolume.sizeGiB', 'got 0'],
  ['volume size too big', { dataVolume: { sizeGiB: 70000 } }, 'dataVolume.sizeGiB', 'from 1 to 65536'],
  ['gp3 iops too low', { dataVolume: { iops: 100 } }, 'dataVolume.iops', '3000 to 80000'],
  ['gp3 iops per GiB', { dataVolume: { sizeGiB: 10, iops: 6000 } }, 'dataVolume.iops', 'per GiB'],
  ['iops on gp2', { dataVolume: { volumeType: ec2.EbsDeviceVolumeType.GP2, iops: 3000 } }, 'dataVolume.iops', 'take no provisioned IOPS'],
  ['io1 without iops', { dataVolume: { volumeType: ec2.EbsDeviceVolumeType.IO1 } }, 'dataVolume.iops', 'need provisioned IOPS'],
  ['throughput on io2', { dataVolume: { volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 5000, throughputMiBps: 200 } }, 'dataVolume.throughputMiBps', 'only gp3'],
  ['throughput above iops ratio', { dataVolume: { throughputMiBps: 1000 } }, 'dataVolume.throughputMiBps', '0.25 MiB/s per IOPS'],
  ['volume size below st1 minimum', { dataVolume: { volumeType: ec2.EbsDeviceVolumeType.ST1, sizeGiB: 100 } }, 'dataVolume.sizeGiB', 'from 125'],
  ['io1 iops per GiB', { dataVolume: { volumeType: ec2.EbsDeviceVolumeType.IO1, sizeGiB: 10, iops: 1000 } }, 'dataVolume.iops', 'at most 50 IOPS per GiB'],
  ['key without encryption', { dataVolume: { encrypted: false } }, 'dataVolume.encrypted', 'encryptionKey'],
  ['relative mount point', { dataVolume: { mountPoint: 'data' } }, 'dataVolume.mountPoint', 'absolute path'],
  ['bad volume name', { dataVolume: { name: 'neo4j data!' } }, 'dataVolume.name', 'tag value'],
  ['bad environment name', { environmentName: 'prod env' }, 'environmentName', "got 'prod env'"],
  ['bad parameter prefix', { parameterPrefix: 'Blue-' }, 'parameterPrefix', 'alphanumeric'],
  ['zero memory', { memoryReservationMiB: 0 }, 'memoryReservationMiB', 'at least 1'],
  ['percent above 100', { rollingMinHealthyPercent: 150 }, 'rollingMinHealthyPercent', '0 to 100'],
];

describe('Neo4jCluster prop validation', () => {
  test.each(INVALID)('%s fails at synth naming the prop and value', (_name, props, prop, text) => {
    const withKey = _name === 'key without encryption';
    let error: unknown;
    try {
      clusterStack(props, withKey);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Neo4jUpgradesValidationError);
    const e = error as Neo4jUpgradesValidationError;
    expect(e.prop).toBe(prop);
    expect(e.message).toContain(`Invalid ${prop} (got `);
    expect(e.message).toContain(text);
  });

  test('valid props of every family synthesize', () => {
    const families: Array<[Neo4jVersionFamily, string]> = [
      [Neo4jVersionFamily.V3_5_HA, 'neo4j:3.5.35-enterprise'],
      [Neo4jVersionFamily.V4_4_CAUSAL, 'neo4j:4.4.40-enterprise'],
      [Neo4jVersionFamily.V5, 'neo4j:5.26.2-enterprise'],
      [Neo4jVersionFamily.V2025, 'neo4j:2025.10.1-enterprise'],
    ];
    for (const [versionFamily, dockerImage] of families) {
      expect(() => clusterStack({ versionFamily, dockerImage })).not.toThrow();
    }
  });

  test('allowUpgrade with mode SINGLE and a digest-pinned image are accepted', () => {
    expect(() => clusterStack({
      mode: ClusterMode.SINGLE,
      allowUpgrade: true,
      dockerImage: `registry.example.com:5000/neo4j@sha256:${'a'.repeat(64)}`,
    })).not.toThrow();
  });

  test('unresolved tokens are left to CloudFormation', () => {
    const app = appWithFeatureFlags();
    const stack = new Stack(app, 'Tokens');
    expect(() => new Neo4jCluster(stack, 'Neo4j', {
      ...EXAMPLE_PROPS,
      dockerImage: Token.asString({ Ref: 'SomeImage' }),
      environmentName: Token.asString({ Ref: 'SomeEnvironment' }),
      capacity: { min: Token.asNumber({ Ref: 'Min' }), max: Token.asNumber({ Ref: 'Max' }), desired: Token.asNumber({ Ref: 'Desired' }) },
      dataVolume: { sizeGiB: Token.asNumber({ Ref: 'Size' }), iops: Token.asNumber({ Ref: 'Iops' }) },
    })).not.toThrow();
  });
});
