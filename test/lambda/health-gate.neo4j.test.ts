import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { handler } from '../../lambda/health-gate';
import { HealthGateDeps, HealthGateInput, logic } from '../../lambda/health-gate/logic';
import { connectBolt } from '../../lambda/shared/bolt';
import { ClusterContext } from '../../lambda/shared/context';
import { gateCluster } from './fixtures/gate-cluster';
import { HealthGateError, PreconditionFailedError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { freePort } from '../support/free-port';
import { MOTO_CREDENTIALS, MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION, Neo4jServer, startNeo4j } from '../support/neo4j';

jest.setTimeout(600_000);

let moto: MotoServer;
let secrets: SecretsManagerClient;
const savedEnv = { ...process.env };
beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient(motoClientConfig(moto));
  // For the handler (index.ts), whose clients take their endpoint and credentials from the environment.
  Object.assign(process.env, MOTO_CREDENTIALS, { AWS_ENDPOINT_URL: moto.endpoint });
});
afterAll(async () => {
  process.env = savedEnv;
  await moto?.stop();
});

async function secret(name: string, value: unknown): Promise<string> {
  const out = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
  return out.ARN!;
}

describe.each([
  { version: NEO4J_LTS_VERSION, family: '5' },
  { version: NEO4J_NEWEST_VERSION, family: '2025' },
])('health gate against a real embedded Neo4j $version (standalone Community)', ({ version, family }) => {
  let neo4j: Neo4jServer;
  let secretArn: string;
  const deps = (): HealthGateDeps => ({ secrets, connect: connectBolt, now: () => new Date('2026-01-02T03:04:05Z'), log: memoryLogger() });
  const input = (over: Partial<HealthGateInput> = {}, cluster: Partial<ClusterContext> = {}): HealthGateInput => ({
    cluster: { ...gateCluster({ boltUri: neo4j.boltUri, credentialsSecretArn: secretArn, versionFamily: family }), ...cluster },
    expectedVersion: version,
    expectedMembers: 1,
    stage: 'single-master',
    ...over,
  });

  beforeAll(async () => {
    neo4j = await startNeo4j({ version, password: 'gate-test-password' });
    secretArn = await secret(`neo4j-${version}`, { username: neo4j.user, password: neo4j.password });
  });
  afterAll(async () => { await neo4j?.stop(); });

  test('the target version passes: one standalone server that is its own leader, membership from Bolt', async () => {
    await expect(logic(deps(), input())).resolves.toEqual({
      stage: 'single-master',
      serverVersion: version,
      serverEdition: 'community',
      topology: 'standalone',
      leaders: 1,
      members: 1,
      leaderAddress: `127.0.0.1:${neo4j.port}`,
      leaderHost: '127.0.0.1',
      memberAddresses: [`127.0.0.1:${neo4j.port}`],
      primaries: 1,
      secondaries: 0,
      notes: [],
      checkedAt: '2026-01-02T03:04:05.000Z',
    });
  });

  test('an expected community edition and a neo4j:// URI pass too', async () => {
    const out = await logic(deps(), input({ expectedEdition: 'community' }, { boltUri: `neo4j://127.0.0.1:${neo4j.port}` }));
    expect(out).toMatchObject({ serverVersion: version, leaders: 1, members: 1 });
  });

  test('a standalone server is one member', async () => {
    await expect(logic(deps(), input({ expectedMembers: 2 }))).rejects.toThrow(HealthGateError);
    await expect(logic(deps(), input({ expectedMembers: 2 })))
      .rejects.toThrow(/expected 2 member\(s\); found 1 \(SHOW DATABASES \(SHOW SERVERS unsupported: not clustered\): standalone 127\.0\.0\.1:\d+ standalone\)/);
  });

  test('a version mismatch fails, naming both versions', async () => {
    const other = version === NEO4J_LTS_VERSION ? NEO4J_NEWEST_VERSION : NEO4J_LTS_VERSION;
    const err = await logic(deps(), input({ expectedVersion: other })).catch((e) => e);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.name).toBe('HealthGateError');
    expect(err.message).toBe(`stage single-master: expected Neo4j ${other} at ${neo4j.boltUri}; found Neo4j ${version}`);
  });

  test('an edition mismatch fails', async () => {
    await expect(logic(deps(), input({ expectedEdition: 'enterprise' })))
      .rejects.toThrow(`expected Neo4j enterprise edition at ${neo4j.boltUri}; found community`);
  });

  test('the database the gate counts must exist', async () => {
    await expect(logic(deps(), input({ database: 'missing' })))
      .rejects.toThrow(/expected every member ready .*found: database missing does not exist/);
  });

  test('a missing secret is a precondition failure', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:does-not-exist-AbCdEf';
    await expect(logic(deps(), input({}, { credentialsSecretArn: arn })))
      .rejects.toMatchObject({ name: 'PreconditionFailedError', message: `credentials secret ${arn} does not exist` });
    await expect(logic(deps(), input({}, { credentialsSecretArn: arn }))).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  test('the Lambda handler (index.ts) with real clients reads the secret and passes', async () => {
    const out = await handler(input());
    expect(out).toMatchObject({ serverVersion: version, leaders: 1, members: 1 });
  });

  test('a wrong password fails with the user and the secret named', async () => {
    const wrong = await secret(`neo4j-${version}-wrong`, { username: 'neo4j', password: 'not-the-password' });
    const err = await logic(deps(), input({}, { credentialsSecretArn: wrong })).catch((e) => e);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toMatch(new RegExp(
      `^stage single-master: expected Neo4j at bolt://127\\.0\\.0\\.1:${neo4j.port} to accept user neo4j \\(credentials from ${wrong.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\); ` +
      'found authentication refused: Neo\\.ClientError\\.Security\\.Unauthorized'));
  });
});

describe('health gate without a server', () => {
  test('an unreachable Bolt address fails as unreachable', async () => {
    const secretArn = await secret('unreachable', { username: 'neo4j', password: 'whatever-password' });
    const port = await freePort();
    const deps: HealthGateDeps = { secrets, connect: connectBolt, now: () => new Date(), log: memoryLogger(), boltTimeoutMs: 3000 };
    const err = await logic(deps, {
      cluster: gateCluster({ boltUri: `bolt://127.0.0.1:${port}`, credentialsSecretArn: secretArn, versionFamily: '5' }),
      expectedVersion: NEO4J_LTS_VERSION,
      expectedMembers: 1,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toMatch(new RegExp(`^expected Neo4j to answer Bolt at bolt://127\\.0\\.0\\.1:${port}; found it unreachable: `));
  });
});
