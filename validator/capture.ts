import type { Driver, Integer } from 'neo4j-driver';
import { CHECKSUM_ALGORITHM, bucketOf, bucketOfWords, digest } from './checksum';
import { CanonicalWriter, compareCodeUnits } from './canonical';
import { labelCombinationKey } from './cypher';
import { captureSamples } from './sample';
import { readSchema } from './schema';
import type { GroupDigest, PartitionSpec, Snapshot } from './snapshot';
import { SNAPSHOT_FORMAT, rollUpLabels, sortRecord } from './snapshot';
import type { KeyConfig, NormalizedKeys } from './stable-key';
import { nodeKeyOf, normalizeKeys } from './stable-key';
import { forEachRecord } from './record-stream';
import { Groups } from './groups';
import { hashRelationships, partitionParams } from './relationship-pass';
import type { ThreadConnection } from './relationship-thread';
import { RelationshipThread } from './relationship-thread';
import { Sha256 } from './sha256';

export interface CaptureProgress {
  readonly phase: 'nodes' | 'relationships';
  readonly done: number;
  /** From the count store; an estimate when partitioned (the whole database). */
  readonly total: number;
}

export interface CaptureOptions {
  /** Database name (default: the server's default database). */
  readonly database?: string;
  /** Stable key properties per label (see stable-key.ts). */
  readonly keys?: KeyConfig;
  /**
   * `full` (default): streams every node and relationship and computes exact checksums.
   * `quick`: counts per label combination and relationship type (server-side aggregation), schema, and
   * a random sample of keyed entities (`sampleSize` per label and per type) with their hashes.
   */
  readonly mode?: 'full' | 'quick';
  /** Quick mode: entities sampled per keyed label and per relationship type (default 100). */
  readonly sampleSize?: number;
  /** Only this partition of the entities (full mode). */
  readonly partition?: { readonly index: number; readonly count: number; readonly strategy?: PartitionSpec['strategy'] };
  /** Records per Bolt PULL (default 2000). Memory is bounded by this, not by the graph. */
  readonly fetchSize?: number;
  /**
   * Relationship streams run concurrently in the full pass (default 1), each over the start nodes with
   * `id(a) % n = i`: the server works on one session per thread, so with spare server cores more streams
   * can shorten the pass, but each costs server CPU (2 streams took 45-95 % more server CPU than 1 in
   * the bench, and made the pass slower on 2 busy cores); the checksums do not depend on it.
   */
  readonly relationshipStreams?: number;
  /**
   * Full mode: the relationship pass runs in a worker thread with its own driver connected with these
   * coordinates (the same database as `driver`), so nodes and relationships are decoded and hashed on
   * two cores; the checksums are the same. Default: one thread.
   */
  readonly secondThread?: ThreadConnection;
  /** Called about every 10,000 entities. */
  readonly onProgress?: (p: CaptureProgress) => void;
  /** Recorded in the snapshot (never credentials). */
  readonly uri?: string;
}

/** Counts, checksums (full mode) or samples (quick mode), and schema of one database. */
export async function captureSnapshot(driver: Driver, options: CaptureOptions = {}): Promise<Snapshot> {
  const started = Date.now();
  const keys = normalizeKeys(options.keys);
  const mode = options.mode ?? 'full';
  const partition = checkPartition(options.partition);
  if (partition && mode !== 'full') throw new Error('partition: only a full capture can be partitioned');
  const ctx: PassContext = {
    driver,
    database: options.database,
    keys,
    partition,
    fetchSize: options.fetchSize ?? 2000,
    relationshipStreams: checkStreams(options.relationshipStreams),
    onProgress: options.onProgress,
  };
  // started first: the thread's module load and driver set-up overlap the queries below
  const thread = mode === 'full' && options.secondThread ? RelationshipThread.start(options.secondThread) : undefined;
  let byLabels: Record<string, GroupDigest>;
  let byType: Record<string, GroupDigest>;
  let samples: Snapshot['samples'];
  let info: Awaited<ReturnType<Driver['getServerInfo']>>;
  let schema: Snapshot['schema'];
  try {
    info = await driver.getServerInfo({ database: options.database });
    const schemaP = readSchema(driver, options.database);
    if (mode === 'full') {
      const totals = await countTotals(ctx);
      [byLabels, byType] = await Promise.all([hashNodes(ctx, totals.nodes), relationshipPass(ctx, totals.relationships, thread)]);
    } else {
      [byLabels, byType] = await Promise.all([countNodeGroups(ctx), countRelationshipGroups(ctx)]);
      samples = await captureSamples(driver, { database: options.database, keys, sampleSize: options.sampleSize ?? 100, types: Object.keys(byType) });
    }
    schema = await schemaP;
  } finally {
    await thread?.discard();
  }
  return {
    format: SNAPSHOT_FORMAT,
    capturedAt: new Date().toISOString(),
    source: { uri: options.uri, database: options.database, serverVersion: info.agent },
    mode,
    algorithm: CHECKSUM_ALGORITHM,
    keys,
    ...(partition ? { partition } : {}),
    nodes: { total: total(byLabels), byLabels, byLabel: rollUpLabels(byLabels) },
    relationships: { total: total(byType), byType },
    schema,
    ...(samples ? { samples } : {}),
    seconds: (Date.now() - started) / 1000,
  };
}

interface PassContext {
  readonly driver: Driver;
  readonly database?: string;
  readonly keys: NormalizedKeys;
  readonly partition?: PartitionSpec;
  readonly fetchSize: number;
  readonly relationshipStreams: number;
  readonly onProgress?: (p: CaptureProgress) => void;
}

function checkPartition(p: CaptureOptions['partition']): PartitionSpec | undefined {
  if (!p) return undefined;
  const { index, count } = p;
  const strategy = p.strategy ?? 'key-hash';
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`partition: expected 0 <= index < count (integers), got index ${index} of ${count}`);
  }
  if (strategy !== 'key-hash' && strategy !== 'internal-id') {
    throw new Error(`partition.strategy: expected key-hash or internal-id, got ${JSON.stringify(strategy)}`);
  }
  return { index, count, strategy };
}

function checkStreams(n: number | undefined): number {
  if (n === undefined) return 1;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`relationshipStreams: expected an integer from 1 to 64, got ${n}`);
  return n;
}

async function countTotals(ctx: PassContext): Promise<{ nodes: number; relationships: number }> {
  const session = ctx.driver.session({ database: ctx.database, defaultAccessMode: 'READ' });
  try {
    const n = await session.run('MATCH (n) RETURN count(n) AS c');
    const r = await session.run('MATCH ()-[r]->() RETURN count(r) AS c');
    return { nodes: toNumber(n.records[0].get('c')), relationships: toNumber(r.records[0].get('c')) };
  } finally {
    await session.close();
  }
}

function idFilter(variable: string, p: PartitionSpec | undefined): string {
  return p?.strategy === 'internal-id' ? `WHERE id(${variable}) % $partitionCount = $partitionIndex` : '';
}

/** Streams every node once: hashes (sorted labels, properties) into its label-combination group. */
async function hashNodes(ctx: PassContext, totalNodes: number): Promise<Record<string, GroupDigest>> {
  const groups = new Groups();
  const keyHash = ctx.partition?.strategy === 'key-hash' ? ctx.partition : undefined;
  const w = new CanonicalWriter();
  const kw = new CanonicalWriter(1024);
  const sha = new Sha256();
  const session = ctx.driver.session({ database: ctx.database, defaultAccessMode: 'READ', fetchSize: ctx.fetchSize });
  let done = 0;
  try {
    const cypher = `MATCH (n) ${idFilter('n', ctx.partition)} RETURN labels(n) AS l, properties(n) AS p`;
    await forEachRecord(session, cypher, partitionParams(ctx.partition), (rec) => {
      const labels = rec.get(0) as string[];
      if (labels.length > 1) labels.sort(compareCodeUnits);
      const props = rec.get(1) as Record<string, unknown>;
      // bytes of encodeNodeContent(labels, props)
      w.reset().ascii('N').labels(labels).map(props);
      const words = sha.hash(w.raw, w.length);
      if (++done % 10000 === 0) ctx.onProgress?.({ phase: 'nodes', done, total: totalNodes });
      if (keyHash) {
        const key = nodeKeyOf(labels, props, ctx.keys);
        const bucket = key ? bucketOf(digest(writeKeyedNode(kw.reset(), key.label, key.values).view()), keyHash.count) : bucketOfWords(words, keyHash.count);
        if (bucket !== keyHash.index) return;
      }
      const cacheKey = labels.length === 1 ? labels[0] : labels.join('\u0000');
      const g = groups.get(cacheKey, () => labelCombinationKey(labels));
      g.count++;
      g.sum.addPrefixWords(words);
    });
  } finally {
    await session.close();
  }
  ctx.onProgress?.({ phase: 'nodes', done, total: totalNodes });
  return groups.digests(true);
}

/** Bytes of encodeKeyedNode(label, values). */
function writeKeyedNode(w: CanonicalWriter, label: string, values: readonly unknown[]): CanonicalWriter {
  return w.ascii('K').string(label).value(values);
}

/** The relationship pass, on this thread or on the second thread started for `secondThread`. */
function relationshipPass(ctx: PassContext, total: number, thread: RelationshipThread | undefined): Promise<Record<string, GroupDigest>> {
  const { database, keys, partition, fetchSize, relationshipStreams } = ctx;
  const onProgress = (done: number) => ctx.onProgress?.({ phase: 'relationships', done, total });
  const o = { database, keys, partition, fetchSize, relationshipStreams, onProgress };
  return thread ? thread.run(o) : hashRelationships(ctx.driver, o);
}

async function countNodeGroups(ctx: PassContext): Promise<Record<string, GroupDigest>> {
  const session = ctx.driver.session({ database: ctx.database, defaultAccessMode: 'READ' });
  try {
    const res = await session.run('MATCH (n) RETURN labels(n) AS l, count(*) AS c');
    const groups = new Groups();
    for (const rec of res.records) {
      const labels = [...(rec.get('l') as string[])].sort(compareCodeUnits);
      const g = groups.get(labels.join('\u0000'), () => labelCombinationKey(labels));
      g.count += toNumber(rec.get('c'));
    }
    return groups.digests(false);
  } finally {
    await session.close();
  }
}

async function countRelationshipGroups(ctx: PassContext): Promise<Record<string, GroupDigest>> {
  const session = ctx.driver.session({ database: ctx.database, defaultAccessMode: 'READ' });
  try {
    const res = await session.run('MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c');
    const out: Record<string, GroupDigest> = {};
    for (const rec of res.records) out[rec.get('t') as string] = { count: toNumber(rec.get('c')) };
    return sortRecord(out);
  } finally {
    await session.close();
  }
}

function total(groups: Record<string, GroupDigest>): number {
  return Object.values(groups).reduce((s, g) => s + g.count, 0);
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return (v as Integer).toNumber();
}
