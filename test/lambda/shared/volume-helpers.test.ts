import { clientToken } from '../../../lambda/shared/client-token';
import { tagFilters, tagMap, tagSpecifications, toTags } from '../../../lambda/shared/ec2-tags';
import { shortExecutionId } from '../../../lambda/shared/execution-id';
import { provisioningParams } from '../../../lambda/shared/volume-provisioning';

describe('shortExecutionId', () => {
  test.each([
    ['run-1', 'run-1'],
    ['arn:aws:states:us-east-1:123456789012:execution:neo4j-upgrade:run-1', 'run-1'],
    ['upgrade-2026-11-23', expect.stringMatching(/^upgrade-[0-9a-f]{6}$/)],
    ['3f2a9c1e-5b7d-4c1a-9e2f-0a1b2c3d4e5f', expect.stringMatching(/^3f2a9c1e-[0-9a-f]{6}$/)],
    ['a_b', expect.stringMatching(/^ab-[0-9a-f]{6}$/)],
    ['___', expect.stringMatching(/^[0-9a-f]{6}$/)],
  ])('%s -> %s', (id, expected) => {
    expect(shortExecutionId(id)).toEqual(expected);
  });

  test('long names that share a prefix stay distinct', () => {
    expect(shortExecutionId('upgrade-2026-11-23-a')).not.toBe(shortExecutionId('upgrade-2026-11-23-b'));
  });
});

describe('clientToken', () => {
  test('deterministic, at most 64 characters, and different for different parts', () => {
    expect(clientToken('e', 'us-east-1', 'a', '0')).toBe(clientToken('e', 'us-east-1', 'a', '0'));
    expect(clientToken('e', 'us-east-1', 'a', '0')).toHaveLength(64);
    expect(clientToken('e', 'us-east-1', 'a', '0')).not.toBe(clientToken('e', 'us-east-1', 'a', '1'));
    // Parts are not just concatenated: ('ab','c') and ('a','bc') differ.
    expect(clientToken('ab', 'c')).not.toBe(clientToken('a', 'bc'));
  });
});

describe('provisioningParams', () => {
  test.each([
    [{}, { VolumeType: 'gp3' }],
    [{ volumeType: 'gp3', iops: 3000, throughput: 125 }, { VolumeType: 'gp3', Iops: 3000, Throughput: 125 }],
    [{ volumeType: 'gp2', iops: 150, throughput: 125 }, { VolumeType: 'gp2' }],
    [{ volumeType: 'io2', iops: 8000 }, { VolumeType: 'io2', Iops: 8000 }],
    [{ volumeType: 'st1', iops: 500 }, { VolumeType: 'st1' }],
    [{ volumeType: '' }, { VolumeType: 'gp3' }],
  ])('%j -> %j', (p, expected) => {
    expect(provisioningParams(p)).toEqual(expected);
  });
});

describe('ec2 tags', () => {
  test('map <-> list, filters, specifications', () => {
    const map = { Name: 'n', Environment: 'e' };
    expect(tagMap(toTags(map))).toEqual(map);
    expect(tagMap(undefined)).toEqual({});
    expect(tagFilters(map)).toEqual([{ Name: 'tag:Name', Values: ['n'] }, { Name: 'tag:Environment', Values: ['e'] }]);
    expect(tagSpecifications('volume', map)).toEqual([{ ResourceType: 'volume', Tags: toTags(map) }]);
  });
});
