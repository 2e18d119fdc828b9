import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/run-migrations';
import { CypherMigration, MIGRATION_LABEL, RunMigrationsDeps, RunMigrationsInput, logic, migrationChecksum } from '../../lambda/run-migrations/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { connect } from '../../validator/connect';
import { freePort } from '../support/free-port';
import { MOTO_CREDENTIALS, MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { NEO4J_LTS_VERSION, Neo4jServer, startNeo4j } from '../support/neo4j';

jest.setTimeout(600_000);

const MIGRATIONS: CypherMigration[] = [
  { id: '001-person-name-index', cypher: 'CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)' },
  { id: '002-full-names', cypher: "MATCH (p:Person) WHERE p.fullName IS NULL SET p.fullName = p.name + ' ' + p.surname" },
  { id: '003-batched-flag', cypher: 'MATCH (p:Person) CALL { WITH p SET p.migrated = true } IN TRANSACTIONS OF 2 ROWS' },
];

let moto: MotoServer;
let secrets: SecretsManagerClient;
let neo4j: Neo4jServer;
let secretArn: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  [moto, neo4j] = await Promise.all([startMoto(), startNeo4j({ version: NEO4J_LTS_VERSION, password: 'migration-password' })]);
  secrets = new SecretsManagerClient(motoClientConfig(moto));
  secretArn = (await secrets.send(new CreateSecretCommand({
    Name: 'neo4j-migrations', SecretString: JSON.stringify({ username: neo4j.user, password: neo4j.password }),
  }))).ARN!;
  // For the handler (index.ts), whose clients take their endpoint and credentials from the environment.
  Object.assign(process.env, MOTO_CREDENTIALS, { AWS_ENDPOINT_URL: moto.endpoint });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([moto?.stop(), neo4j?.stop()]);
});

const deps = (over: Partial<RunMigrationsDeps> = {}): RunMigrationsDeps => ({ secrets, connect, log: memoryLogger(), ...over });
const input = (migrations: CypherMigration[], over: Partial<RunMigrationsInput> = {}): RunMigrationsInput => ({
  cluster: { boltUri: neo4j.boltUri, credentialsSecretArn: secretArn },
  migrations,
  executionId: 'exec-1',
  ...over,
});

async function query(cypher: string): Promise<Record<string, unknown>[]> {
  const driver = connect(neo4j.boltUri, { username: neo4j.user, password: neo4j.password }, { disableLosslessIntegers: true });
  try {
    return (await driver.executeQuery(cypher)).records.map((r) => r.toObject());
  } finally {
    await driver.close();
  }
}

async function reset(): Promise<void> {
  await query('MATCH (n) DETACH DELETE n');
  await query('DROP INDEX person_name IF EXISTS');
  await query("UNWIND range(1, 5) AS i CREATE (:Person {name: 'Ada' + i, surname: 'Lovelace'})");
}

describe('run-migrations against a real Neo4j', () => {
  beforeEach(reset);

  test('applies one migration per call, in order, records each, then reports done', async () => {
    const outputs = [];
    for (let i = 0; i < 4; i++) outputs.push(await logic(deps(), input(MIGRATIONS)));
    expect(outputs).toEqual([
      { applied: '001-person-name-index', alreadyApplied: [], remaining: 2, done: false },
      { applied: '002-full-names', alreadyApplied: ['001-person-name-index'], remaining: 1, done: false },
      { applied: '003-batched-flag', alreadyApplied: ['001-person-name-index', '002-full-names'], remaining: 0, done: true },
      { applied: null, alreadyApplied: MIGRATIONS.map((m) => m.id), remaining: 0, done: true },
    ]);
    expect(await query("SHOW INDEXES YIELD name WHERE name = 'person_name' RETURN name")).toHaveLength(1);
    expect(await query('MATCH (p:Person) WHERE p.fullName = p.name + \' Lovelace\' AND p.migrated RETURN count(p) AS n')).toEqual([{ n: 5 }]);
    const records = await query(`MATCH (m:${MIGRATION_LABEL}) RETURN m.id AS id, m.checksum AS checksum, m.executionId AS executionId ORDER BY id`);
    expect(records).toEqual(MIGRATIONS.map((m) => ({ id: m.id, checksum: migrationChecksum(m.cypher), executionId: 'exec-1' })));
  });

  test('running again applies nothing and leaves the data as it was (idempotent)', async () => {
    while (!(await logic(deps(), input(MIGRATIONS))).done);
    const before = await query('MATCH (p:Person) RETURN p.name AS name, p.fullName AS fullName, p.migrated AS migrated ORDER BY name');
    await expect(logic(deps(), input(MIGRATIONS, { executionId: 'exec-2' }))).resolves.toMatchObject({ applied: null, done: true });
    expect(await query('MATCH (p:Person) RETURN p.name AS name, p.fullName AS fullName, p.migrated AS migrated ORDER BY name')).toEqual(before);
    expect(await query(`MATCH (m:${MIGRATION_LABEL}) RETURN count(m) AS n`)).toEqual([{ n: 3 }]);
  });

  test('a migration whose text changed after it was applied is refused, and nothing else runs', async () => {
    await logic(deps(), input(MIGRATIONS));
    const changed = [{ ...MIGRATIONS[0], cypher: MIGRATIONS[0].cypher + ' OPTIONS {}' }, ...MIGRATIONS.slice(1)];
    await expect(logic(deps(), input(changed))).rejects.toMatchObject({
      name: 'MigrationFailedError',
      message: expect.stringMatching(/^migration 001-person-name-index was applied with a different text .*give a changed migration a new id$/),
    });
    expect(await query('MATCH (p:Person) WHERE p.fullName IS NOT NULL RETURN count(p) AS n')).toEqual([{ n: 0 }]);
  });

  test('a statement the database refuses fails the migration by id and code, unrecorded; later ones do not run', async () => {
    const broken = [MIGRATIONS[0], { id: '002-broken', cypher: 'MATCH (p:Person) SET p.x = ' }, MIGRATIONS[2]];
    await logic(deps(), input(broken));
    await expect(logic(deps(), input(broken))).rejects.toMatchObject({
      name: 'MigrationFailedError', message: expect.stringMatching(/^migration 002-broken failed \(Neo\.ClientError\.Statement\.SyntaxError\): /),
    });
    expect(await query(`MATCH (m:${MIGRATION_LABEL}) RETURN m.id AS id`)).toEqual([{ id: '001-person-name-index' }]);
    expect(await query('MATCH (p:Person) WHERE p.migrated RETURN count(p) AS n')).toEqual([{ n: 0 }]);
  });

  test('the Lambda handler (index.ts) with real clients reads the secret and applies', async () => {
    await expect(handler(input(MIGRATIONS.slice(0, 1)))).resolves.toEqual({ applied: '001-person-name-index', alreadyApplied: [], remaining: 0, done: true });
  });
});

describe('run-migrations failures before any change', () => {
  test.each([
    ['no migrations', { migrations: [] }, /^migrations must be an array of at least 1 item/],
    ['an id used twice', { migrations: [MIGRATIONS[0], { ...MIGRATIONS[1], id: MIGRATIONS[0].id }] }, /^migrations\[1\]\.id "001-person-name-index" is used twice$/],
    ['an id with a space', { migrations: [{ id: 'add index', cypher: 'RETURN 1' }] }, /^migrations\[0\]\.id must be letters, digits/],
    ['an empty statement', { migrations: [{ id: 'x', cypher: ' ' }] }, /^migrations\[0\]\.cypher must be a non-empty string/],
    ['an http URI', { cluster: { boltUri: 'http://db:7474', credentialsSecretArn: 'arn' } }, /^cluster\.boltUri must be a bolt:\/\/ or neo4j:\/\/ URI/],
    ['no execution id', { executionId: '' }, /^executionId must be a non-empty string/],
  ])('%s is InvalidInputError and connects to nothing', async (_what, over, message) => {
    const connectSpy = jest.fn();
    const err = await logic(deps({ connect: connectSpy }), { ...input(MIGRATIONS), ...over } as RunMigrationsInput).catch((e) => e);
    expect(err).toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(connectSpy).not.toHaveBeenCalled();
  });

  test('a missing credentials secret is PreconditionFailedError (aws-sdk-client-mock)', async () => {
    const mock = mockClient(SecretsManagerClient);
    mock.on(GetSecretValueCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    const connectSpy = jest.fn();
    await expect(logic(deps({ secrets: new SecretsManagerClient({}), connect: connectSpy }), input(MIGRATIONS)))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: `credentials secret ${secretArn} does not exist` });
    expect(connectSpy).not.toHaveBeenCalled();
    mock.restore();
  });

  test('an unreachable database is HealthGateError (retryable)', async () => {
    const port = await freePort();
    const err = await logic(
      deps({ connect: (uri, c) => connect(uri, c, { connectionTimeout: 2000 }) }),
      input(MIGRATIONS, { cluster: { boltUri: `bolt://127.0.0.1:${port}`, credentialsSecretArn: secretArn } }),
    ).catch((e) => e);
    expect(err).toMatchObject({ name: 'HealthGateError', message: expect.stringMatching(new RegExp(`^database at bolt://127\\.0\\.0\\.1:${port} is unavailable: `)) });
  });
});
