import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { chooseJdk, requiredJavaMajor } from '../../tools/neo4j-embedded';
import {
  NEO4J_LTS_VERSION,
  NEO4J_NEWEST_VERSION,
  Neo4jEmbeddedSetupError,
  Neo4jServer,
  prepareNeo4j,
  startNeo4j,
} from '../support/neo4j';

jest.setTimeout(600_000);

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function query<T>(server: Neo4jServer, cypher: string, params: Record<string, unknown> = {}, database = 'neo4j'): Promise<T[]> {
  const driver = neo4j.driver(server.boltUri, neo4j.auth.basic(server.user, server.password));
  try {
    const { records } = await driver.executeQuery(cypher, params, { database });
    return records.map((r) => r.toObject() as T);
  } finally {
    await driver.close();
  }
}

function report(label: string, server: Neo4jServer) {
  console.log(`${label}: Neo4j ${server.version} on Java ${server.javaVersion}: ${JSON.stringify(server.timings)}`);
}

describe('version and JDK choice', () => {
  test('5.x runs on Java 17, calendar versions need Java 21', () => {
    expect(requiredJavaMajor('5.26.30')).toBe(17);
    expect(requiredJavaMajor('2025.01.0')).toBe(21);
    expect(requiredJavaMajor('2026.08.1')).toBe(21);
    expect(() => requiredJavaMajor('4.4.40')).toThrow(/not supported/);
  });

  test('constants name the LTS and a newer calendar release', () => {
    expect(NEO4J_LTS_VERSION).toMatch(/^5\.26\.\d+$/);
    expect(Number(NEO4J_NEWEST_VERSION.split('.')[0])).toBeGreaterThanOrEqual(2025);
  });

  test('a JDK new enough is found for both versions', () => {
    expect(chooseJdk(NEO4J_LTS_VERSION).major).toBeGreaterThanOrEqual(17);
    expect(chooseJdk(NEO4J_NEWEST_VERSION).major).toBeGreaterThanOrEqual(21);
  });
});

describe('setup failures say what to install', () => {
  test('a javaHome that is not a JDK', async () => {
    await expect(prepareNeo4j({ version: NEO4J_LTS_VERSION, javaHome: '/nonexistent/jdk' }))
      .rejects.toThrow(new Neo4jEmbeddedSetupError('javaHome /nonexistent/jdk is not a JDK (needs bin/java and bin/javac)'));
  });

  test('a JDK too old for the version', async () => {
    const java17 = chooseJdk(NEO4J_LTS_VERSION);
    if (java17.major >= 21) {
      throw new Error(`this test needs a Java 17 JDK installed (found ${java17.home}, Java ${java17.major})`);
    }
    await expect(prepareNeo4j({ version: NEO4J_NEWEST_VERSION, javaHome: java17.home }))
      .rejects.toThrow(`Neo4j ${NEO4J_NEWEST_VERSION} needs Java 21+, but javaHome ${java17.home} is Java ${java17.major}`);
  });

  test('no JDK new enough among the candidates', () => {
    const java17 = chooseJdk(NEO4J_LTS_VERSION);
    expect(() => chooseJdk(NEO4J_NEWEST_VERSION, undefined, [java17.home, '/nonexistent/jdk'])).toThrow(
      new Neo4jEmbeddedSetupError(
        `Neo4j ${NEO4J_NEWEST_VERSION} needs a JDK 21 or newer (java and javac); found: ${java17.home} (Java ${java17.major}). ` +
        'Install one (Eclipse Temurin 21+, or openjdk-21-jdk-headless where the distribution has it; Debian 12 does not) ' +
        'under /usr/lib/jvm or set NEO4J_EMBEDDED_JAVA_HOME.'));
    expect(() => chooseJdk(NEO4J_LTS_VERSION, undefined, [])).toThrow(/needs a JDK 17 or newer \(java and javac\); found: none\. Install one \(e\.g\. apt-get install openjdk-17-jdk-headless\)/);
  });

  test('Maven missing', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neo4j-cache-'));
    await expect(prepareNeo4j({ version: NEO4J_LTS_VERSION, cacheDir, mvn: '/nonexistent/mvn' }))
      .rejects.toThrow(/Maven \('\/nonexistent\/mvn'\) could not be run .*install Maven 3\.8\+/);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  test('a version Maven Central does not have', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neo4j-cache-'));
    await expect(prepareNeo4j({ version: '5.26.999', cacheDir }))
      .rejects.toThrow(/Maven could not resolve org\.neo4j:neo4j:5\.26\.999 .*Maven Central must be reachable/s);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  test('a malformed version or a short password', async () => {
    await expect(prepareNeo4j({ version: 'latest' })).rejects.toThrow(/must look like 5\.26\.30/);
    await expect(startNeo4j({ password: 'short' })).rejects.toThrow(/at least 8 characters/);
  });
});

describe(`embedded Neo4j ${NEO4J_LTS_VERSION}`, () => {
  let server: Neo4jServer;
  beforeAll(async () => {
    server = await startNeo4j({ version: NEO4J_LTS_VERSION, password: 'lts-test-password' });
    report('LTS start', server);
  });
  afterAll(async () => { await server?.stop(); });

  test('reports the real version over Bolt', () => {
    expect(server.version).toBe(NEO4J_LTS_VERSION);
    expect(server.edition).toBe('community');
    expect(server.boltUri).toBe(`bolt://127.0.0.1:${server.port}`);
    expect(server.user).toBe('neo4j');
    expect(server.javaVersion).toMatch(/^17\./);
  });

  test('authentication is enforced', async () => {
    const driver = neo4j.driver(server.boltUri, neo4j.auth.basic('neo4j', 'not-the-password'));
    try {
      await expect(driver.verifyConnectivity()).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
    } finally {
      await driver.close();
    }
  });

  test('the password needs no change', async () => {
    const rows = await query<{ user: string; passwordChangeRequired: boolean }>(
      server, 'SHOW CURRENT USER YIELD user, passwordChangeRequired', {}, 'system');
    expect(rows).toEqual([{ user: 'neo4j', passwordChangeRequired: false }]);
  });

  test('writes and reads', async () => {
    await query(server, 'UNWIND range(1, 10) AS i CREATE (:Probe {i: i})');
    const [row] = await query<{ n: number }>(server, 'MATCH (p:Probe) RETURN toInteger(sum(p.i)) AS n', {});
    expect(neo4j.integer.toNumber(row.n)).toBe(55);
  });
});

describe(`store upgrade ${NEO4J_LTS_VERSION} -> ${NEO4J_NEWEST_VERSION} on the same data directory`, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neo4j-upgrade-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('nodes written by the LTS are read back by the newer version', async () => {
    const password = 'upgrade-test-password';
    const old = await startNeo4j({ version: NEO4J_LTS_VERSION, dataDir, password });
    report('upgrade: old start', old);
    try {
      expect(old.version).toBe(NEO4J_LTS_VERSION);
      await query(old, 'CREATE INDEX person_id IF NOT EXISTS FOR (p:Person) ON (p.id)');
      await query(old, 'UNWIND range(1, 500) AS i CREATE (p:Person {id: i, name: "p" + i})');
      await query(old, 'MATCH (a:Person), (b:Person) WHERE b.id = a.id + 1 CREATE (a)-[:NEXT]->(b)');
    } finally {
      await old.stop();
    }
    expect(await portOpen(old.port)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'data', 'databases', 'neo4j'))).toBe(true);

    const newer = await startNeo4j({ version: NEO4J_NEWEST_VERSION, dataDir, password });
    report('upgrade: newer start', newer);
    try {
      expect(newer.version).toBe(NEO4J_NEWEST_VERSION);
      expect(newer.version).not.toBe(old.version);
      expect(Number(newer.javaVersion.split('.')[0])).toBeGreaterThanOrEqual(21);
      const [counts] = await query<{ nodes: number; rels: number; name: string }>(newer,
        'MATCH (p:Person) WITH count(p) AS nodes MATCH ()-[r:NEXT]->() WITH nodes, count(r) AS rels ' +
        'MATCH (q:Person {id: 250}) RETURN nodes, rels, q.name AS name');
      expect({ ...counts, nodes: Number(counts.nodes), rels: Number(counts.rels) }).toEqual({ nodes: 500, rels: 499, name: 'p250' });
      const indexes = await query<{ name: string; state: string }>(newer, 'SHOW INDEXES YIELD name, state WHERE name = "person_id"');
      expect(indexes).toEqual([{ name: 'person_id', state: 'ONLINE' }]);
      const dbs = await query<{ name: string; currentStatus: string }>(newer,
        'SHOW DATABASES YIELD name, currentStatus WHERE currentStatus <> "online"', {}, 'system');
      expect(dbs).toEqual([]);
    } finally {
      await newer.stop();
    }
  });
});
