import neo4j from 'neo4j-driver';
import {
  constraintIdentity,
  createConstraintStatement,
  createIndexStatement,
  indexIdentity,
  normalizeConstraintRow,
  normalizeIndexRow,
  sortSchema,
} from '../../validator/schema';
import type { IndexInfo, SchemaInfo } from '../../validator/schema';
import { compareSnapshots } from '../../validator/report';
import type { Snapshot } from '../../validator/snapshot';
import { SNAPSHOT_FORMAT } from '../../validator/snapshot';
import { CHECKSUM_ALGORITHM } from '../../validator/checksum';

// SHOW INDEXES / SHOW CONSTRAINTS rows as each version family returns them (YIELD *), for one schema:
// a uniqueness constraint on :Person(id), a range index on :Person(name), a composite range index, a
// text index, a point index, a fulltext index and the two token lookup indexes.
const rows44 = {
  indexes: [
    { id: neo4j.int(1), name: 'index_343aff4e', state: 'ONLINE', populationPercent: 100, uniqueness: 'NONUNIQUE', type: 'LOOKUP', entityType: 'NODE', labelsOrTypes: null, properties: null, indexProvider: 'token-lookup-1.0' },
    { id: neo4j.int(2), name: 'index_f7700477', state: 'ONLINE', populationPercent: 100, uniqueness: 'NONUNIQUE', type: 'LOOKUP', entityType: 'RELATIONSHIP', labelsOrTypes: null, properties: null, indexProvider: 'token-lookup-1.0' },
    { id: neo4j.int(3), name: 'person_id', state: 'ONLINE', populationPercent: 100, uniqueness: 'UNIQUE', type: 'BTREE', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['id'], indexProvider: 'native-btree-1.0' },
    { id: neo4j.int(4), name: 'person_name', state: 'ONLINE', populationPercent: 100, uniqueness: 'NONUNIQUE', type: 'BTREE', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['name'], indexProvider: 'native-btree-1.0' },
    { id: neo4j.int(5), name: 'person_name_born', state: 'ONLINE', populationPercent: 100, uniqueness: 'NONUNIQUE', type: 'BTREE', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['name', 'born'], indexProvider: 'native-btree-1.0' },
    { id: neo4j.int(6), name: 'movie_title_text', state: 'ONLINE', populationPercent: 100, uniqueness: 'NONUNIQUE', type: 'TEXT', entityType: 'NODE', labelsOrTypes: ['Movie'], properties: ['title'], indexProvider: 'text-1.0' },
    { id: neo4j.int(7), name: 'place_location', state: 'ONLINE', populationPercent: 100, uniqueness: 'NONUNIQUE', type: 'POINT', entityType: 'NODE', labelsOrTypes: ['Place'], properties: ['location'], indexProvider: 'point-1.0' },
    {
      id: neo4j.int(8), name: 'titles', state: 'ONLINE', populationPercent: 100, uniqueness: 'NONUNIQUE', type: 'FULLTEXT', entityType: 'NODE',
      labelsOrTypes: ['Movie', 'Book'], properties: ['title', 'tagline'], indexProvider: 'fulltext-1.0',
      options: { indexProvider: 'fulltext-1.0', indexConfig: { 'fulltext.analyzer': 'standard-no-stop-words', 'fulltext.eventually_consistent': false } },
    },
  ],
  constraints: [
    { id: neo4j.int(9), name: 'person_id', type: 'UNIQUENESS', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['id'], ownedIndexId: neo4j.int(3) },
  ],
};

const rows5 = {
  indexes: [
    { id: neo4j.int(1), name: 'index_343aff4e', state: 'ONLINE', populationPercent: 100, type: 'LOOKUP', entityType: 'NODE', labelsOrTypes: null, properties: null, indexProvider: 'token-lookup-1.0', owningConstraint: null, lastRead: null, readCount: neo4j.int(0), trackedSince: null, options: { indexProvider: 'token-lookup-1.0', indexConfig: {} } },
    { id: neo4j.int(2), name: 'index_f7700477', state: 'ONLINE', populationPercent: 100, type: 'LOOKUP', entityType: 'RELATIONSHIP', labelsOrTypes: null, properties: null, indexProvider: 'token-lookup-1.0', owningConstraint: null, options: {} },
    { id: neo4j.int(3), name: 'constraint_a1b2c3', state: 'ONLINE', populationPercent: 100, type: 'RANGE', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['id'], indexProvider: 'range-1.0', owningConstraint: 'constraint_a1b2c3' },
    { id: neo4j.int(4), name: 'person_name', state: 'ONLINE', populationPercent: 100, type: 'RANGE', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['name'], indexProvider: 'range-1.0', owningConstraint: null },
    { id: neo4j.int(5), name: 'person_name_born', state: 'ONLINE', populationPercent: 100, type: 'RANGE', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['name', 'born'], indexProvider: 'range-1.0', owningConstraint: null },
    { id: neo4j.int(6), name: 'movie_title_text', state: 'ONLINE', populationPercent: 100, type: 'TEXT', entityType: 'NODE', labelsOrTypes: ['Movie'], properties: ['title'], indexProvider: 'text-2.0', owningConstraint: null },
    { id: neo4j.int(7), name: 'place_location', state: 'ONLINE', populationPercent: 100, type: 'POINT', entityType: 'NODE', labelsOrTypes: ['Place'], properties: ['location'], indexProvider: 'point-1.0', owningConstraint: null, options: { indexConfig: { 'spatial.cartesian.min': [-1000000, -1000000] } } },
    {
      id: neo4j.int(8), name: 'titles', state: 'ONLINE', populationPercent: 100, type: 'FULLTEXT', entityType: 'NODE',
      labelsOrTypes: ['Book', 'Movie'], properties: ['tagline', 'title'], indexProvider: 'fulltext-1.0', owningConstraint: null,
      options: { indexProvider: 'fulltext-1.0', indexConfig: { 'fulltext.analyzer': 'standard-no-stop-words', 'fulltext.eventually_consistent': false } },
    },
  ],
  constraints: [
    { id: neo4j.int(9), name: 'constraint_a1b2c3', type: 'UNIQUENESS', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['id'], ownedIndex: 'constraint_a1b2c3', propertyType: null },
  ],
};

// 2025.x: uniqueness renamed, more columns
const rows2025 = {
  indexes: rows5.indexes.map((r) => ({ ...r, indexProvider: r.type === 'TEXT' ? 'text-3.0' : r.indexProvider })),
  constraints: [
    { id: neo4j.int(9), name: 'person_id', type: 'NODE_PROPERTY_UNIQUENESS', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['id'], ownedIndex: 'person_id', propertyType: null, enforcedLabel: null, options: {}, createStatement: '...' },
  ],
};

function normalize(rows: { indexes: Record<string, unknown>[]; constraints: Record<string, unknown>[] }): SchemaInfo {
  return sortSchema({
    indexes: rows.indexes.map(normalizeIndexRow).filter((i): i is IndexInfo => i !== null),
    constraints: rows.constraints.map(normalizeConstraintRow),
  });
}

function snapshotWith(schema: SchemaInfo): Snapshot {
  return {
    format: SNAPSHOT_FORMAT,
    capturedAt: '2025-01-01T00:00:00.000Z',
    source: {},
    mode: 'full',
    algorithm: CHECKSUM_ALGORITHM,
    keys: {},
    nodes: { total: 0, byLabels: {}, byLabel: {} },
    relationships: { total: 0, byType: {} },
    schema,
  };
}

describe('schema normalisation across 4.4, 5.x and 2025.x', () => {
  test('the same schema compares equal whatever the version-specific columns and names', () => {
    const s44 = normalize(rows44);
    const s5 = normalize(rows5);
    const s2025 = normalize(rows2025);
    expect(s5.indexes.map(indexIdentity)).toEqual(s44.indexes.map(indexIdentity));
    expect(s2025.constraints.map(constraintIdentity)).toEqual(s44.constraints.map(constraintIdentity));
    expect(compareSnapshots(snapshotWith(s44), snapshotWith(s5)).differences).toEqual([]);
    expect(compareSnapshots(snapshotWith(s5), snapshotWith(s2025)).differences).toEqual([]);
    expect(compareSnapshots(snapshotWith(s44), snapshotWith(s2025)).differences).toEqual([]);
  });

  test('constraint-owned indexes are left to the constraint; BTREE is compared as RANGE', () => {
    const s44 = normalize(rows44);
    expect(s44.indexes.some((i) => i.properties.includes('id'))).toBe(false);
    expect(s44.indexes.find((i) => i.name === 'person_name')).toMatchObject({ type: 'RANGE', reportedType: 'BTREE' });
    expect(s44.constraints).toEqual([{ name: 'person_id', kind: 'UNIQUENESS', entityType: 'NODE', labelsOrTypes: ['Person'], properties: ['id'] }]);
  });

  test('a missing uniqueness constraint, a missing index and a changed composite order are differences', () => {
    const s5 = normalize(rows5);
    const without = sortSchema({
      constraints: [],
      indexes: s5.indexes
        .filter((i) => i.name !== 'movie_title_text')
        .map((i) => (i.name === 'person_name_born' ? { ...i, properties: ['born', 'name'] } : i)),
    });
    const diff = compareSnapshots(snapshotWith(s5), snapshotWith(without)).differences;
    expect(diff).toEqual(
      expect.arrayContaining([
        { what: 'constraint-missing', where: 'UNIQUENESS CONSTRAINT FOR (:Person) REQUIRE (id)', expected: 'constraint_a1b2c3', found: null },
        { what: 'index-missing', where: 'TEXT INDEX FOR (:Movie) ON (title)', expected: 'movie_title_text', found: null },
        { what: 'index-missing', where: 'RANGE INDEX FOR (:Person) ON (name, born)', expected: 'person_name_born', found: null },
        { what: 'index-unexpected', where: 'RANGE INDEX FOR (:Person) ON (born, name)', expected: null, found: 'person_name_born' },
      ]),
    );
    expect(diff).toHaveLength(4);
  });

  test('an index that is not online, and fulltext options that differ, are differences', () => {
    const s5 = normalize(rows5);
    const changed = sortSchema({
      constraints: s5.constraints,
      indexes: s5.indexes.map((i) =>
        i.name === 'person_name' ? { ...i, state: 'POPULATING' } : i.type === 'FULLTEXT' ? { ...i, options: { 'fulltext.analyzer': 'english', 'fulltext.eventually_consistent': false } } : i,
      ),
    });
    const what = compareSnapshots(snapshotWith(s5), snapshotWith(changed)).differences.map((d) => d.what).sort();
    expect(what).toEqual(['index-not-online', 'index-options']);
  });

  test('relationship and key constraints normalise across renames', () => {
    expect(normalizeConstraintRow({ name: 'a', type: 'RELATIONSHIP_UNIQUENESS', entityType: 'RELATIONSHIP', labelsOrTypes: ['R'], properties: ['k'] })).toMatchObject({ kind: 'UNIQUENESS', entityType: 'RELATIONSHIP' });
    expect(normalizeConstraintRow({ name: 'a', type: 'RELATIONSHIP_PROPERTY_UNIQUENESS', entityType: 'RELATIONSHIP', labelsOrTypes: ['R'], properties: ['k'] })).toMatchObject({ kind: 'UNIQUENESS', entityType: 'RELATIONSHIP' });
    expect(normalizeConstraintRow({ name: 'a', type: 'NODE_KEY', entityType: 'NODE', labelsOrTypes: ['P'], properties: ['a', 'b'] })).toMatchObject({ kind: 'KEY' });
    expect(normalizeConstraintRow({ name: 'a', type: 'NODE_PROPERTY_TYPE', entityType: 'NODE', labelsOrTypes: ['P'], properties: ['a'], propertyType: 'INTEGER' })).toMatchObject({ kind: 'PROPERTY_TYPE', propertyType: 'INTEGER' });
    expect(normalizeConstraintRow({ name: 'a', type: 'SOMETHING_NEW', entityType: 'NODE', labelsOrTypes: ['P'], properties: [] }).kind).toBe('SOMETHING_NEW');
  });

  test('vector index options keep dimensions and similarity, not version-dependent defaults', () => {
    const row = {
      name: 'emb', state: 'ONLINE', type: 'VECTOR', entityType: 'NODE', labelsOrTypes: ['Doc'], properties: ['embedding'], owningConstraint: null,
      options: { indexProvider: 'vector-3.0', indexConfig: { 'vector.dimensions': neo4j.int(3), 'vector.similarity_function': 'COSINE', 'vector.hnsw.m': neo4j.int(16), 'vector.quantization.enabled': true } },
    };
    expect(normalizeIndexRow(row)?.options).toEqual({ 'vector.dimensions': 3, 'vector.similarity_function': 'cosine' });
  });
});

describe('create statements for the target (5.x syntax)', () => {
  test('indexes and constraints, names and identifiers quoted', () => {
    const s = normalize(rows44);
    const statements = [...s.constraints.map(createConstraintStatement), ...s.indexes.map(createIndexStatement)];
    expect(statements).toEqual([
      'CREATE CONSTRAINT `person_id` IF NOT EXISTS FOR (n:`Person`) REQUIRE (n.`id`) IS UNIQUE',
      "CREATE FULLTEXT INDEX `titles` IF NOT EXISTS FOR (n:`Book`|`Movie`) ON EACH [n.`tagline`, n.`title`] OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false}}",
      'CREATE LOOKUP INDEX `index_343aff4e` IF NOT EXISTS FOR (n) ON EACH labels(n)',
      'CREATE LOOKUP INDEX `index_f7700477` IF NOT EXISTS FOR ()-[r]-() ON EACH type(r)',
      'CREATE POINT INDEX `place_location` IF NOT EXISTS FOR (n:`Place`) ON (n.`location`)',
      'CREATE RANGE INDEX `person_name` IF NOT EXISTS FOR (n:`Person`) ON (n.`name`)',
      'CREATE RANGE INDEX `person_name_born` IF NOT EXISTS FOR (n:`Person`) ON (n.`name`, n.`born`)',
      'CREATE TEXT INDEX `movie_title_text` IF NOT EXISTS FOR (n:`Movie`) ON (n.`title`)',
    ]);
    expect(createConstraintStatement({ name: 'k', kind: 'KEY', entityType: 'RELATIONSHIP', labelsOrTypes: ['R'], properties: ['a'] })).toBe(
      'CREATE CONSTRAINT `k` IF NOT EXISTS FOR ()-[r:`R`]-() REQUIRE (r.`a`) IS RELATIONSHIP KEY',
    );
    expect(createConstraintStatement({ name: 'e', kind: 'EXISTENCE', entityType: 'NODE', labelsOrTypes: ['P'], properties: ['a'] })).toBe(
      'CREATE CONSTRAINT `e` IF NOT EXISTS FOR (n:`P`) REQUIRE n.`a` IS NOT NULL',
    );
    expect(() => createConstraintStatement({ name: 'x', kind: 'SOMETHING_NEW', entityType: 'NODE', labelsOrTypes: ['P'], properties: [] })).toThrow(/SOMETHING_NEW/);
  });
});
