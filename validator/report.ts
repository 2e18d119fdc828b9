import { compareCodeUnits } from './canonical';
import { describeLabels } from './cypher';
import type { ConstraintInfo, IndexInfo } from './schema';
import { constraintIdentity, indexIdentity } from './schema';
import type { GroupDigest, Snapshot } from './snapshot';
import { describePartition } from './snapshot';

export type DifferenceKind =
  | 'node-count'
  | 'label-combination-count'
  | 'node-checksum'
  | 'relationship-count'
  | 'relationship-checksum'
  | 'index-missing'
  | 'index-unexpected'
  | 'index-not-online'
  | 'index-options'
  | 'constraint-missing'
  | 'constraint-unexpected'
  | 'sampled-node-missing'
  | 'sampled-node-duplicated'
  | 'sampled-node-changed'
  | 'sampled-relationship-missing'
  | 'sampled-relationship-changed';

/** One difference: what differs, where, what the expected side has and what the found side has. */
export interface Difference {
  readonly what: DifferenceKind;
  readonly where: string;
  readonly expected: string | number | null;
  readonly found: string | number | null;
}

export interface SnapshotSummary {
  readonly uri?: string;
  readonly serverVersion?: string;
  readonly capturedAt: string;
  readonly mode: Snapshot['mode'];
  readonly nodes: number;
  readonly relationships: number;
  readonly indexes: number;
  readonly constraints: number;
  readonly seconds?: number;
}

export interface ValidationReport {
  /** True when there is no difference. */
  readonly ok: boolean;
  readonly differences: readonly Difference[];
  readonly expected: SnapshotSummary;
  readonly found: SnapshotSummary;
  /** What was compared, in words (for the log and the CLI). */
  readonly checks: readonly string[];
}

export function summarize(s: Snapshot): SnapshotSummary {
  return {
    uri: s.source.uri,
    serverVersion: s.source.serverVersion,
    capturedAt: s.capturedAt,
    mode: s.mode,
    nodes: s.nodes.total,
    relationships: s.relationships.total,
    indexes: s.schema.indexes.length,
    constraints: s.schema.constraints.length,
    seconds: s.seconds,
  };
}

/**
 * Compares two snapshots taken with the same keys, mode and partition. Count differences are reported
 * per label, per label combination and per relationship type; a checksum difference is reported only
 * where the counts agree (where they differ, the count already names the group). Throws when the
 * snapshots cannot be compared at all.
 */
export function compareSnapshots(expected: Snapshot, found: Snapshot, extra: readonly Difference[] = []): ValidationReport {
  assertComparable(expected, found);
  const differences: Difference[] = [];
  const checksums = expected.mode === 'full';

  compareCounts(expected.nodes.byLabel, found.nodes.byLabel, 'node-count', (l) => `(:${l})`, differences);
  compareGroups(expected.nodes.byLabels, found.nodes.byLabels, 'label-combination-count', 'node-checksum', describeLabels, checksums, differences);
  compareGroups(expected.relationships.byType, found.relationships.byType, 'relationship-count', 'relationship-checksum', (t) => `[:${t}]`, checksums, differences);
  compareIndexes(expected.schema.indexes, found.schema.indexes, differences);
  compareConstraints(expected.schema.constraints, found.schema.constraints, differences);
  differences.push(...extra);

  const checks = [
    `node counts per label (${Object.keys(expected.nodes.byLabel).length}) and per label combination (${Object.keys(expected.nodes.byLabels).length})`,
    `relationship counts per type (${Object.keys(expected.relationships.byType).length})`,
    checksums ? 'property checksums per label combination and relationship type (full pass)' : 'no checksums (quick mode)',
    `indexes (${expected.schema.indexes.length}) and constraints (${expected.schema.constraints.length})`,
  ];
  if (expected.samples) checks.push(`sampled entities (${expected.samples.nodes.length} nodes, ${expected.samples.relationships.length} relationships)`);
  if (expected.partition) checks.push(describePartition(expected.partition));
  return { ok: differences.length === 0, differences, expected: summarize(expected), found: summarize(found), checks };
}

function assertComparable(a: Snapshot, b: Snapshot): void {
  if (a.algorithm !== b.algorithm) throw new Error(`cannot compare: checksum algorithms differ (${a.algorithm} vs ${b.algorithm})`);
  if (a.mode !== b.mode) throw new Error(`cannot compare a ${a.mode} snapshot with a ${b.mode} one`);
  if (JSON.stringify(a.keys) !== JSON.stringify(b.keys)) {
    throw new Error(`cannot compare: captured with different keys (${JSON.stringify(a.keys)} vs ${JSON.stringify(b.keys)})`);
  }
  const pa = a.partition ? describePartition(a.partition) : 'whole database';
  const pb = b.partition ? describePartition(b.partition) : 'whole database';
  if (pa !== pb) throw new Error(`cannot compare ${pa} with ${pb}`);
  if (a.partition?.strategy === 'internal-id') {
    throw new Error('cannot compare single internal-id partitions (internal ids differ between databases): combine all partitions first');
  }
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareCodeUnits);
}

function compareCounts(
  expected: Readonly<Record<string, GroupDigest>>,
  found: Readonly<Record<string, GroupDigest>>,
  what: DifferenceKind,
  where: (k: string) => string,
  out: Difference[],
): void {
  for (const k of unionKeys(expected, found)) {
    const e = expected[k]?.count ?? 0;
    const f = found[k]?.count ?? 0;
    if (e !== f) out.push({ what, where: where(k), expected: e, found: f });
  }
}

function compareGroups(
  expected: Readonly<Record<string, GroupDigest>>,
  found: Readonly<Record<string, GroupDigest>>,
  countWhat: DifferenceKind,
  checksumWhat: DifferenceKind,
  where: (k: string) => string,
  checksums: boolean,
  out: Difference[],
): void {
  compareCounts(expected, found, countWhat, where, out);
  if (!checksums) return;
  for (const k of unionKeys(expected, found)) {
    const e = expected[k];
    const f = found[k];
    if (e && f && e.count === f.count && e.checksum !== f.checksum) {
      out.push({ what: checksumWhat, where: where(k), expected: e.checksum ?? null, found: f.checksum ?? null });
    }
  }
}

function compareIndexes(expected: readonly IndexInfo[], found: readonly IndexInfo[], out: Difference[]): void {
  const f = new Map(found.map((i) => [indexIdentity(i), i]));
  const e = new Map(expected.map((i) => [indexIdentity(i), i]));
  for (const [id, ei] of e) {
    const fi = f.get(id);
    if (!fi) {
      out.push({ what: 'index-missing', where: id, expected: ei.name, found: null });
      continue;
    }
    if (ei.state === 'ONLINE' && fi.state !== 'ONLINE') out.push({ what: 'index-not-online', where: id, expected: ei.state, found: fi.state });
    const eo = JSON.stringify(ei.options ?? {});
    const fo = JSON.stringify(fi.options ?? {});
    if (eo !== fo) out.push({ what: 'index-options', where: id, expected: eo, found: fo });
  }
  for (const [id, fi] of f) if (!e.has(id)) out.push({ what: 'index-unexpected', where: id, expected: null, found: fi.name });
}

function compareConstraints(expected: readonly ConstraintInfo[], found: readonly ConstraintInfo[], out: Difference[]): void {
  const f = new Map(found.map((c) => [constraintIdentity(c), c]));
  const e = new Map(expected.map((c) => [constraintIdentity(c), c]));
  for (const [id, ec] of e) if (!f.has(id)) out.push({ what: 'constraint-missing', where: id, expected: ec.name, found: null });
  for (const [id, fc] of f) if (!e.has(id)) out.push({ what: 'constraint-unexpected', where: id, expected: null, found: fc.name });
}

/** Plain-text report for people (the CLI prints it; JSON is available too). */
export function formatReport(r: ValidationReport): string {
  const side = (s: SnapshotSummary) =>
    `${s.uri ?? 'baseline'} ${s.serverVersion ?? ''} (${s.mode}, captured ${s.capturedAt}): ${s.nodes} nodes, ${s.relationships} relationships, ` +
    `${s.indexes} indexes, ${s.constraints} constraints${s.seconds !== undefined ? `, ${s.seconds.toFixed(1)} s` : ''}`;
  const lines = [`expected: ${side(r.expected)}`, `found:    ${side(r.found)}`, 'checked:', ...r.checks.map((c) => `  - ${c}`)];
  if (r.ok) {
    lines.push('result: OK, no differences');
  } else {
    lines.push(`result: ${r.differences.length} difference(s)`);
    for (const d of r.differences) lines.push(`  ${d.what} at ${d.where}: expected ${fmt(d.expected)}, found ${fmt(d.found)}`);
  }
  return lines.join('\n');
}

function fmt(v: string | number | null): string {
  return v === null ? 'none' : String(v);
}
