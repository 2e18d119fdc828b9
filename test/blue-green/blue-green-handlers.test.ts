/**
 * The blue/green upgrade's new handlers refuse bad input before any call (the real runs: the whole
 * upgrade in switch-with-bake.rehearsal.test.ts); the write freeze's bound and statements.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { logic as performanceCompare } from '../../lambda/performance-compare/logic';
import { logic as seedGreen } from '../../lambda/seed-green/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { logic as writeFreeze } from '../../lambda/write-freeze/logic';

const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const CLUSTER = { boltUri: 'bolt://neo4j-blue.internal:7687', credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-admin' };
const connect = jest.fn();
const deps = { secrets: new SecretsManagerClient({}), ssm: new SSMClient({}), connect, log: memoryLogger(), now: () => new Date('2026-12-01T10:10:00Z'), clock: () => 0 };

beforeEach(() => { secrets.reset(); ssm.reset(); connect.mockReset(); });

test.each([
  [writeFreeze, { action: 'melt', cluster: CLUSTER }, /action must be one of freeze, thaw, check, got "melt"/],
  [writeFreeze, { action: 'freeze', cluster: { ...CLUSTER, boltUri: 'http://blue' } }, /cluster.boltUri must be a bolt:\/\/ or neo4j:\/\/ URI, got "http:\/\/blue"/],
  [writeFreeze, { action: 'freeze', cluster: CLUSTER, database: 'neo4j`; DROP' }, /database must be a Neo4j database name, got "neo4j`; DROP"/],
  [writeFreeze, { action: 'check', frozenAt: 'yesterday', maxSeconds: 60 }, /frozenAt must be an ISO 8601 time, got "yesterday"/],
  [seedGreen, { cluster: CLUSTER, greenBoltUri: CLUSTER.boltUri, lockParameterName: '/lock', executionId: 'e' }, /greenBoltUri must not be blue's own URI/],
  [seedGreen, { cluster: CLUSTER, greenBoltUri: 'bolt://green:7687', lockParameterName: 'lock', executionId: 'e' }, /lockParameterName must be a parameter path starting with \/, got "lock"/],
  [performanceCompare, { cluster: CLUSTER, greenBoltUri: 'bolt://green:7687', queries: [{ name: 'q', cypher: 'RETURN 1' }], runs: 5, maxSlowdown: 0.9 }, /maxSlowdown must be a number >= 1, got 0.9/],
  [performanceCompare, { cluster: CLUSTER, greenBoltUri: 'bolt://green:7687', queries: [], runs: 5, maxSlowdown: 2 }, /queries must be an array of at least 1 item\(s\), got \[\]/],
])('%#: refuses bad input before any call (%#)', async (logic, input, message) => {
  await expect((logic as (d: typeof deps, i: unknown) => Promise<unknown>)(deps, input)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(secrets).not.toHaveReceivedAnyCommand();
  expect(ssm).not.toHaveReceivedAnyCommand();
  expect(connect).not.toHaveBeenCalled();
});

test('the freeze check passes within the bound and fails past it, naming the seconds', async () => {
  await expect(writeFreeze(deps, { action: 'check', cluster: CLUSTER, frozenAt: '2026-12-01T10:09:00Z', maxSeconds: 600 })).resolves.toMatchObject({ frozenSeconds: 60 });
  await expect(writeFreeze(deps, { action: 'check', cluster: CLUSTER, frozenAt: '2026-12-01T10:00:00Z', maxSeconds: 300 }))
    .rejects.toMatchObject({ name: 'WriteFreezeExceededError', message: expect.stringMatching(/frozen for 600 s, more than maxSeconds 300/) });
});

test('freeze and thaw set the database access on the system database, the same statement each time', async () => {
  secrets.onAnyCommand().resolves({ SecretString: JSON.stringify({ username: 'neo4j', password: 'secret-password' }) });
  const executeQuery = jest.fn().mockResolvedValue({ records: [] });
  connect.mockReturnValue({ executeQuery, close: jest.fn() });
  await expect(writeFreeze(deps, { action: 'freeze', cluster: CLUSTER })).resolves.toEqual({ action: 'freeze', database: 'neo4j', frozenAt: '2026-12-01T10:10:00.000Z' });
  await writeFreeze(deps, { action: 'freeze', cluster: CLUSTER });
  await writeFreeze(deps, { action: 'thaw', cluster: CLUSTER });
  expect(executeQuery.mock.calls).toEqual([
    ['ALTER DATABASE `neo4j` SET ACCESS READ ONLY WAIT', {}, { database: 'system' }],
    ['ALTER DATABASE `neo4j` SET ACCESS READ ONLY WAIT', {}, { database: 'system' }],
    ['ALTER DATABASE `neo4j` SET ACCESS READ WRITE WAIT', {}, { database: 'system' }],
  ]);
});
