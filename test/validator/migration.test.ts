/**
 * Two real servers side by side (NEO4J_LTS_VERSION and NEO4J_NEWEST_VERSION): populate the old one,
 * export/import to the new one (interrupted twice, and once by stopping the target server), validate,
 * then corrupt the new one deliberately and check each corruption is detected and named.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Driver } from 'neo4j-driver';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION, startNeo4j } from '../support/neo4j';
import type { Neo4jServer } from '../support/neo4j';
import { encodeMap, sortLabels } from '../../validator/canonical';
import { Sum128, digest, digestHex } from '../../validator/checksum';
import { captureSnapshot } from '../../validator/capture';
import { connect } from '../../validator/connect';
import { labelExpression } from '../../validator/cypher';
import { CHECKPOINT_LABEL, IMPORT_ID, IMPORT_LABEL, MigrationInterruptedError, exportImport } from '../../validator/export-import';
import type { MigrationProgress } from '../../validator/export-import';
import type { Difference } from '../../validator/report';
import { compareSnapshots } from '../../validator/report';
import { combineSnapshots, parseSnapshot, serializeSnapshot } from '../../validator/snapshot';
import { compareWithBaseline, validateDatabases } from '../../validator/validate';
import { encodeContentKey, encodeKeyedNode, encodeNodeContent, encodeRelationshipContent, nodeKeyOf, normalizeKeys } from '../../validator/stable-key';
import { FIXTURE_KEYS, allTypes, populate } from './fixture-graph';

jest.setTimeout(10 * 60_000);

let oldServer: Neo4jServer;
let newServer: Neo4jServer;
let oldDb: Driver;
let newDb: Driver;
let newDataDir: string;
let fixture: { nodes: number; relationships: number };

// A short retry window: the test stops a server on purpose and should not wait 30 s for the driver.
const driverFor = (s: Neo4jServer) => connect(s.boltUri, { username: s.user, password: s.password }, { maxTransactionRetryTime: 3000 });

async function query(driver: Driver, cypher: string, params: Record<string, unknown> = {}) {
  const s = driver.session();
  try {
    return (await s.run(cypher, params)).records.map((r) => r.toObject());
  } finally {
    await s.close();
  }
}

async function counts(driver: Driver) {
  const [r] = await query(driver, 'MATCH (n) WITH count(n) AS n OPTIONAL MATCH ()-[r]->() RETURN n, count(r) AS r');
  return { nodes: r.n.toNumber(), relationships: r.r.toNumber() };
}

beforeAll(async () => {
  newDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-new-'));
  [oldServer, newServer] = await Promise.all([
    startNeo4j({ version: NEO4J_LTS_VERSION }),
    startNeo4j({ version: NEO4J_NEWEST_VERSION, dataDir: newDataDir }),
  ]);
  oldDb = driverFor(oldServer);
  newDb = driverFor(newServer);
  fixture = await populate(oldDb);
});

afterAll(async () => {
  await Promise.all([oldDb?.close(), newDb?.close()]);
  await Promise.all([oldServer?.stop(), newServer?.stop()]);
  if (newDataDir) fs.rmSync(newDataDir, { recursive: true, force: true });
});

describe(`export/import ${NEO4J_LTS_VERSION} -> ${NEO4J_NEWEST_VERSION}`, () => {
  test('the servers are the two versions, and the fixture is non-trivial', async () => {
    expect(oldServer.version).toBe(NEO4J_LTS_VERSION);
    expect(newServer.version).toBe(NEO4J_NEWEST_VERSION);
    expect(fixture.nodes).toBeGreaterThan(100);
    expect(fixture.relationships).toBeGreaterThan(100);
  });

  test('an import interrupted between transactions (twice) keeps exactly the committed rows and a checkpoint', async () => {
    const abortAfter = (phase: MigrationProgress['phase'], events: number) => {
      const ac = new AbortController();
      let seen = 0;
      const onProgress = (p: MigrationProgress) => {
        if (p.phase === phase && ++seen >= events) ac.abort();
      };
      return { signal: ac.signal, onProgress };
    };
    const batches = { readBatchSize: 50, writeBatchSize: 17 };

    const first = abortAfter('nodes', 3);
    await expect(exportImport(oldDb, newDb, { ...batches, ...first })).rejects.toThrow(MigrationInterruptedError);
    const [cp1] = await query(newDb, `MATCH (c:${CHECKPOINT_LABEL}) RETURN c.phase AS phase, c.nodesDone AS done`);
    expect(cp1.phase).toBe('nodes');
    const imported1 = await query(newDb, `MATCH (n:${IMPORT_LABEL}) RETURN count(n) AS c`);
    expect(imported1[0].c.toNumber()).toBe(cp1.done.toNumber());
    expect(cp1.done.toNumber()).toBeGreaterThan(0);
    expect(cp1.done.toNumber()).toBeLessThan(fixture.nodes);

    const second = abortAfter('relationships', 3);
    await expect(exportImport(oldDb, newDb, { ...batches, ...second })).rejects.toThrow(/interrupted in phase relationships/);
    const [cp2] = await query(newDb, `MATCH (c:${CHECKPOINT_LABEL}) RETURN c.phase AS phase, c.nodesDone AS n, c.relsDone AS r`);
    expect(cp2.phase).toBe('relationships');
    expect(cp2.n.toNumber()).toBe(fixture.nodes);
    expect((await counts(newDb)).relationships).toBe(cp2.r.toNumber());
    expect((await counts(newDb)).nodes).toBe(fixture.nodes + 1); // + the checkpoint node
  });

  test('stopping the target server mid-import: the next run resumes from the committed checkpoint, no duplicates', async () => {
    let stopping: Promise<void> | undefined;
    let relBatches = 0;
    const run = exportImport(oldDb, newDb, {
      readBatchSize: 50,
      writeBatchSize: 9,
      onProgress: (p) => {
        if (p.phase === 'relationships' && p.resumed && ++relBatches === 4 && !stopping) stopping = newServer.stop();
      },
    });
    await expect(run).rejects.toThrow();
    expect(stopping).toBeDefined();
    await stopping;
    await newDb.close();

    newServer = await startNeo4j({ version: NEO4J_NEWEST_VERSION, dataDir: newDataDir });
    newDb = driverFor(newServer);
    const phases: string[] = [];
    const result = await exportImport(oldDb, newDb, { onProgress: (p) => phases.push(p.phase) });
    expect(result.resumed).toBe(true);
    expect(phases).toContain('done');
    expect(result.nodes).toBe(fixture.nodes);
    expect(result.relationships).toBe(fixture.relationships);
    expect(await counts(newDb)).toEqual(fixture);
    const leftovers = await query(
      newDb,
      `MATCH (n) WHERE n:${IMPORT_LABEL} OR n:${CHECKPOINT_LABEL} OR n.${IMPORT_ID} IS NOT NULL RETURN count(n) AS c`,
    );
    expect(leftovers[0].c.toNumber()).toBe(0);
    const indexNames = (await query(newDb, 'SHOW INDEXES YIELD name RETURN collect(name) AS names'))[0].names;
    expect(indexNames).not.toContain('__migration_import_id');
    expect(indexNames).toEqual(expect.arrayContaining(['person_name', 'titles', 'doc_embedding', 'acted_role']));
  });

  test('validate passes: counts, checksums and schema are equal across the two versions', async () => {
    const report = await validateDatabases(oldDb, newDb, { keys: FIXTURE_KEYS, sourceUri: oldServer.boltUri, targetUri: newServer.boltUri });
    expect(report.differences).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.expected.serverVersion).toBe(`Neo4j/${NEO4J_LTS_VERSION}`);
    expect(report.found.serverVersion).toBe(`Neo4j/${NEO4J_NEWEST_VERSION}`);
    expect(report.found.nodes).toBe(fixture.nodes);
    expect(report.expected.constraints).toBe(3);
    expect(report.expected.indexes).toBe(9); // 7 + the two token lookup indexes
  });

  test('every property type round-trips exactly (compared value by value, not only by checksum)', async () => {
    const [a] = await query(oldDb, 'MATCH (p:Person {id: 1}) RETURN properties(p) AS p');
    const [b] = await query(newDb, 'MATCH (p:Person {id: 1}) RETURN properties(p) AS p');
    expect(encodeMap(b.p)).toBe(encodeMap(a.p));
    expect(Object.keys(b.p).sort()).toEqual([...Object.keys(allTypes()), 'id', 'name', 'born'].sort());
    expect(b.p.bigInt.toString()).toBe('9007199254740993');
    expect(b.p.dateTimeZone.timeZoneId).toBe('Europe/Berlin');
    expect(b.p.largeStr.length).toBe(300_002);
    expect(b.p.bytes).toBeInstanceOf(Int8Array);
    expect(Object.is(b.p.negZero, -0)).toBe(true);
  });

  test('running export-import again on the filled target is refused and changes nothing', async () => {
    await expect(exportImport(oldDb, newDb)).rejects.toThrow(/target database is not empty \(\d+ nodes\) and holds no import checkpoint/);
    expect(await counts(newDb)).toEqual(fixture);
  });

  test('a stored baseline (JSON) of the old database compares equal with the new one; quick mode passes too', async () => {
    const baseline = parseSnapshot(serializeSnapshot(await captureSnapshot(oldDb, { keys: FIXTURE_KEYS })));
    expect(Buffer.byteLength(serializeSnapshot(baseline))).toBeLessThan(8192);
    expect((await compareWithBaseline(baseline, newDb)).differences).toEqual([]);
    const quick = await validateDatabases(oldDb, newDb, { keys: FIXTURE_KEYS, mode: 'quick', sampleSize: 1000 });
    expect(quick.differences).toEqual([]);
    expect(quick.checks.join('\n')).toMatch(/sampled entities \(\d+ nodes, \d+ relationships\)/);
  });

  test('the relationship checksums are those of the reference string encoders (baselines from before still compare)', async () => {
    const keys = normalizeKeys(FIXTURE_KEYS);
    const endKey = (labels: string[], props: Record<string, unknown>): string => {
      const sorted = sortLabels(labels);
      const key = nodeKeyOf(sorted, props, keys);
      return key ? encodeKeyedNode(key.label, key.values) : encodeContentKey(digestHex(encodeNodeContent(sorted, props)));
    };
    const expected = new Map<string, Sum128>();
    const rows = await query(oldDb, 'MATCH (a)-[r]->(b) RETURN labels(a) AS la, properties(a) AS pa, type(r) AS t, properties(r) AS pr, labels(b) AS lb, properties(b) AS pb');
    for (const row of rows) {
      const sum = expected.get(row.t) ?? expected.set(row.t, new Sum128()).get(row.t)!;
      sum.addDigest(digest(encodeRelationshipContent(row.t, endKey(row.la, row.pa), endKey(row.lb, row.pb), row.pr)));
    }
    const snapshot = await captureSnapshot(oldDb, { keys: FIXTURE_KEYS });
    expect(Object.fromEntries(Object.entries(snapshot.relationships.byType).map(([t, g]) => [t, g.checksum]))).toEqual(
      Object.fromEntries([...expected].map(([t, sum]) => [t, sum.toHex()])),
    );
    expect(rows.length).toBe(fixture.relationships);
  });

  test('partitioned checksums (key-hash and internal-id, 3 parts) and concurrent relationship streams add up to the single-pass result', async () => {
    const single = await captureSnapshot(oldDb, { keys: FIXTURE_KEYS });
    for (const strategy of ['key-hash', 'internal-id'] as const) {
      const parts = await Promise.all([0, 1, 2].map((index) => captureSnapshot(oldDb, { keys: FIXTURE_KEYS, partition: { index, count: 3, strategy } })));
      for (const p of parts) {
        expect(p.nodes.total).toBeGreaterThan(0);
        expect(p.nodes.total).toBeLessThan(single.nodes.total);
      }
      const combined = combineSnapshots([parts[2], parts[0], parts[1]]);
      expect(combined.nodes).toEqual(single.nodes);
      expect(combined.relationships).toEqual(single.relationships);
      expect(compareSnapshots(single, combined).differences).toEqual([]);
    }
    // relationships streamed in 2 or 3 concurrent sessions (the default is 1): the same sums
    for (const relationshipStreams of [2, 3]) {
      expect((await captureSnapshot(oldDb, { keys: FIXTURE_KEYS, relationshipStreams })).relationships).toEqual(single.relationships);
    }
    // key-hash partitions are comparable one by one across databases
    for (const index of [0, 1, 2]) {
      const partition = { index, count: 3, strategy: 'key-hash' as const };
      const [a, b] = await Promise.all([oldDb, newDb].map((d) => captureSnapshot(d, { keys: FIXTURE_KEYS, partition })));
      expect(compareSnapshots(a, b).differences).toEqual([]);
    }
  });

  test('the relationship pass on a second thread (its own driver) gives the same sums; a connection it cannot open fails the capture', async () => {
    const single = await captureSnapshot(oldDb, { keys: FIXTURE_KEYS });
    const secondThread = { uri: oldServer.boltUri, credentials: { username: oldServer.user, password: oldServer.password } };
    const threaded = await captureSnapshot(oldDb, { keys: FIXTURE_KEYS, secondThread });
    expect(threaded.nodes).toEqual(single.nodes);
    expect(threaded.relationships).toEqual(single.relationships);
    const partition = { index: 1, count: 3, strategy: 'key-hash' as const };
    const [part, threadedPart] = await Promise.all([{}, { secondThread }].map((o) => captureSnapshot(oldDb, { keys: FIXTURE_KEYS, partition, ...o })));
    expect(threadedPart.relationships.total).toBeLessThan(single.relationships.total);
    expect(threadedPart.relationships).toEqual(part.relationships);
    const wrong = { ...secondThread, credentials: { username: oldServer.user, password: 'not-the-password' } };
    await expect(captureSnapshot(oldDb, { keys: FIXTURE_KEYS, secondThread: wrong })).rejects.toThrow(/unauthorized|authentication/i);
  });
});

describe('deliberate corruptions of the new database are detected and named', () => {
  const validate = async () => (await validateDatabases(oldDb, newDb, { keys: FIXTURE_KEYS })).differences;

  async function corrupted(corrupt: string, revert: string, params: Record<string, unknown> = {}): Promise<readonly Difference[]> {
    await query(newDb, corrupt, params);
    try {
      return await validate();
    } finally {
      await query(newDb, revert, params);
    }
  }

  test('a deleted node', async () => {
    const [n] = await query(newDb, 'MATCH (p:Person {id: 999}) RETURN labels(p) AS l, properties(p) AS p');
    const diff = await corrupted('MATCH (p:Person {id: 999}) DELETE p', `CREATE (n${labelExpression(n.l)}) SET n = $p`, { p: n.p });
    expect(diff).toEqual([
      { what: 'node-count', where: '(:Person)', expected: 61, found: 60 },
      { what: 'label-combination-count', where: '(:Person)', expected: 41, found: 40 },
    ]);
  });

  test('a changed property', async () => {
    const diff = await corrupted('MATCH (p:Person {id: 33}) SET p.name = "changed"', 'MATCH (p:Person {id: 33}) SET p.name = "person 7"');
    expect(diff).toEqual([{ what: 'node-checksum', where: '(:Employee:Person)', expected: expect.any(String), found: expect.any(String) }]);
  });

  test('a changed temporal value (1 ns) and a changed integer beyond 2^53 (by 1)', async () => {
    const diff = await corrupted(
      'MATCH (p:Person {id: 1}) SET p.dateTimeZone = p.dateTimeZone + duration({nanoseconds: 1}), p.bigInt = p.bigInt + 1',
      'MATCH (p:Person {id: 1}) SET p.dateTimeZone = p.dateTimeZone - duration({nanoseconds: 1}), p.bigInt = p.bigInt - 1',
    );
    expect(diff).toEqual([{ what: 'node-checksum', where: '(:Person)', expected: expect.any(String), found: expect.any(String) }]);
  });

  test('a re-typed relationship', async () => {
    const diff = await corrupted(
      'MATCH (a)-[r:ACTED_IN {role: "role 3"}]->(b) CREATE (a)-[r2:DIRECTED]->(b) SET r2 = properties(r) DELETE r',
      'MATCH (a)-[r:DIRECTED {role: "role 3"}]->(b) CREATE (a)-[r2:ACTED_IN]->(b) SET r2 = properties(r) DELETE r',
    );
    expect(diff).toEqual([
      { what: 'relationship-count', where: '[:ACTED_IN]', expected: 40, found: 39 },
      { what: 'relationship-count', where: '[:DIRECTED]', expected: 0, found: 1 },
    ]);
  });

  test('a changed relationship property, a relationship moved to another end, and a changed unkeyed end node', async () => {
    expect(await corrupted('MATCH (:Person {id: 3})-[r:KNOWS]->() SET r.weight = 0.0', 'MATCH (:Person {id: 3})-[r:KNOWS]->() SET r.weight = 3.0 / 7')).toEqual([
      { what: 'relationship-checksum', where: '[:KNOWS]', expected: expect.any(String), found: expect.any(String) },
    ]);
    const move = (from: number, to: number) =>
      // deleted before it is re-created: the rid uniqueness constraint is checked as the property is set
      `MATCH (a:Person {id: 3})-[r:KNOWS]->(:Person {id: ${from}}) MATCH (c:Person {id: ${to}}) WITH a, c, r, properties(r) AS p DELETE r CREATE (a)-[r2:KNOWS]->(c) SET r2 = p`;
    expect(await corrupted(move(4, 5), move(5, 4))).toEqual([
      { what: 'relationship-checksum', where: '[:KNOWS]', expected: expect.any(String), found: expect.any(String) },
    ]);
    // an unkeyed end is identified by its content: its change shows in its node group and its relationships
    expect(await corrupted('MATCH (t:Tag {name: "red"}) SET t.extra = 1', 'MATCH (t:Tag {name: "red"}) REMOVE t.extra')).toEqual([
      { what: 'node-checksum', where: '(:Tag)', expected: expect.any(String), found: expect.any(String) },
      { what: 'relationship-checksum', where: '[:TAGGED]', expected: expect.any(String), found: expect.any(String) },
    ]);
  });

  test('a dropped index', async () => {
    const diff = await corrupted('DROP INDEX person_name', 'CREATE INDEX person_name FOR (p:Person) ON (p.name)');
    expect(diff).toEqual([{ what: 'index-missing', where: 'RANGE INDEX FOR (:Person) ON (name)', expected: 'person_name', found: null }]);
  });

  test('a dropped constraint', async () => {
    const diff = await corrupted('DROP CONSTRAINT person_id', 'CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE');
    expect(diff).toEqual([{ what: 'constraint-missing', where: 'UNIQUENESS CONSTRAINT FOR (:Person) REQUIRE (id)', expected: 'person_id', found: null }]);
  });

  test('the baseline comparison and the quick pass name a changed property too', async () => {
    const baseline = await captureSnapshot(oldDb, { keys: FIXTURE_KEYS, mode: 'quick', sampleSize: 1000 });
    await query(newDb, 'MATCH (m:Movie {title: "Movie 4"}) SET m.rating = 0.0');
    try {
      const quick = (await compareWithBaseline(baseline, newDb)).differences;
      expect(quick).toEqual([{ what: 'sampled-node-changed', where: '(:Movie {title: "Movie 4"})', expected: expect.any(String), found: expect.any(String) }]);
      const full = await validate();
      expect(full).toEqual([{ what: 'node-checksum', where: '(:Movie)', expected: expect.any(String), found: expect.any(String) }]);
    } finally {
      await query(newDb, 'MATCH (m:Movie {title: "Movie 4"}) SET m.rating = 4.0 / 3');
    }
  });

  test('after every corruption was reverted, validation passes again', async () => {
    expect(await validate()).toEqual([]);
  });
});
