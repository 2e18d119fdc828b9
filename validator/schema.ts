import type { Driver } from 'neo4j-driver';
import { isInt } from 'neo4j-driver';
import { compareCodeUnits } from './canonical';
import { quoteName } from './cypher';

/**
 * Indexes and constraints, normalised so that the output of `SHOW INDEXES` / `SHOW CONSTRAINTS` on 4.4,
 * 5.x and 2025.x compares equal when the schema is the same:
 * - columns that were renamed or added between versions (`uniqueness` -> `owningConstraint`,
 *   `ownedIndexId` -> `ownedIndex`, `propertyType`, `lastRead`, `readCount`, `trackedSince`, `id`) are
 *   read where present and otherwise ignored;
 * - constraint types renamed between versions map to one kind: `UNIQUENESS`, `NODE_PROPERTY_UNIQUENESS`
 *   -> UNIQUENESS on NODE; `RELATIONSHIP_UNIQUENESS`, `RELATIONSHIP_PROPERTY_UNIQUENESS` -> UNIQUENESS on
 *   RELATIONSHIP; `*_KEY` -> KEY; `*_PROPERTY_EXISTENCE` -> EXISTENCE; `*_PROPERTY_TYPE` -> PROPERTY_TYPE;
 * - a 4.4 `BTREE` index is compared as `RANGE` (what it becomes on 5.x), keeping `reportedType`;
 * - indexes owned by a constraint are not listed on their own: the constraint covers them;
 * - index providers (`range-1.0`, `text-2.0`, ...) and version-dependent defaults in the index config
 *   are ignored; FULLTEXT analyzer / eventual consistency and VECTOR dimensions / similarity are kept;
 * - names are reported but not compared (4.4 and 5.x generate different default names); identity is
 *   the type, entity type, labels or types, properties (and property type).
 */
export interface IndexInfo {
  readonly name: string;
  /** RANGE, TEXT, POINT, FULLTEXT, LOOKUP, VECTOR (or what the server reports for newer types). */
  readonly type: string;
  readonly entityType: string;
  readonly labelsOrTypes: readonly string[];
  readonly properties: readonly string[];
  readonly state: string;
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  /** The type as the server reported it, when normalisation changed it (BTREE). */
  readonly reportedType?: string;
}

export interface ConstraintInfo {
  readonly name: string;
  /** UNIQUENESS, KEY, EXISTENCE, PROPERTY_TYPE, or the reported type when not one of those. */
  readonly kind: string;
  readonly entityType: string;
  readonly labelsOrTypes: readonly string[];
  readonly properties: readonly string[];
  readonly propertyType?: string;
}

export interface SchemaInfo {
  readonly indexes: readonly IndexInfo[];
  readonly constraints: readonly ConstraintInfo[];
}

type Row = Record<string, unknown>;

/** One row of SHOW INDEXES (any version), or null for an index owned by a constraint. */
export function normalizeIndexRow(row: Row): IndexInfo | null {
  if (row.owningConstraint !== undefined && row.owningConstraint !== null) return null;
  if (typeof row.uniqueness === 'string' && row.uniqueness.toUpperCase() === 'UNIQUE') return null;
  const reported = String(row.type ?? '').toUpperCase();
  const type = reported === 'BTREE' ? 'RANGE' : reported;
  const unordered = type === 'FULLTEXT';
  const labelsOrTypes = strings(row.labelsOrTypes);
  const properties = strings(row.properties);
  const options = indexOptions(type, row.options);
  return {
    name: String(row.name ?? ''),
    type,
    entityType: String(row.entityType ?? '').toUpperCase(),
    labelsOrTypes: unordered ? [...labelsOrTypes].sort(compareCodeUnits) : labelsOrTypes,
    properties: unordered ? [...properties].sort(compareCodeUnits) : properties,
    state: String(row.state ?? 'ONLINE').toUpperCase(),
    ...(options ? { options } : {}),
    ...(reported !== type ? { reportedType: reported } : {}),
  };
}

const CONSTRAINT_KINDS: Record<string, [kind: string, entity: string]> = {
  UNIQUENESS: ['UNIQUENESS', 'NODE'],
  NODE_UNIQUENESS: ['UNIQUENESS', 'NODE'],
  NODE_PROPERTY_UNIQUENESS: ['UNIQUENESS', 'NODE'],
  RELATIONSHIP_UNIQUENESS: ['UNIQUENESS', 'RELATIONSHIP'],
  RELATIONSHIP_PROPERTY_UNIQUENESS: ['UNIQUENESS', 'RELATIONSHIP'],
  NODE_KEY: ['KEY', 'NODE'],
  RELATIONSHIP_KEY: ['KEY', 'RELATIONSHIP'],
  NODE_PROPERTY_EXISTENCE: ['EXISTENCE', 'NODE'],
  RELATIONSHIP_PROPERTY_EXISTENCE: ['EXISTENCE', 'RELATIONSHIP'],
  NODE_PROPERTY_TYPE: ['PROPERTY_TYPE', 'NODE'],
  RELATIONSHIP_PROPERTY_TYPE: ['PROPERTY_TYPE', 'RELATIONSHIP'],
};

/** One row of SHOW CONSTRAINTS (any version). */
export function normalizeConstraintRow(row: Row): ConstraintInfo {
  const reported = String(row.type ?? '').toUpperCase();
  const mapped = CONSTRAINT_KINDS[reported];
  const entityType = String(row.entityType ?? mapped?.[1] ?? '').toUpperCase();
  const propertyType = row.propertyType === undefined || row.propertyType === null ? undefined : String(row.propertyType);
  return {
    name: String(row.name ?? ''),
    kind: mapped ? mapped[0] : reported,
    entityType,
    labelsOrTypes: strings(row.labelsOrTypes),
    properties: strings(row.properties),
    ...(propertyType !== undefined ? { propertyType } : {}),
  };
}

/** What makes two indexes the same index (names excluded). */
export function indexIdentity(i: IndexInfo): string {
  if (i.type === 'LOOKUP') return `LOOKUP INDEX ON ${i.entityType === 'NODE' ? 'EACH labels(n)' : 'EACH type(r)'}`;
  return `${i.type} INDEX FOR ${pattern(i.entityType, i.labelsOrTypes)} ON (${i.properties.join(', ')})`;
}

/** What makes two constraints the same constraint (names excluded). */
export function constraintIdentity(c: ConstraintInfo): string {
  const type = c.propertyType ? ` :: ${c.propertyType}` : '';
  return `${c.kind} CONSTRAINT FOR ${pattern(c.entityType, c.labelsOrTypes)} REQUIRE (${c.properties.join(', ')})${type}`;
}

function pattern(entityType: string, labelsOrTypes: readonly string[]): string {
  const names = labelsOrTypes.join('|');
  return entityType === 'RELATIONSHIP' ? `()-[:${names}]-()` : `(:${names})`;
}

/** Sorted by identity, so snapshots and reports are stable. */
export function sortSchema(schema: SchemaInfo): SchemaInfo {
  const byId = <T>(id: (x: T) => string) => (a: T, b: T) => compareCodeUnits(id(a), id(b));
  return {
    indexes: [...schema.indexes].sort(byId(indexIdentity)),
    constraints: [...schema.constraints].sort(byId(constraintIdentity)),
  };
}

/** Reads and normalises the schema of one database. */
export async function readSchema(driver: Driver, database?: string): Promise<SchemaInfo> {
  const session = driver.session({ database, defaultAccessMode: 'READ' });
  try {
    const indexRows = await showRows(session, 'SHOW INDEXES YIELD *', 'SHOW INDEXES');
    const constraintRows = await showRows(session, 'SHOW CONSTRAINTS YIELD *', 'SHOW CONSTRAINTS');
    const indexes = indexRows.map(normalizeIndexRow).filter((i): i is IndexInfo => i !== null);
    const constraints = constraintRows.map(normalizeConstraintRow);
    return sortSchema({ indexes, constraints });
  } finally {
    await session.close();
  }
}

async function showRows(session: ReturnType<Driver['session']>, query: string, fallback: string): Promise<Row[]> {
  try {
    const r = await session.run(query);
    return r.records.map((rec) => rec.toObject());
  } catch (err) {
    if ((err as { code?: string }).code !== 'Neo.ClientError.Statement.SyntaxError') throw err;
    const r = await session.run(fallback);
    return r.records.map((rec) => rec.toObject());
  }
}

/**
 * Statements that create the schema on a 5.x / 2025.x target (IF NOT EXISTS, so they can run twice).
 * Constraints first: they create their own backing indexes.
 */
export function createStatements(schema: SchemaInfo): string[] {
  return [...schema.constraints.map(createConstraintStatement), ...schema.indexes.map(createIndexStatement)];
}

export function createIndexStatement(i: IndexInfo): string {
  const name = i.name ? quoteName(i.name) + ' ' : '';
  const rel = i.entityType === 'RELATIONSHIP';
  const v = rel ? 'r' : 'n';
  if (i.type === 'LOOKUP') {
    return rel
      ? `CREATE LOOKUP INDEX ${name}IF NOT EXISTS FOR ()-[r]-() ON EACH type(r)`
      : `CREATE LOOKUP INDEX ${name}IF NOT EXISTS FOR (n) ON EACH labels(n)`;
  }
  const props = i.properties.map((p) => `${v}.${quoteName(p)}`);
  if (i.type === 'FULLTEXT') {
    const names = i.labelsOrTypes.map(quoteName).join('|');
    const pat = rel ? `()-[r:${names}]-()` : `(n:${names})`;
    return `CREATE FULLTEXT INDEX ${name}IF NOT EXISTS FOR ${pat} ON EACH [${props.join(', ')}]${optionsClause(i.options)}`;
  }
  if (!['RANGE', 'TEXT', 'POINT', 'VECTOR'].includes(i.type)) {
    throw new Error(`cannot recreate index ${indexIdentity(i)}: unknown index type ${i.type}`);
  }
  const pat = rel ? `()-[r:${quoteName(i.labelsOrTypes[0])}]-()` : `(n:${quoteName(i.labelsOrTypes[0])})`;
  return `CREATE ${i.type} INDEX ${name}IF NOT EXISTS FOR ${pat} ON (${props.join(', ')})${optionsClause(i.options)}`;
}

export function createConstraintStatement(c: ConstraintInfo): string {
  const name = c.name ? quoteName(c.name) + ' ' : '';
  const rel = c.entityType === 'RELATIONSHIP';
  const v = rel ? 'r' : 'n';
  const pat = rel ? `()-[r:${quoteName(c.labelsOrTypes[0])}]-()` : `(n:${quoteName(c.labelsOrTypes[0])})`;
  const props = c.properties.map((p) => `${v}.${quoteName(p)}`);
  const tuple = `(${props.join(', ')})`;
  let requirement: string;
  switch (c.kind) {
    case 'UNIQUENESS':
      requirement = `${tuple} IS UNIQUE`;
      break;
    case 'KEY':
      requirement = `${tuple} IS ${rel ? 'RELATIONSHIP' : 'NODE'} KEY`;
      break;
    case 'EXISTENCE':
      requirement = `${props[0]} IS NOT NULL`;
      break;
    case 'PROPERTY_TYPE':
      requirement = `${props[0]} IS :: ${c.propertyType}`;
      break;
    default:
      throw new Error(`cannot recreate constraint ${constraintIdentity(c)}: unknown constraint type ${c.kind}`);
  }
  return `CREATE CONSTRAINT ${name}IF NOT EXISTS FOR ${pat} REQUIRE ${requirement}`;
}

function optionsClause(options: IndexInfo['options']): string {
  if (!options || Object.keys(options).length === 0) return '';
  const entries = Object.entries(options).map(([k, v]) => `${quoteName(k)}: ${typeof v === 'string' ? cypherString(v) : String(v)}`);
  return ` OPTIONS {indexConfig: {${entries.join(', ')}}}`;
}

function cypherString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** Index config entries that define the index's behaviour on every version (defaults that vary are left out). */
const KEPT_OPTIONS: Record<string, readonly string[]> = {
  FULLTEXT: ['fulltext.analyzer', 'fulltext.eventually_consistent'],
  VECTOR: ['vector.dimensions', 'vector.similarity_function'],
};

function indexOptions(type: string, raw: unknown): Record<string, string | number | boolean> | undefined {
  const kept = KEPT_OPTIONS[type];
  const config = (raw as { indexConfig?: Record<string, unknown> } | null | undefined)?.indexConfig;
  if (!kept || !config) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const k of kept) {
    const v = config[k];
    if (v === undefined || v === null) continue;
    if (isInt(v)) out[k] = v.toNumber();
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else out[k] = k === 'vector.similarity_function' ? String(v).toLowerCase() : String(v);
  }
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}
