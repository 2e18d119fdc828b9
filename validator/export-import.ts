import type { Driver, Integer, ManagedTransaction } from 'neo4j-driver';
import neo4j from 'neo4j-driver';
import { toNumber } from './capture';
import { compareCodeUnits } from './canonical';
import { groupBy } from './collections';
import { labelExpression, quoteName } from './cypher';
import type { SchemaInfo } from './schema';
import { constraintIdentity, createConstraintStatement, createIndexStatement, indexIdentity, readSchema } from './schema';

/**
 * Copies a database to another over Bolt, in batches, for a version upgrade by export/import.
 *
 * Ordering and resumption: the source is read by internal id ranges (`UNWIND range(lo, hi) ... WHERE
 * id(n) = i`, an id seek, so each batch costs O(batch), not a scan), nodes first, then relationships.
 * Each write transaction on the target carries its rows AND advances a checkpoint node
 * (`:__MigrationCheckpoint`) in the target itself, so the checkpoint is exactly as far as the committed
 * data: after an interruption (process killed, connection lost, AbortSignal) the next run continues
 * after the last committed row, and nothing is written twice. A source id only has to be stable while
 * the copy runs (the source must not be written to meanwhile); ids are never carried over as data.
 *
 * Node identity on the target during the copy: each node gets the temporary label `:__MigrationImport`
 * and property `__migrationImportId` (its source id), with an index, so relationships find their ends.
 * Then the source's indexes and constraints are created (5.x syntax, IF NOT EXISTS), the target waits for
 * them to be online, and the temporary label, property, index and checkpoint are removed in batches.
 *
 * Values: read with lossless integers and written back as the same driver objects, so every property
 * type goes through unchanged: integers beyond 2^53 (neo4j Integer), floats, strings of any size, byte
 * arrays, lists, Date, Time, LocalTime, DateTime (offset or zone id), LocalDateTime, Duration, Point 2D
 * and 3D (cartesian, WGS-84), vectors.
 *
 * The target must be empty at the first run (or hold this copy's checkpoint); it must be 5.x or later.
 */
export const IMPORT_LABEL = '__MigrationImport';
export const IMPORT_ID = '__migrationImportId';
export const CHECKPOINT_LABEL = '__MigrationCheckpoint';
export const IMPORT_INDEX = '__migration_import_id';

export type MigrationPhase = 'nodes' | 'relationships' | 'schema' | 'cleanup' | 'done';

export interface MigrationProgress {
  readonly phase: MigrationPhase;
  readonly nodesDone: number;
  readonly nodesTotal: number;
  readonly relationshipsDone: number;
  readonly relationshipsTotal: number;
  /** True when this run continued an interrupted one. */
  readonly resumed: boolean;
}

export interface ExportImportOptions {
  readonly sourceDatabase?: string;
  readonly targetDatabase?: string;
  /** Source ids per read range (default 10,000). */
  readonly readBatchSize?: number;
  /** Rows per target transaction (default 5,000). */
  readonly writeBatchSize?: number;
  /** Approximate payload bytes per target transaction (default 8 MiB); large strings make small batches. */
  readonly maxBatchBytes?: number;
  /** Seconds to wait for the recreated indexes to come online (default 600). */
  readonly awaitIndexesSeconds?: number;
  readonly onProgress?: (p: MigrationProgress) => void;
  /** Stops between transactions; a later run resumes. */
  readonly signal?: AbortSignal;
}

export interface MigrationResult {
  readonly nodes: number;
  readonly relationships: number;
  readonly resumed: boolean;
  /** Schema statements run on the target (those already satisfied there are skipped). */
  readonly schemaStatements: readonly string[];
  readonly seconds: number;
}

export class MigrationInterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationInterruptedError';
  }
}

interface Checkpoint {
  sourceId: string;
  phase: MigrationPhase;
  nextNodeId: number;
  nextRelId: number;
  maxNodeId: number;
  maxRelId: number;
  nodesDone: number;
  relsDone: number;
}

interface Row {
  id: Integer;
  size: number;
}

interface NodeRow extends Row {
  labels: string[];
  props: Record<string, unknown>;
}

interface RelRow extends Row {
  type: string;
  props: Record<string, unknown>;
  start: Integer;
  end: Integer;
}

export async function exportImport(source: Driver, target: Driver, options: ExportImportOptions = {}): Promise<MigrationResult> {
  const started = Date.now();
  const readBatch = options.readBatchSize ?? 10_000;
  const writeBatch = options.writeBatchSize ?? 5_000;
  const maxBytes = options.maxBatchBytes ?? 8 * 1024 * 1024;
  const src = () => source.session({ database: options.sourceDatabase, defaultAccessMode: 'READ', fetchSize: Math.min(readBatch, 5000) });
  const tgt = () => target.session({ database: options.targetDatabase });

  const info = await sourceInfo(source, options.sourceDatabase);
  const sourceSchema = await readSchema(source, options.sourceDatabase);
  let cp = await readCheckpoint(target, options.targetDatabase);
  const resumed = cp !== undefined;
  if (cp && cp.sourceId !== info.sourceId) {
    throw new Error(
      `the target holds an unfinished import from another source (checkpoint ${cp.sourceId}, this source ${info.sourceId}); ` +
        `finish that import or remove the :${CHECKPOINT_LABEL} node and the imported data first`,
    );
  }
  if (!cp) cp = await startImport(target, options.targetDatabase, info);
  const state: Checkpoint = cp;

  const progress = () =>
    options.onProgress?.({
      phase: state.phase,
      nodesDone: state.nodesDone,
      nodesTotal: info.nodes,
      relationshipsDone: state.relsDone,
      relationshipsTotal: info.relationships,
      resumed,
    });
  const checkAbort = () => {
    if (options.signal?.aborted) {
      throw new MigrationInterruptedError(`export-import interrupted in phase ${state.phase}; run it again to resume from the checkpoint`);
    }
  };
  /** One target transaction: the rows and the checkpoint advance commit together or not at all. */
  const writeBatchWithCheckpoint = async (work: (tx: ManagedTransaction) => Promise<void>) => {
    checkAbort();
    const s = tgt();
    try {
      await s.executeWrite(work);
    } finally {
      await s.close();
    }
  };
  progress();

  if (state.phase === 'nodes') {
    await copyRanges<NodeRow>({
      from: state.nextNodeId,
      max: state.maxNodeId,
      readBatch,
      writeBatch,
      maxBytes,
      openSource: src,
      query: `UNWIND range($lo, $hi) AS i MATCH (n) WHERE id(n) = i RETURN i AS id, labels(n) AS l, properties(n) AS p`,
      toRow: (rec) => {
        const props = rec.get('p') as Record<string, unknown>;
        return { id: rec.get('id'), labels: rec.get('l'), props, size: estimateSize(props) };
      },
      write: async (rows, next) => {
        await writeBatchWithCheckpoint(async (tx) => {
          for (const group of groupBy(rows, (r) => [...r.labels].sort(compareCodeUnits).join('\u0000'))) {
            const labels = labelExpression([IMPORT_LABEL, ...[...group[0].labels].sort(compareCodeUnits)]);
            await tx.run(`UNWIND $rows AS row CREATE (n${labels}) SET n = row.p, n.${quoteName(IMPORT_ID)} = row.id`, {
              rows: group.map((r) => ({ id: r.id, p: r.props })),
            });
          }
          await saveCheckpoint(tx, { nextNodeId: next, nodesDone: state.nodesDone + rows.length });
        });
        state.nextNodeId = next;
        state.nodesDone += rows.length;
        progress();
      },
    });
    await setPhase(target, options.targetDatabase, state, 'relationships');
    progress();
  }

  if (state.phase === 'relationships') {
    await copyRanges<RelRow>({
      from: state.nextRelId,
      max: state.maxRelId,
      readBatch,
      writeBatch,
      maxBytes,
      openSource: src,
      query:
        'UNWIND range($lo, $hi) AS i MATCH ()-[r]->() WHERE id(r) = i ' +
        'RETURN i AS id, type(r) AS t, properties(r) AS p, id(startNode(r)) AS s, id(endNode(r)) AS e',
      toRow: (rec) => {
        const props = rec.get('p') as Record<string, unknown>;
        return { id: rec.get('id'), type: rec.get('t'), props, start: rec.get('s'), end: rec.get('e'), size: estimateSize(props) };
      },
      write: async (rows, next) => {
        await writeBatchWithCheckpoint(async (tx) => {
          for (const group of groupBy(rows, (r) => r.type)) {
            const res = await tx.run(
              `UNWIND $rows AS row ` +
                `MATCH (a:${quoteName(IMPORT_LABEL)} {${quoteName(IMPORT_ID)}: row.s}) ` +
                `MATCH (b:${quoteName(IMPORT_LABEL)} {${quoteName(IMPORT_ID)}: row.e}) ` +
                `CREATE (a)-[r:${quoteName(group[0].type)}]->(b) SET r = row.p RETURN count(r) AS c`,
              { rows: group.map((r) => ({ s: r.start, e: r.end, p: r.props })) },
            );
            const created = toNumber(res.records[0].get('c'));
            if (created !== group.length) {
              throw new Error(`relationships of type ${group[0].type}: ${group.length - created} of ${group.length} have an end node missing on the target`);
            }
          }
          await saveCheckpoint(tx, { nextRelId: next, relsDone: state.relsDone + rows.length });
        });
        state.nextRelId = next;
        state.relsDone += rows.length;
        progress();
      },
    });
    await setPhase(target, options.targetDatabase, state, 'schema');
    progress();
  }

  let schemaStatements: string[] = [];
  if (state.phase === 'schema') {
    checkAbort();
    schemaStatements = await recreateSchema(target, options.targetDatabase, sourceSchema, options.awaitIndexesSeconds ?? 600);
    await setPhase(target, options.targetDatabase, state, 'cleanup');
    progress();
  }

  if (state.phase === 'cleanup') {
    await cleanup(target, options.targetDatabase, writeBatch, checkAbort);
    state.phase = 'done';
    progress();
  }

  return {
    nodes: state.nodesDone,
    relationships: state.relsDone,
    resumed,
    schemaStatements,
    seconds: (Date.now() - started) / 1000,
  };
}

interface SourceInfo {
  sourceId: string;
  maxNodeId: number;
  maxRelId: number;
  nodes: number;
  relationships: number;
}

async function sourceInfo(source: Driver, database?: string): Promise<SourceInfo> {
  const s = source.session({ database, defaultAccessMode: 'READ' });
  try {
    const dbId = (await s.run('CALL db.info() YIELD id RETURN id')).records[0].get('id') as string;
    const ids = await s.run('MATCH (n) RETURN max(id(n)) AS m, count(n) AS c');
    const rels = await s.run('MATCH ()-[r]->() RETURN max(id(r)) AS m, count(r) AS c');
    const maxNodeId = ids.records[0].get('m');
    const maxRelId = rels.records[0].get('m');
    return {
      sourceId: `${dbId}/${database ?? 'default'}`,
      maxNodeId: maxNodeId === null ? -1 : toNumber(maxNodeId),
      maxRelId: maxRelId === null ? -1 : toNumber(maxRelId),
      nodes: toNumber(ids.records[0].get('c')),
      relationships: toNumber(rels.records[0].get('c')),
    };
  } finally {
    await s.close();
  }
}

async function readCheckpoint(target: Driver, database?: string): Promise<Checkpoint | undefined> {
  const s = target.session({ database, defaultAccessMode: 'READ' });
  try {
    const res = await s.run(`MATCH (c:${quoteName(CHECKPOINT_LABEL)}) RETURN properties(c) AS c`);
    if (res.records.length > 1) throw new Error(`the target has ${res.records.length} :${CHECKPOINT_LABEL} nodes; expected at most one`);
    if (res.records.length === 0) return undefined;
    const c = res.records[0].get('c') as Record<string, unknown>;
    return {
      sourceId: String(c.sourceId),
      phase: String(c.phase) as MigrationPhase,
      nextNodeId: toNumber(c.nextNodeId),
      nextRelId: toNumber(c.nextRelId),
      maxNodeId: toNumber(c.maxNodeId),
      maxRelId: toNumber(c.maxRelId),
      nodesDone: toNumber(c.nodesDone),
      relsDone: toNumber(c.relsDone),
    };
  } finally {
    await s.close();
  }
}

async function startImport(target: Driver, database: string | undefined, info: SourceInfo): Promise<Checkpoint> {
  const s = target.session({ database });
  try {
    const count = toNumber((await s.run('MATCH (n) RETURN count(n) AS c')).records[0].get('c'));
    if (count > 0) {
      throw new Error(`the target database is not empty (${count} nodes) and holds no import checkpoint: export-import needs an empty target`);
    }
    await s.run(`CREATE INDEX ${quoteName(IMPORT_INDEX)} IF NOT EXISTS FOR (n:${quoteName(IMPORT_LABEL)}) ON (n.${quoteName(IMPORT_ID)})`);
    await s.run('CALL db.awaitIndex($name, 300)', { name: IMPORT_INDEX });
    const cp: Checkpoint = {
      sourceId: info.sourceId,
      phase: 'nodes',
      nextNodeId: 0,
      nextRelId: 0,
      maxNodeId: info.maxNodeId,
      maxRelId: info.maxRelId,
      nodesDone: 0,
      relsDone: 0,
    };
    await s.run(`CREATE (c:${quoteName(CHECKPOINT_LABEL)}) SET c = $cp`, { cp: checkpointParams(cp) });
    return cp;
  } finally {
    await s.close();
  }
}

function checkpointParams(cp: Partial<Checkpoint>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cp)) out[k] = typeof v === 'number' ? neo4j.int(v) : v;
  return out;
}

async function saveCheckpoint(tx: ManagedTransaction, fields: Partial<Checkpoint>): Promise<void> {
  const res = await tx.run(`MATCH (c:${quoteName(CHECKPOINT_LABEL)}) SET c += $f RETURN count(c) AS c`, { f: checkpointParams(fields) });
  if (toNumber(res.records[0].get('c')) !== 1) throw new Error(`the :${CHECKPOINT_LABEL} node disappeared from the target during the import`);
}

async function setPhase(target: Driver, database: string | undefined, state: Checkpoint, phase: MigrationPhase): Promise<void> {
  const s = target.session({ database });
  try {
    await s.executeWrite((tx) => saveCheckpoint(tx, { phase }));
  } finally {
    await s.close();
  }
  state.phase = phase;
}

interface CopyPlan<R extends Row> {
  from: number;
  max: number;
  readBatch: number;
  writeBatch: number;
  maxBytes: number;
  openSource: () => ReturnType<Driver['session']>;
  query: string;
  toRow: (rec: { get(key: string): never }) => R;
  /** Writes rows and records `next` (the first source id not yet copied) in the same transaction. */
  write: (rows: R[], next: number) => Promise<void>;
}

/** Reads id ranges [lo, hi] from the source, streaming, and writes them in bounded transactions. */
async function copyRanges<R extends Row>(plan: CopyPlan<R>): Promise<void> {
  for (let lo = plan.from; lo <= plan.max; lo += plan.readBatch) {
    const hi = Math.min(lo + plan.readBatch - 1, plan.max);
    let rows: R[] = [];
    let bytes = 0;
    let last = lo - 1;
    const session = plan.openSource();
    try {
      const result = session.run(plan.query, { lo: neo4j.int(lo), hi: neo4j.int(hi) });
      for await (const rec of result) {
        const row = plan.toRow(rec as never);
        const id = row.id.toNumber();
        if (id <= last) throw new Error(`the source returned id ${id} after ${last}: id seeks did not keep range order`);
        if (rows.length > 0 && (rows.length >= plan.writeBatch || bytes + row.size > plan.maxBytes)) {
          await plan.write(rows, last + 1);
          rows = [];
          bytes = 0;
        }
        rows.push(row);
        bytes += row.size;
        last = id;
      }
    } finally {
      await session.close();
    }
    if (rows.length > 0) await plan.write(rows, hi + 1);
  }
}

async function recreateSchema(target: Driver, database: string | undefined, schema: SchemaInfo, awaitSeconds: number): Promise<string[]> {
  const existing = await readSchema(target, database);
  const haveIndexes = new Set(existing.indexes.map(indexIdentity));
  const haveConstraints = new Set(existing.constraints.map(constraintIdentity));
  const statements = [
    ...schema.constraints.filter((c) => !haveConstraints.has(constraintIdentity(c))).map(createConstraintStatement),
    ...schema.indexes.filter((i) => !haveIndexes.has(indexIdentity(i)) && i.name !== IMPORT_INDEX).map(createIndexStatement),
  ];
  const s = target.session({ database });
  try {
    for (const statement of statements) await s.run(statement);
    await s.run('CALL db.awaitIndexes($t)', { t: neo4j.int(awaitSeconds) });
  } finally {
    await s.close();
  }
  return statements;
}

async function cleanup(target: Driver, database: string | undefined, batch: number, checkAbort: () => void): Promise<void> {
  const s = target.session({ database });
  try {
    for (;;) {
      checkAbort();
      const res = await s.run(
        `MATCH (n:${quoteName(IMPORT_LABEL)}) WITH n LIMIT $b REMOVE n:${quoteName(IMPORT_LABEL)} REMOVE n.${quoteName(IMPORT_ID)} RETURN count(n) AS c`,
        { b: neo4j.int(batch) },
      );
      if (toNumber(res.records[0].get('c')) === 0) break;
    }
    await s.run(`DROP INDEX ${quoteName(IMPORT_INDEX)} IF EXISTS`);
    await s.run(`MATCH (c:${quoteName(CHECKPOINT_LABEL)}) DELETE c`);
  } finally {
    await s.close();
  }
}

/** Rough bytes of a property map on the wire (enough to keep transactions bounded). */
export function estimateSize(v: unknown): number {
  if (typeof v === 'string') return 8 + v.length * 2;
  if (Array.isArray(v)) return v.reduce((s: number, x) => s + estimateSize(x), 8);
  if (ArrayBuffer.isView(v)) return 8 + v.byteLength;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let s = 8;
    for (const [k, x] of Object.entries(v)) s += k.length * 2 + estimateSize(x);
    return s;
  }
  return 16;
}
