/**
 * The write freeze's emulation on Community (SIMULATED, tools/rehearsal/offline/database-access.ts), driven
 * by the real write-freeze handler: the access is kept in each running server's store, travels with a copy
 * of the store, and a READ ONLY store refuses the client's writes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger } from '../../lambda/shared/log';
import { logic as writeFreeze } from '../../lambda/write-freeze/logic';
import { accessSeam, refusesWrites, storeAccess } from '../../tools/rehearsal/offline/database-access';
import type { ServerSet } from '../../tools/rehearsal/rolling/server-set';

const secrets = mockClient(SecretsManagerClient);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'database-access-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('freeze and thaw through the seam: every running store READ ONLY, a copy carries it, writes refused until the thaw', async () => {
  secrets.onAnyCommand().resolves({ SecretString: JSON.stringify({ username: 'neo4j', password: 'p' }) });
  const dirs = [1, 2, 3].map((i) => path.join(root, `server-${i}`));
  const up = new Set([1, 2, 3]);
  const servers = {
    servers: dirs.map((dataDir, i) => ({ index: i + 1, dataDir, player: { runningVersion: '5.26.30' } })),
    isUp: (i: number) => up.has(i),
  } as unknown as ServerSet;
  let notes = 0;
  const deps = { secrets: new SecretsManagerClient({}), connect: accessSeam(servers, () => notes++), log: memoryLogger(), now: () => new Date() };
  const cluster = { boltUri: 'bolt://neo4j.offline.internal:7687', credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' };

  up.delete(3);
  await expect(writeFreeze(deps, { action: 'freeze', cluster, databases: '*' })).resolves.toMatchObject({ databases: ['neo4j'], changed: ['neo4j'] });
  expect(dirs.map((d) => storeAccess(d).neo4j)).toEqual(['read-only', 'read-only', 'read-write']); // server 3 was down
  expect(refusesWrites(dirs[0])).toMatch(/ForbiddenOnReadOnlyDatabase/);
  expect(refusesWrites(dirs[2])).toBeUndefined();
  await expect(writeFreeze(deps, { action: 'freeze', cluster, databases: '*' })).resolves.toMatchObject({ changed: [] });

  // A copy of server 1's store (a snapshot, a clone, a restore) is READ ONLY too.
  const copy = path.join(root, 'copy');
  fs.cpSync(path.join(dirs[0], 'data'), path.join(copy, 'data'), { recursive: true });
  expect(storeAccess(copy).neo4j).toBe('read-only');

  up.add(3);
  await expect(writeFreeze(deps, { action: 'thaw', cluster, databases: '*' })).resolves.toMatchObject({ changed: ['neo4j'] });
  expect(dirs.map((d) => refusesWrites(d))).toEqual([undefined, undefined, undefined]);
  expect(notes).toBeGreaterThan(0);

  up.clear();
  await expect(writeFreeze(deps, { action: 'thaw', cluster, databases: '*' })).rejects.toMatchObject({ name: 'HealthGateError' });
});
