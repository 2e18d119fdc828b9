import * as crypto from 'node:crypto';
import { BaselineTooLargeError, SSM_ADVANCED_LIMIT, SSM_STANDARD_LIMIT, decodeBaselineFromSsm, encodeBaselineForSsm } from '../../validator/baseline-store';
import { CHECKSUM_ALGORITHM } from '../../validator/checksum';
import type { GroupDigest, Snapshot } from '../../validator/snapshot';
import { SNAPSHOT_FORMAT, rollUpLabels, serializeSnapshot } from '../../validator/snapshot';

/** A snapshot with `groups` label combinations (random checksums: gzip cannot shrink them much). */
function snapshotWith(groups: number, labelNames = (i: number) => `Label${i}`): Snapshot {
  const byLabels: Record<string, GroupDigest> = {};
  for (let i = 0; i < groups; i++) byLabels[`:${labelNames(i)}`] = { count: i + 1, checksum: crypto.randomBytes(16).toString('hex') };
  return {
    format: SNAPSHOT_FORMAT,
    capturedAt: '2025-01-01T00:00:00.000Z',
    source: { uri: 'bolt://db:7687', serverVersion: 'Neo4j/5.26.30' },
    mode: 'full',
    algorithm: CHECKSUM_ALGORITHM,
    keys: {},
    nodes: { total: 0, byLabels, byLabel: rollUpLabels(byLabels) },
    relationships: { total: 0, byType: {} },
    schema: { indexes: [], constraints: [] },
  };
}

describe('baseline in an SSM parameter', () => {
  test('up to 4 KB: plain JSON, Standard tier', () => {
    const s = snapshotWith(5);
    const e = encodeBaselineForSsm(s);
    expect(e).toMatchObject({ encoding: 'json', tier: 'Standard', value: serializeSnapshot(s) });
    expect(e.sizeBytes).toBeLessThanOrEqual(SSM_STANDARD_LIMIT);
    expect(decodeBaselineFromSsm(e.value, 'p')).toEqual(s);
  });

  test('4 to 8 KB: plain JSON, Advanced tier', () => {
    const s = snapshotWith(40);
    const e = encodeBaselineForSsm(s);
    expect(e.jsonBytes).toBeGreaterThan(SSM_STANDARD_LIMIT);
    expect(e).toMatchObject({ encoding: 'json', tier: 'Advanced' });
    expect(e.sizeBytes).toBeLessThanOrEqual(SSM_ADVANCED_LIMIT);
  });

  test('over 8 KB: gzip + base64 when that fits, decoded transparently', () => {
    const s = snapshotWith(60, (i) => `AVeryLongAndRepetitiveLabelNameThatCompressesWell_${i}`);
    const e = encodeBaselineForSsm(s);
    expect(e.jsonBytes).toBeGreaterThan(SSM_ADVANCED_LIMIT);
    expect(e.encoding).toBe('gzip+base64');
    expect(e.value.startsWith('gzip:')).toBe(true);
    expect(e.sizeBytes).toBeLessThanOrEqual(SSM_ADVANCED_LIMIT);
    expect(decodeBaselineFromSsm(e.value, 'p')).toEqual(s);
  });

  test('too large even compressed: the error reports both sizes', () => {
    const s = snapshotWith(400);
    expect(() => encodeBaselineForSsm(s)).toThrow(BaselineTooLargeError);
    expect(() => encodeBaselineForSsm(s)).toThrow(/the baseline is \d+ bytes of JSON \(\d+ bytes gzip\+base64\), more than an SSM parameter holds/);
  });
});
