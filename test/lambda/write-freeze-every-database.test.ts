/**
 * The write freeze over every user database (`databases: '*'`, the offline upgrade's freeze and thaws):
 * input refused before any call, every user database from SHOW DATABASES (not `system`, not a composite),
 * WAIT only where Neo4j has it (5.7 on), a database that already has the access left alone (idempotent),
 * and a 3.5 cluster refused naming the prop that turns the freeze off.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { memoryLogger } from '../../lambda/shared/log';
import { supportsAlterWait } from '../../lambda/write-freeze/every-user-database';
import { logic as writeFreeze } from '../../lambda/write-freeze/logic';

const secrets = mockClient(SecretsManagerClient);
const CLUSTER = { boltUri: 'bolt://neo4j.prod.internal:7687', credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-admin' };
const connect = jest.fn();
const deps = { secrets: new SecretsManagerClient({}), connect, log: memoryLogger(), now: () => new Date('2026-12-02T10:00:00Z') };

type Row = { name: string; access: string; type?: string };
/** A cluster whose SHOW DATABASES gives `rows` (one per member and database) and whose ALTERs change them. */
function cluster(version: string, rows: Row[]) {
  const statements: string[] = [];
  const record = (o: Record<string, unknown>) => ({ get: (k: string) => o[k], has: (k: string) => k in o });
  const executeQuery = jest.fn(async (cypher: string) => {
    statements.push(cypher);
    if (cypher.startsWith('CALL dbms.components()')) return { records: [record({ version })] };
    if (cypher === 'SHOW DATABASES') return { records: rows.map((r) => record(r)) };
    const m = /^ALTER DATABASE `(.+)` SET ACCESS (READ ONLY|READ WRITE)/.exec(cypher);
    if (!m) throw new Error(`unexpected ${cypher}`);
    for (const r of rows) if (r.name === m[1]) r.access = m[2] === 'READ ONLY' ? 'read-only' : 'read-write';
    return { records: [] };
  });
  connect.mockReturnValue({ executeQuery, close: jest.fn() });
  return statements;
}
const alters = (statements: string[]) => statements.filter((s) => s.startsWith('ALTER'));

beforeEach(() => {
  secrets.reset(); connect.mockReset();
  secrets.onAnyCommand().resolves({ SecretString: JSON.stringify({ username: 'neo4j', password: 'secret-password' }) });
});

test.each([
  [{ action: 'freeze', cluster: CLUSTER, databases: 'all' }, /databases must be "\*" \(every user database\), got "all"/],
  [{ action: 'freeze', cluster: CLUSTER, databases: '*', database: 'neo4j' }, /give database or databases, not both/],
])('refuses bad input before any call (%#)', async (input, message) => {
  await expect(writeFreeze(deps, input as never)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(secrets).not.toHaveReceivedAnyCommand();
  expect(connect).not.toHaveBeenCalled();
});

test('freeze sets every user database READ ONLY on every member, WAIT on 5.7 and later; a second freeze changes nothing', async () => {
  const rows: Row[] = ['s1', 's2'].flatMap(() => [
    { name: 'system', access: 'read-write', type: 'system' }, { name: 'neo4j', access: 'read-write', type: 'standard' },
    { name: 'orders', access: 'read-write', type: 'standard' }, { name: 'all', access: 'read-write', type: 'composite' },
  ]);
  const statements = cluster('5.26.30', rows);
  await expect(writeFreeze(deps, { action: 'freeze', cluster: CLUSTER, databases: '*' })).resolves.toEqual({
    action: 'freeze', database: '*', databases: ['neo4j', 'orders'], changed: ['neo4j', 'orders'], frozenAt: '2026-12-02T10:00:00.000Z',
  });
  expect(alters(statements)).toEqual(['ALTER DATABASE `neo4j` SET ACCESS READ ONLY WAIT', 'ALTER DATABASE `orders` SET ACCESS READ ONLY WAIT']);
  await expect(writeFreeze(deps, { action: 'freeze', cluster: CLUSTER, databases: '*' })).resolves.toMatchObject({ changed: [] });
  expect(alters(statements)).toHaveLength(2);
  expect(rows.filter((r) => r.type === 'system' || r.type === 'composite').every((r) => r.access === 'read-write')).toBe(true);
});

test('thaw on 4.4 (no WAIT, no type column) sets READ WRITE where any member still shows read-only', async () => {
  const rows: Row[] = [
    { name: 'system', access: 'read-write' }, { name: 'neo4j', access: 'read-only' }, { name: 'neo4j', access: 'read-write' },
    { name: 'orders', access: 'read-write' },
  ];
  const statements = cluster('4.4.40', rows);
  await expect(writeFreeze(deps, { action: 'thaw', cluster: CLUSTER, databases: '*' })).resolves.toEqual({
    action: 'thaw', database: '*', databases: ['neo4j', 'orders'], changed: ['neo4j'],
  });
  expect(alters(statements)).toEqual(['ALTER DATABASE `neo4j` SET ACCESS READ WRITE']);
});

test('a cluster without a system database (3.5) is refused, naming writeFreeze: false', async () => {
  const executeQuery = jest.fn().mockRejectedValue(Object.assign(new Error('Database does not exist: system'), { code: 'Neo.ClientError.Database.DatabaseNotFound' }));
  connect.mockReturnValue({ executeQuery, close: jest.fn() });
  await expect(writeFreeze(deps, { action: 'freeze', cluster: CLUSTER, databases: '*' }))
    .rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(/Neo4j 3.5 has no ALTER DATABASE.*writeFreeze: false/) });
  expect(executeQuery).toHaveBeenCalledTimes(1);
});

test.each([['4.4.40', false], ['5.6.0', false], ['5.7.0', true], ['5.26.30', true], ['2025.10.1', true], ['', false]])('WAIT on %s: %s', (version, wait) => {
  expect(supportsAlterWait(version)).toBe(wait);
});
