import { addHex, CHECKSUM_ALGORITHM } from './checksum';
import { compareCodeUnits } from './canonical';
import { parseLabelCombinationKey } from './cypher';
import type { SchemaInfo } from './schema';
import { sortSchema } from './schema';
import type { NormalizedKeys } from './stable-key';

/**
 * What the validator knows about a database: counts, checksums and schema. Small (it grows with the
 * number of labels, label combinations, relationship types and schema items, not with the data), so a
 * baseline can be kept in an SSM parameter or an S3 object and compared later.
 */
export const SNAPSHOT_FORMAT = 'neo4j-migration-snapshot/1';

export interface GroupDigest {
  readonly count: number;
  /** 32 hex characters (sum mod 2^128 of the entity hashes); absent in quick mode. */
  readonly checksum?: string;
}

/** Partition of the entity space this snapshot covers (absent: everything). */
export interface PartitionSpec {
  readonly index: number;
  readonly count: number;
  /**
   * `key-hash` (default): entity in partition hash(stable key) mod count; the same entity lands in the
   * same partition in every database, so partition i of one database compares with partition i of another.
   * `internal-id`: id(n) mod count, filtered server-side, so each partition also transfers only its share;
   * only the combination of all partitions is comparable.
   */
  readonly strategy: 'key-hash' | 'internal-id';
}

/** One sampled entity (quick mode): its key as typed JSON values and its 128-bit hash. */
export interface NodeSample {
  readonly label: string;
  readonly properties: readonly string[];
  readonly values: readonly TypedJson[];
  readonly group: string;
  readonly hash: string;
}

export interface RelationshipSample {
  readonly type: string;
  readonly start: { readonly label: string; readonly properties: readonly string[]; readonly values: readonly TypedJson[] };
  readonly end: { readonly label: string; readonly properties: readonly string[]; readonly values: readonly TypedJson[] };
  readonly hash: string;
}

/** A key value in JSON without losing its Neo4j type: string, integer (decimal), float, boolean. */
export type TypedJson = { readonly s: string } | { readonly i: string } | { readonly f: number } | { readonly b: boolean };

export interface Snapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly capturedAt: string;
  readonly source: { readonly uri?: string; readonly database?: string; readonly serverVersion?: string };
  readonly mode: 'full' | 'quick';
  readonly algorithm: typeof CHECKSUM_ALGORITHM;
  readonly keys: NormalizedKeys;
  readonly partition?: PartitionSpec;
  readonly nodes: {
    readonly total: number;
    /** Label combination key (`labelCombinationKey`) -> digest; '' is nodes without labels. */
    readonly byLabels: Readonly<Record<string, GroupDigest>>;
    /** Label -> digest over every node carrying it (derived from byLabels by addition). */
    readonly byLabel: Readonly<Record<string, GroupDigest>>;
  };
  readonly relationships: {
    readonly total: number;
    readonly byType: Readonly<Record<string, GroupDigest>>;
  };
  readonly schema: SchemaInfo;
  readonly samples?: { readonly nodes: readonly NodeSample[]; readonly relationships: readonly RelationshipSample[] };
  /** Seconds the capture took (informational). */
  readonly seconds?: number;
}

/** Adds digests (counts add, checksums add mod 2^128). */
export function addDigests(a: GroupDigest | undefined, b: GroupDigest): GroupDigest {
  if (!a) return b;
  const count = a.count + b.count;
  if (a.checksum === undefined || b.checksum === undefined) return { count };
  return { count, checksum: addHex(a.checksum, b.checksum) };
}

/** Per-label digests from per-combination digests. */
export function rollUpLabels(byLabels: Readonly<Record<string, GroupDigest>>): Record<string, GroupDigest> {
  const out: Record<string, GroupDigest> = {};
  for (const [combo, d] of Object.entries(byLabels)) {
    for (const label of parseLabelCombinationKey(combo)) out[label] = addDigests(out[label], d);
  }
  return sortRecord(out);
}

export function sortRecord<T>(r: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort(compareCodeUnits)) out[k] = r[k];
  return out;
}

/**
 * Adds the partial snapshots of partitions 0..k-1 (same strategy, keys and mode) into the snapshot of
 * the whole database. Order of the parts does not matter.
 */
export function combineSnapshots(parts: readonly Snapshot[]): Snapshot {
  if (parts.length === 0) throw new Error('combineSnapshots: no parts');
  const first = parts[0];
  const k = first.partition?.count;
  if (k === undefined) throw new Error('combineSnapshots: part 0 is not a partition');
  const seen = new Set<number>();
  for (const p of parts) {
    if (!p.partition) throw new Error('combineSnapshots: a part is not a partition');
    if (p.partition.count !== k || p.partition.strategy !== first.partition!.strategy) {
      throw new Error(`combineSnapshots: parts disagree on partitioning (${describePartition(p.partition)} vs ${describePartition(first.partition!)})`);
    }
    if (p.mode !== first.mode || JSON.stringify(p.keys) !== JSON.stringify(first.keys)) {
      throw new Error('combineSnapshots: parts were captured with different modes or keys');
    }
    if (seen.has(p.partition.index)) throw new Error(`combineSnapshots: partition ${p.partition.index} given twice`);
    seen.add(p.partition.index);
  }
  const missing = [...Array(k).keys()].filter((i) => !seen.has(i));
  if (missing.length) throw new Error(`combineSnapshots: missing partition(s) ${missing.join(', ')} of ${k}`);
  const byLabels: Record<string, GroupDigest> = {};
  const byType: Record<string, GroupDigest> = {};
  for (const p of parts) {
    for (const [g, d] of Object.entries(p.nodes.byLabels)) byLabels[g] = addDigests(byLabels[g], d);
    for (const [g, d] of Object.entries(p.relationships.byType)) byType[g] = addDigests(byType[g], d);
  }
  const rest: { -readonly [K in keyof Snapshot]?: Snapshot[K] } = { ...first };
  delete rest.partition;
  delete rest.seconds;
  return {
    ...(rest as Snapshot),
    capturedAt: parts.map((p) => p.capturedAt).sort().at(-1)!,
    nodes: { total: sum(Object.values(byLabels)), byLabels: sortRecord(byLabels), byLabel: rollUpLabels(byLabels) },
    relationships: { total: sum(Object.values(byType)), byType: sortRecord(byType) },
    schema: sortSchema(first.schema),
  };
}

export function describePartition(p: PartitionSpec): string {
  return `partition ${p.index} of ${p.count} (${p.strategy})`;
}

function sum(ds: readonly GroupDigest[]): number {
  return ds.reduce((s, d) => s + d.count, 0);
}

/** Stable JSON of a snapshot (compact; what goes to SSM, S3 or a file). */
export function serializeSnapshot(s: Snapshot, pretty = false): string {
  return JSON.stringify(s, null, pretty ? 2 : undefined);
}

/** Parses and checks a stored snapshot; a clear error names what is wrong. */
export function parseSnapshot(json: string, origin = 'baseline'): Snapshot {
  let s: Snapshot;
  try {
    s = JSON.parse(json) as Snapshot;
  } catch (err) {
    throw new Error(`${origin}: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (!s || s.format !== SNAPSHOT_FORMAT) {
    throw new Error(`${origin}: not a ${SNAPSHOT_FORMAT} document (format: ${JSON.stringify((s as { format?: unknown })?.format)})`);
  }
  if (s.algorithm !== CHECKSUM_ALGORITHM) {
    throw new Error(`${origin}: checksum algorithm ${JSON.stringify(s.algorithm)} is not ${CHECKSUM_ALGORITHM}`);
  }
  for (const field of ['nodes', 'relationships', 'schema', 'keys'] as const) {
    if (typeof s[field] !== 'object' || s[field] === null) throw new Error(`${origin}: missing ${field}`);
  }
  return s;
}
