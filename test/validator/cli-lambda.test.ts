/**
 * The CLI (bin/cli.ts, spawned with ts-node and in-process) and the validate-migration Lambda stage
 * against real servers (a populated source and an empty target, both NEO4J_LTS_VERSION) and moto_server
 * for SSM and Secrets Manager.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Driver } from 'neo4j-driver';
import { runCli } from '../../bin/cli';
import { handler } from '../../lambda/validate-migration';
import { logic } from '../../lambda/validate-migration/logic';
import type { ValidateMigrationDeps, ValidateMigrationInput } from '../../lambda/validate-migration/logic';
import { HealthGateError, InvalidInputError, PreconditionFailedError, ValidationMismatchError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { connect } from '../../validator/connect';
import { parseSnapshot } from '../../validator/snapshot';
import type { Snapshot } from '../../validator/snapshot';
import { freePort } from '../support/free-port';
import { MOTO_CREDENTIALS, motoClientConfig, startMoto } from '../support/moto';
import type { MotoServer } from '../support/moto';
import { NEO4J_LTS_VERSION, startNeo4j } from '../support/neo4j';
import type { Neo4jServer } from '../support/neo4j';
import { FIXTURE_KEYS, populate } from './fixture-graph';

jest.setTimeout(10 * 60_000);

const ROOT = path.join(__dirname, '..', '..');
const KEY_ARGS = ['--key', 'Person=id', '--key', 'Movie=title', '--key', 'Book=isbn'];

let moto: MotoServer;
let ssm: SSMClient;
let secrets: SecretsManagerClient;
let source: Neo4jServer;
let target: Neo4jServer;
let targetDb: Driver;
let workDir: string;
let env: NodeJS.ProcessEnv;
const savedEnv = { ...process.env };

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-cli-'));
  [moto, source, target] = await Promise.all([
    startMoto(),
    startNeo4j({ version: NEO4J_LTS_VERSION, password: 'source-password' }),
    startNeo4j({ version: NEO4J_LTS_VERSION, password: 'target-password' }),
  ]);
  ssm = new SSMClient(motoClientConfig(moto));
  secrets = new SecretsManagerClient(motoClientConfig(moto));
  const sourceDb = connect(source.boltUri, { username: source.user, password: source.password });
  try {
    await populate(sourceDb);
  } finally {
    await sourceDb.close();
  }
  targetDb = connect(target.boltUri, { username: target.user, password: target.password });
  env = {
    ...process.env,
    NEO4J_SOURCE_USER: source.user,
    NEO4J_SOURCE_PASSWORD: source.password,
    NEO4J_TARGET_USER: target.user,
    NEO4J_TARGET_PASSWORD: target.password,
  };
  // For the Lambda handler (index.ts) and the CLI's SDK clients: endpoint and credentials from the environment.
  Object.assign(process.env, MOTO_CREDENTIALS, { AWS_ENDPOINT_URL: moto.endpoint });
});

afterAll(async () => {
  process.env = savedEnv;
  await targetDb?.close();
  await Promise.all([source?.stop(), target?.stop(), moto?.stop()]);
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

async function query(cypher: string) {
  const s = targetDb.session();
  try {
    await s.run(cypher);
  } finally {
    await s.close();
  }
}

/** The real entry point: `npx ts-node bin/cli.ts ...`. */
function spawnCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['ts-node', 'bin/cli.ts', ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** In-process, with captured output (same code path as the entry point, without ts-node start-up). */
async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = env): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  (stderr as unknown as PassThrough).on('data', (d) => (err += d));
  const code = await runCli(args, { env: extraEnv, stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('CLI', () => {
  test('export-import --validate copies the source into the empty target and reports OK (exit 0)', async () => {
    const r = await spawnCli(['export-import', '--source', source.boltUri, '--target', target.boltUri, '--validate', ...KEY_ARGS]);
    expect(r.stderr).toMatch(/export-import: \d+ nodes, \d+ relationships, \d+ schema statements/);
    expect(r.stdout).toMatch(/result: OK, no differences/);
    expect(r.code).toBe(0);
  });

  test('baseline to a file, then compare: exit 0; after a corruption: exit 1 naming the difference', async () => {
    const file = path.join(workDir, 'baseline.json');
    const b = await cli(['baseline', '--source', source.boltUri, '--out', file, ...KEY_ARGS]);
    expect(b.stderr).toMatch(/baseline: \d+ nodes, \d+ relationships, 9 indexes, 3 constraints in [\d.]+ s -> .*baseline\.json/);
    expect(b.code).toBe(0);
    const baseline = parseSnapshot(fs.readFileSync(file, 'utf8'));
    expect(baseline.keys).toEqual({ Book: ['isbn'], Movie: ['title'], Person: ['id'] });

    expect((await cli(['compare', '--baseline', file, '--target', target.boltUri])).code).toBe(0);

    await query('MATCH (t:Tag {name: "red"}) DETACH DELETE t');
    try {
      const r = await spawnCli(['compare', '--baseline', file, '--target', target.boltUri]);
      expect(r.stdout).toMatch(/label-combination-count at \(:Tag\): expected 5, found 4/);
      expect(r.code).toBe(1);
      const v = await cli(['validate', '--source', source.boltUri, '--target', target.boltUri, '--json', ...KEY_ARGS]);
      expect(v.code).toBe(1);
      const report = JSON.parse(v.stdout);
      expect(report.ok).toBe(false);
      expect(report.differences).toContainEqual({ what: 'node-count', where: '(:Tag)', expected: 6, found: 5 });
    } finally {
      // put the deleted Tag back, with the relationships it had
      await query('CREATE (:Tag {name: "red"})');
      await query('MATCH (m:Movie), (t:Tag {name: "red"}) WHERE m.released % 5 = size(t.name) % 5 CREATE (m)-[:TAGGED {score: 0.5}]->(t)');
    }
    expect((await cli(['validate', '--source', source.boltUri, '--target', target.boltUri, ...KEY_ARGS])).code).toBe(0);
  });

  test('partitioned baselines combine into one that compares equal', async () => {
    const parts = [0, 1].map((i) => path.join(workDir, `part-${i}.json`));
    for (const [i, file] of parts.entries()) {
      expect((await cli(['baseline', '--source', source.boltUri, '--out', file, '--partition', `${i}/2`, ...KEY_ARGS])).code).toBe(0);
    }
    const whole = path.join(workDir, 'whole.json');
    expect((await cli(['combine', '--out', whole, ...parts])).code).toBe(0);
    const r = await cli(['compare', '--baseline', whole, '--target', target.boltUri]);
    expect(r.stdout).toMatch(/result: OK/);
    expect(r.code).toBe(0);
  });

  test('credentials from a Secrets Manager secret; never from the command line', async () => {
    const arn = (await secrets.send(new CreateSecretCommand({ Name: 'cli-source', SecretString: JSON.stringify({ username: source.user, password: source.password }) }))).ARN!;
    const noPasswords = { ...env, ...MOTO_CREDENTIALS, AWS_ENDPOINT_URL: moto.endpoint, NEO4J_SOURCE_PASSWORD: undefined, NEO4J_TARGET_PASSWORD: undefined };
    const file = path.join(workDir, 'from-secret.json');
    const ok = await cli(['baseline', '--source', source.boltUri, '--source-secret', arn, '--out', file, '--quick'], noPasswords);
    expect(ok.code).toBe(0);
    expect(parseSnapshot(fs.readFileSync(file, 'utf8')).mode).toBe('quick');

    const missing = await cli(['baseline', '--source', source.boltUri, '--out', file], noPasswords);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no credentials for the source: set NEO4J_SOURCE_PASSWORD/);
    const onCommandLine = await cli(['validate', '--source', source.boltUri, '--target', target.boltUri, '--password=x']);
    expect(onCommandLine.code).toBe(2);
    expect(onCommandLine.stderr).toMatch(/--password: credentials are not taken from the command line/);
    const wrong = await cli(['compare', '--baseline', file, '--target', target.boltUri], { ...env, NEO4J_TARGET_PASSWORD: 'wrong-password' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/cannot connect to the target at bolt:\/\/127\.0\.0\.1:\d+/);
    expect((await cli(['frobnicate'])).stderr).toMatch(/unknown command "frobnicate"/);
  });
});

describe('validate-migration Lambda stage', () => {
  let secretArn: string;
  const deps = (): ValidateMigrationDeps => ({
    ssm,
    secrets,
    connect: (uri, credentials) => connect(uri, credentials, { maxTransactionRetryTime: 0 }),
    log: memoryLogger(),
  });
  const input = (over: Partial<ValidateMigrationInput>): ValidateMigrationInput => ({
    mode: 'compare',
    cluster: { boltUri: target.boltUri, credentialsSecretArn: secretArn },
    baselineParameterName: '/neo4j/upgrade/baseline',
    keys: FIXTURE_KEYS,
    ...over,
  });

  beforeAll(async () => {
    secretArn = (await secrets.send(new CreateSecretCommand({ Name: 'lambda-target', SecretString: JSON.stringify({ username: target.user, password: target.password }) }))).ARN!;
  });

  test('capture-baseline stores the JSON in SSM (tier by size) and compare passes', async () => {
    const out = await logic(deps(), input({ mode: 'capture-baseline' }));
    expect(out).toMatchObject({ mode: 'capture-baseline', parameterName: '/neo4j/upgrade/baseline', encoding: 'json', nodes: expect.any(Number) });
    const stored = await ssm.send(new GetParameterCommand({ Name: '/neo4j/upgrade/baseline' }));
    const size = Buffer.byteLength(stored.Parameter!.Value!);
    expect(out).toMatchObject({ sizeBytes: size, tier: size > 4096 ? 'Advanced' : 'Standard' });
    expect(parseSnapshot(stored.Parameter!.Value!).nodes.total).toBe((out as { nodes: number }).nodes);
    await expect(logic(deps(), input({ mode: 'compare' }))).resolves.toMatchObject({ mode: 'compare', ok: true });
  });

  test('a mismatch is a ValidationMismatchError naming each difference', async () => {
    await query('DROP INDEX person_name');
    try {
      const err = await logic(deps(), input({ mode: 'compare' })).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationMismatchError);
      expect(err.name).toBe('ValidationMismatchError');
      expect(err.retryable).toBe(false);
      expect(err.message).toBe('1 difference(s) from the baseline: index-missing at RANGE INDEX FOR (:Person) ON (name) (expected person_name, found none)');
    } finally {
      await query('CREATE INDEX person_name FOR (p:Person) ON (p.name)');
      await query('CALL db.awaitIndexes(60)');
    }
  });

  test('capture-partition runs (a Map state) combine into a compare equal to the single pass', async () => {
    const partials: Snapshot[] = [];
    for (const index of [0, 1, 2]) {
      const out = await logic(deps(), input({ mode: 'capture-partition', partition: { index, count: 3 } }));
      expect(out).toMatchObject({ mode: 'capture-partition', partition: { index, count: 3, strategy: 'key-hash' } });
      partials.push(JSON.parse(JSON.stringify((out as { snapshot: Snapshot }).snapshot))); // as it travels through Step Functions
    }
    await expect(logic(deps(), { mode: 'compare', baselineParameterName: '/neo4j/upgrade/baseline', partials })).resolves.toMatchObject({ ok: true });
    await expect(logic(deps(), { mode: 'capture-baseline', baselineParameterName: '/neo4j/upgrade/from-parts', partials })).resolves.toMatchObject({ mode: 'capture-baseline' });
    await expect(logic(deps(), { mode: 'compare', baselineParameterName: '/neo4j/upgrade/baseline', partials: partials.slice(1) })).rejects.toThrow(
      InvalidInputError,
    );
  });

  test('a partition whose snapshot, times the partition count, would outgrow the state is refused with a catchable error', async () => {
    const refused = await logic(deps(), input({ mode: 'capture-partition', partition: { index: 0, count: 1000 } })).catch((e) => e);
    expect(refused).toBeInstanceOf(PreconditionFailedError);
    expect(refused.message).toMatch(/^partition 0 of 1000: its snapshot is \d+ bytes, so 1000 partitions would add about \d+ bytes to the state \(at most 65536\): use fewer validationPartitions$/);
  });

  test('through the handler (index.ts): clients from the environment', async () => {
    await expect(handler(input({ mode: 'compare' }))).resolves.toMatchObject({ ok: true });
  });

  test('bad input is refused before anything is read; missing baseline, bad secret and unreachable server are named', async () => {
    await expect(logic(deps(), input({ mode: 'nope' as never }))).rejects.toThrow(/mode must be one of/);
    await expect(logic(deps(), input({ keys: { Person: [] } }))).rejects.toThrow(InvalidInputError);
    await expect(logic(deps(), input({ cluster: {}, boltUri: 'http://x' }))).rejects.toThrow(/boltUri must be a bolt:\/\/ or neo4j:\/\/ URI/);
    await expect(logic(deps(), input({ mode: 'capture-partition', partition: { index: 3, count: 3 } }))).rejects.toThrow(/partition.index must be < partition.count/);
    await expect(logic(deps(), input({ baselineParameterName: '/does/not/exist' }))).rejects.toThrow(PreconditionFailedError);
    const badSecret = (await secrets.send(new CreateSecretCommand({ Name: 'lambda-bad', SecretString: JSON.stringify({ username: 'neo4j', password: 'not-the-password' }) }))).ARN!;
    await expect(logic(deps(), input({ cluster: { boltUri: target.boltUri, credentialsSecretArn: badSecret } }))).rejects.toThrow(/are not accepted by/);
    const closed = await freePort();
    const unreachable = await logic(deps(), input({ cluster: { boltUri: `bolt://127.0.0.1:${closed}`, credentialsSecretArn: secretArn } })).catch((e) => e);
    expect(unreachable).toBeInstanceOf(HealthGateError);
  });
});
