import {
  compareVersions, formatVersion, neo4jVersionFromTag, parseImageReference, parseNeo4jVersion,
} from '../../../lambda/shared/image-reference';

describe('parseImageReference', () => {
  const digest = 'sha256:' + '0123456789abcdef'.repeat(4);
  test.each([
    ['neo4j:3.5.35-enterprise', { repository: 'neo4j', tag: '3.5.35-enterprise' }],
    ['neo4j', { repository: 'neo4j' }],
    [`neo4j@${digest}`, { repository: 'neo4j', digest }],
    [`neo4j:5.26.2@${digest}`, { repository: 'neo4j', tag: '5.26.2', digest }],
    ['library/neo4j:2025.10.1-enterprise', { repository: 'library/neo4j', tag: '2025.10.1-enterprise' }],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/graph/neo4j-ha:3.5.35',
      { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/graph/neo4j-ha', tag: '3.5.35' }],
    ['localhost:5000/neo4j:4.4.40', { repository: 'localhost:5000/neo4j', tag: '4.4.40' }],
  ])('%s', (ref, expected) => {
    expect(parseImageReference(ref)).toEqual(expected);
  });

  test.each(['', ' neo4j:1', 'Neo4j:3.5', 'neo4j:', 'neo4j:bad tag', 'neo4j@sha256:xyz', 'neo4j:-x', '/neo4j', 'neo4j//x:1'])(
    '%j is not a reference', (ref) => {
      expect(parseImageReference(ref)).toBeUndefined();
    });
});

describe('neo4jVersionFromTag', () => {
  test.each([
    ['3.5.35-enterprise', { major: 3, minor: 5, patch: 35, edition: 'enterprise' }],
    ['5.26.2', { major: 5, minor: 26, patch: 2 }],
    ['2025.10.1-enterprise', { major: 2025, minor: 10, patch: 1, edition: 'enterprise' }],
    ['2025.01.0-community-bullseye', { major: 2025, minor: 1, patch: 0, edition: 'community' }],
    ['5.26.0-enterprise-ubi9', { major: 5, minor: 26, patch: 0, edition: 'enterprise' }],
    ['v4.4.40', { major: 4, minor: 4, patch: 40 }],
    ['5.26', { major: 5, minor: 26 }],
  ])('%s', (tag, expected) => {
    expect(neo4jVersionFromTag(tag)).toEqual(expected);
  });

  test.each([undefined, 'latest', 'enterprise', '5', 'prod-3.5.35', '3.5.35.1'])('%s carries no version', (tag) => {
    expect(neo4jVersionFromTag(tag)).toBeUndefined();
  });
});

test('compareVersions and formatVersion', () => {
  const v = (s: string) => parseNeo4jVersion(s)!;
  expect(compareVersions(v('3.5.35'), v('4.0.0'))).toBeLessThan(0);
  expect(compareVersions(v('5.26.10'), v('5.26.9'))).toBeGreaterThan(0);
  expect(compareVersions(v('2025.10.1'), v('5.26.2'))).toBeGreaterThan(0);
  expect(compareVersions(v('3.5'), v('3.5.0'))).toBe(0);
  expect(formatVersion(v('2025.01.0-enterprise'))).toBe('2025.1.0');
  expect(formatVersion(v('5.26'))).toBe('5.26');
});
