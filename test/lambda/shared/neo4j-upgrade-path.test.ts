import { parseNeo4jVersion } from '../../../lambda/shared/image-reference';
import { checkUpgradePath, generation, versionFamily } from '../../../lambda/shared/neo4j-upgrade-path';

const v = (s: string) => parseNeo4jVersion(s)!;

describe('checkUpgradePath', () => {
  test.each([
    ['3.5.34', '3.5.35', 'patch'],
    ['3.4.17', '3.5.35', 'minor'],
    ['3.5.35', '4.0.12', 'major'],
    ['4.0.12', '4.1.13', 'minor'],
    ['4.3.23', '4.4.40', 'minor'],
    ['4.4.39', '4.4.40', 'patch'],
    ['4.4.40', '5.1.0', 'major'],
    ['4.4.40', '5.26.2', 'major'],
    ['5.1.0', '5.26.2', 'minor'],
    ['5.26.0', '2025.1.0', 'major'],
    ['5.27.0', '2026.1.0', 'major'],
    ['2025.1.0', '2026.2.0', 'minor'],
    ['2025.10.1', '2025.10.2', 'patch'],
    ['5.26.2', '5.26.2', 'same'],
  ])('%s -> %s: %s', (from, to, kind) => {
    const r = checkUpgradePath(v(from), v(to));
    expect(r).toMatchObject({ ok: true, kind });
  });

  test.each([
    ['3.5.35', '3.5.34', /does not support downgrades/],
    ['2025.1.0', '5.26.2', /does not support downgrades/],
    ['3.5.35', '4.1.0', /lands on 4\.0/],
    ['3.5.35', '5.26.2', /skips a major version; upgrade to 4\.0 first/],
    ['3.5.35', '2025.1.0', /skips a major version; upgrade to 4\.0 first/],
    ['3.3.9', '4.0.0', /upgrade to 3\.5 first/],
    ['4.0.12', '4.2.0', /one minor version at a time; upgrade to 4\.1 first/],
    ['4.3.23', '5.26.2', /only from 4\.4/],
    ['4.4.40', '2025.1.0', /upgrade to 5\.26 first/],
    ['5.25.1', '2025.1.0', /only from 5\.26/],
  ])('%s -> %s is refused', (from, to, reason) => {
    const r = checkUpgradePath(v(from), v(to));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  test('major upgrades warn about the latest patch; 4.4 -> 5 about the offline migration', () => {
    const r = checkUpgradePath(v('4.4.40'), v('5.26.2'));
    expect(r.ok && r.warnings).toEqual([
      expect.stringMatching(/latest 4\.4 patch/),
      expect.stringMatching(/neo4j-admin database migrate/),
    ]);
  });
});

test('generation and versionFamily', () => {
  expect([v('3.5.1'), v('4.4.1'), v('5.26.0'), v('2025.1.0'), v('2026.3.1')].map(generation)).toEqual([3, 4, 5, 6, 6]);
  expect([v('3.5.1'), v('4.2.1'), v('5.26.0'), v('2026.3.1')].map(versionFamily)).toEqual(['3.5', '4.2', '5', '2025']);
});
