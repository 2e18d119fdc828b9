import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HealthGateDeps, HealthGateInput, logic } from '../../lambda/health-gate/logic';
import { connectBolt } from '../../lambda/shared/bolt';
import { HealthGateError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { gateCluster } from './fixtures/gate-cluster';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION, Neo4jServer, startNeo4j } from '../support/neo4j';

/**
 * The rolling upgrade's cluster-level gate against a REAL embedded Neo4j (Community, standalone): a server
 * whose `neo4j` database is requested online but is not (it failed to start: its metadata store was
 * moved aside while the server was down, and the server came back with only `system` online) never
 * passes, although Bolt answers and SHOW DATABASES still calls it the writer; once the store is back and
 * the server restarted, the same gate passes. Community has no START/STOP DATABASE and no clustering, so a
 * database that stays `starting` and several servers are covered by health-gate.test.ts's Bolt fake.
 */
jest.setTimeout(600_000);

const PASSWORD = 'cluster-gate-password';
let moto: MotoServer;
let secrets: SecretsManagerClient;
beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient(motoClientConfig(moto));
});
afterAll(async () => { await moto?.stop(); });

describe.each([
  { version: NEO4J_LTS_VERSION, family: '5' },
  { version: NEO4J_NEWEST_VERSION, family: '2025' },
])('cluster-level gate against a real Neo4j $version', ({ version, family }) => {
  let neo4j: Neo4jServer | undefined;
  let dataDir: string;
  let secretArn: string;
  const deps = (): HealthGateDeps => ({ secrets, connect: connectBolt, now: () => new Date(), log: memoryLogger() });
  const gate = (): HealthGateInput => ({
    cluster: gateCluster({ boltUri: neo4j!.boltUri, credentialsSecretArn: secretArn, versionFamily: family }),
    expectedVersion: version,
    expectedMembers: 1,
    expectedPrimaries: 1,
    expectedSecondaries: 0,
    maxTransactionLag: 0,
    stage: 'roll server 1',
  });
  const metadataStore = () => path.join(dataDir, 'data', 'databases', 'neo4j', 'neostore');
  const aside = () => path.join(dataDir, 'neostore.aside');

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-gate-'));
    neo4j = await startNeo4j({ version, password: PASSWORD, dataDir });
    secretArn = (await secrets.send(new CreateSecretCommand({
      Name: `cluster-gate-${version}`, SecretString: JSON.stringify({ username: neo4j.user, password: PASSWORD }),
    }))).ARN!;
  });
  afterAll(async () => {
    await neo4j?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('holds while the server\'s neo4j database is requested online but not online, and passes once it is', async () => {
    // Online: the gate passes with the counts a standalone server has.
    await expect(logic(deps(), gate())).resolves.toMatchObject({ primaries: 1, secondaries: 0, members: 1, leaders: 1, notes: [] });

    // The server restarts without its metadata store: Neo4j starts, system is online, neo4j is not.
    await neo4j!.stop();
    fs.renameSync(metadataStore(), aside());
    neo4j = await startNeo4j({ version, password: PASSWORD, dataDir });
    const err = await logic(deps(), gate()).catch((e) => e);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toMatch(new RegExp(
      '^stage roll server 1: expected every member ready and every database at its requested status ' +
      '\\(SHOW DATABASES \\(SHOW SERVERS unsupported: not clustered\\)\\); ' +
      `found: database neo4j on 127\\.0\\.0\\.1:${neo4j.port} is offline, requested online \\(.*Unable to start.*neo4j.*\\)$`));

    // The store back, the server restarted: the same gate passes.
    await neo4j.stop();
    fs.renameSync(aside(), metadataStore());
    neo4j = await startNeo4j({ version, password: PASSWORD, dataDir });
    await expect(logic(deps(), gate())).resolves.toMatchObject({
      serverVersion: version, primaries: 1, secondaries: 0, members: 1, leaderAddress: `127.0.0.1:${neo4j.port}`,
    });
  });
});
