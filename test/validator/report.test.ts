import { CHECKSUM_ALGORITHM, addHex } from '../../validator/checksum';
import { compareSnapshots, formatReport } from '../../validator/report';
import type { Snapshot } from '../../validator/snapshot';
import { SNAPSHOT_FORMAT, combineSnapshots, parseSnapshot, rollUpLabels, serializeSnapshot } from '../../validator/snapshot';
import { renderProgress } from '../../validator/progress-bar';

const h = (n: number) => n.toString(16).padStart(32, '0');

function snap(byLabels: Snapshot['nodes']['byLabels'], byType: Snapshot['relationships']['byType'], extra: Partial<Snapshot> = {}): Snapshot {
  const total = (r: object) => Object.values(r).reduce((s: number, d: { count: number }) => s + d.count, 0);
  return {
    format: SNAPSHOT_FORMAT,
    capturedAt: '2025-01-01T00:00:00.000Z',
    source: { uri: 'bolt://x' },
    mode: 'full',
    algorithm: CHECKSUM_ALGORITHM,
    keys: { Person: ['id'] },
    nodes: { total: total(byLabels), byLabels, byLabel: rollUpLabels(byLabels) },
    relationships: { total: total(byType), byType },
    schema: { indexes: [], constraints: [] },
    ...extra,
  };
}

const base = snap(
  { ':Person': { count: 3, checksum: h(3) }, ':Employee:Person': { count: 2, checksum: h(20) }, '': { count: 1, checksum: h(1) } },
  { KNOWS: { count: 4, checksum: h(4) }, LIKES: { count: 1, checksum: h(5) } },
);

describe('compareSnapshots', () => {
  test('equal snapshots: ok, no differences', () => {
    const r = compareSnapshots(base, base);
    expect(r.ok).toBe(true);
    expect(r.differences).toEqual([]);
    expect(formatReport(r)).toMatch(/result: OK/);
  });

  test('labels roll up from combinations by addition', () => {
    expect(base.nodes.byLabel).toEqual({ Employee: { count: 2, checksum: h(20) }, Person: { count: 5, checksum: addHex(h(3), h(20)) } });
  });

  test('a deleted node is a count difference per label and per combination (no redundant checksum line)', () => {
    const found = snap({ ...base.nodes.byLabels, ':Person': { count: 2, checksum: h(9) } }, base.relationships.byType);
    expect(compareSnapshots(base, found).differences).toEqual([
      { what: 'node-count', where: '(:Person)', expected: 5, found: 4 },
      { what: 'label-combination-count', where: '(:Person)', expected: 3, found: 2 },
    ]);
  });

  test('a changed property is a checksum difference with equal counts', () => {
    const found = snap({ ...base.nodes.byLabels, ':Employee:Person': { count: 2, checksum: h(21) } }, base.relationships.byType);
    expect(compareSnapshots(base, found).differences).toEqual([
      { what: 'node-checksum', where: '(:Employee:Person)', expected: h(20), found: h(21) },
    ]);
  });

  test('a re-typed relationship shows on both types', () => {
    const found = snap(base.nodes.byLabels, { KNOWS: { count: 3, checksum: h(7) }, LIKES: { count: 2, checksum: h(8) } });
    const r = compareSnapshots(base, found);
    expect(r.ok).toBe(false);
    expect(r.differences).toEqual([
      { what: 'relationship-count', where: '[:KNOWS]', expected: 4, found: 3 },
      { what: 'relationship-count', where: '[:LIKES]', expected: 1, found: 2 },
    ]);
    expect(formatReport(r)).toMatch(/relationship-count at \[:KNOWS\]: expected 4, found 3/);
  });

  test('a group missing on one side counts as 0; relationship checksum differences are named', () => {
    const found = snap({ ':Person': base.nodes.byLabels[':Person'], ':Employee:Person': base.nodes.byLabels[':Employee:Person'] }, {
      KNOWS: { count: 4, checksum: h(40) },
      LIKES: base.relationships.byType.LIKES,
    });
    expect(compareSnapshots(base, found).differences).toEqual([
      { what: 'label-combination-count', where: '(no labels)', expected: 1, found: 0 },
      { what: 'relationship-checksum', where: '[:KNOWS]', expected: h(4), found: h(40) },
    ]);
  });

  test('snapshots taken differently are refused, not compared', () => {
    expect(() => compareSnapshots(base, { ...base, keys: {} })).toThrow(/different keys/);
    expect(() => compareSnapshots(base, { ...base, mode: 'quick' })).toThrow(/full snapshot with a quick/);
    const part = { ...base, partition: { index: 0, count: 2, strategy: 'internal-id' as const } };
    expect(() => compareSnapshots(base, part)).toThrow(/whole database with partition 0 of 2/);
    expect(() => compareSnapshots(part, part)).toThrow(/combine all partitions first/);
  });
});

describe('combineSnapshots', () => {
  const part = (index: number, n: number): Snapshot =>
    snap({ ':Person': { count: n, checksum: h(n) } }, { KNOWS: { count: 1, checksum: h(index) } }, { partition: { index, count: 3, strategy: 'key-hash' } });

  test('adds counts and checksums of all partitions, in any order', () => {
    const whole = combineSnapshots([part(2, 5), part(0, 1), part(1, 2)]);
    expect(whole.partition).toBeUndefined();
    expect(whole.nodes.byLabels[':Person']).toEqual({ count: 8, checksum: h(8) });
    expect(whole.nodes.byLabel.Person).toEqual({ count: 8, checksum: h(8) });
    expect(whole.relationships).toEqual({ total: 3, byType: { KNOWS: { count: 3, checksum: h(3) } } });
  });

  test('refuses missing, repeated or mismatched partitions', () => {
    expect(() => combineSnapshots([part(0, 1), part(1, 1)])).toThrow(/missing partition\(s\) 2 of 3/);
    expect(() => combineSnapshots([part(0, 1), part(0, 1), part(1, 1)])).toThrow(/partition 0 given twice/);
    expect(() => combineSnapshots([base])).toThrow(/not a partition/);
    const other = { ...part(2, 1), partition: { index: 2, count: 3, strategy: 'internal-id' as const } };
    expect(() => combineSnapshots([part(0, 1), part(1, 1), other])).toThrow(/disagree/);
  });
});

describe('stored snapshots', () => {
  test('round-trip through JSON and are checked on parse', () => {
    expect(parseSnapshot(serializeSnapshot(base))).toEqual(base);
    expect(() => parseSnapshot('{')).toThrow(/baseline: not JSON/);
    expect(() => parseSnapshot('{"format":"x"}')).toThrow(/not a neo4j-migration-snapshot\/1 document/);
    expect(() => parseSnapshot(JSON.stringify({ ...base, algorithm: 'md5' }))).toThrow(/checksum algorithm/);
  });
});

describe('progress bar', () => {
  test('renders fraction, counts and rate', () => {
    expect(renderProgress('nodes', 50, 200, 10, 10)).toBe('nodes [###-------]  25.0%  50/200  5/s');
    expect(renderProgress('x', 0, 0, 0, 4)).toBe('x [####] 100.0%  0/0  0/s');
  });
});
