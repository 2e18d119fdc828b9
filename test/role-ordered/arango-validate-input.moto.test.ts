import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ArangoValidateInputInput, logic } from '../../lambda/arango-validate-input/logic';
import { checkUpgradePath } from '../../lambda/arango-validate-input/version-path';
import { parseArangoVersion } from '../../lambda/shared/arango-version';
import { memoryLogger } from '../../lambda/shared/log';
import { RoleOrderedContext } from '../../lambda/shared/role-ordered-context';
import { ArangoEmulator } from '../../tools/arangodb-emulator';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';

const v = (text: string) => parseArangoVersion(text, 'v');

describe('ArangoDB version path', () => {
  test('a minor step and a patch step pass; the kind is named', () => {
    expect(checkUpgradePath(v('3.3.23'), v('3.4.2'), { '3.3': 0 })).toBe('minor');
    expect(checkUpgradePath(v('3.4.1'), v('3.4.2'), {})).toBe('patch');
  });

  test.each([
    ['3.4.2', '3.3.23', /^downgrade refused: 3\.4\.2 -> 3\.3\.23/],
    ['3.4.2', '3.4.1', /^downgrade refused/],
    ['3.3.23', '3.5.0', /^skipped minor refused: 3\.3\.23 -> 3\.5\.0 skips 3\.4/],
    ['3.12.4', '4.0.0', /^major upgrade refused/],
    ['3.3.23', '3.3.23', /^nothing to upgrade/],
  ])('%s -> %s is refused', (from, to, message) => {
    expect(() => checkUpgradePath(v(from), v(to), {})).toThrow(message);
  });

  test('a minor jump without a declared minimum patch is refused naming the field (ArangoDB documents no fixed value)', () => {
    expect(() => checkUpgradePath(v('3.3.23'), v('3.4.2'), { '3.2': 5 })).toThrow(/^3\.3\.23 -> 3\.4\.2 is a minor upgrade: minimumPatchBeforeMinor\["3\.3"\] must be declared/);
    expect(checkUpgradePath(v('3.4.1'), v('3.4.2'), {})).toBe('patch');
  });

  test('a minor jump below the declared minimum patch is refused, at or above it passes', () => {
    expect(() => checkUpgradePath(v('3.3.19'), v('3.4.0'), { '3.3': 20 })).toThrow(/needs at least 3\.3\.20/);
    expect(checkUpgradePath(v('3.3.20'), v('3.4.0'), { '3.3': 20 })).toBe('minor');
  });
});

describe('arango-validate-input against moto (secret) and the ArangoDB emulator (versions)', () => {
  let moto: MotoServer;
  let emulator: ArangoEmulator;
  let secrets: SecretsManagerClient;
  let cluster: RoleOrderedContext;

  beforeAll(async () => {
    moto = await startMoto();
    secrets = new SecretsManagerClient(motoClientConfig(moto));
    emulator = await ArangoEmulator.start({ version: '3.3.23', rootPassword: 'pw', jwtSecret: 'jwt-secret' });
    const secret = await secrets.send(new CreateSecretCommand({ Name: 'arango', SecretString: JSON.stringify({ username: 'root', password: 'pw', jwtSecret: 'jwt-secret' }) }));
    const server = (role: string, serverId: string) => ({ role, serverId, serviceName: `svc-${serverId}`, endpoint: emulator.url(serverId) });
    cluster = {
      stackName: 'ArangoCluster', ecsClusterName: 'arango', dataVolumeName: 'arango-data', environmentName: 'test', credentialsSecretArn: secret.ARN ?? '',
      roleOrder: [
        { role: 'agents', gate: 'agency-in-sync', underMaintenance: false },
        { role: 'dbServers', gate: 'db-server-healthy-shards-in-sync', underMaintenance: true },
        { role: 'coordinators', gate: 'coordinator-answering', underMaintenance: false },
      ],
      servers: [
        server('coordinators', 'CRDN-0001'), server('agents', 'AGNT-0001'), server('dbServers', 'PRMR-0001'), server('dbServers', 'PRMR-0002'),
        server('agents', 'AGNT-0002'), server('agents', 'AGNT-0003'), server('dbServers', 'PRMR-0003'), server('coordinators', 'CRDN-0002'),
      ],
    };
  });
  afterAll(async () => {
    await emulator?.close();
    await moto?.stop();
  });

  const run = (input: Partial<ArangoValidateInputInput>) => logic(
    { secrets, fetch: globalThis.fetch, now: () => new Date(), log: memoryLogger() },
    { cluster, defaults: { maintenanceSeconds: 3600 }, ...input } as ArangoValidateInputInput,
  );

  test('plans every server in role order with the maintenance switches around the DB servers, from the version the servers report', async () => {
    const plan = await run({ request: { image: 'arangodb/arangodb:3.4.2', minimumPatchBeforeMinor: { '3.3': 20 } } });
    expect(plan).toMatchObject({ fromVersion: '3.3.23', toVersion: '3.4.2', upgradeKind: 'minor', maintenanceSeconds: 3600 });
    expect(plan.servers.map((s) => [s.serverId, s.maintenanceOnBefore, s.maintenanceOffAfter, s.position])).toEqual([
      ['AGNT-0001', false, false, '1/8'], ['AGNT-0002', false, false, '2/8'], ['AGNT-0003', false, false, '3/8'],
      ['PRMR-0001', true, false, '4/8'], ['PRMR-0002', false, false, '5/8'], ['PRMR-0003', false, true, '6/8'],
      ['CRDN-0001', false, false, '7/8'], ['CRDN-0002', false, false, '8/8'],
    ]);
  });

  test.each([
    ['a downgrade', { image: 'arangodb/arangodb:3.2.17' }, /downgrade refused: 3\.3\.23 -> 3\.2\.17/],
    ['a skipped minor', { image: 'arangodb/arangodb:3.5.0' }, /skipped minor refused/],
    ['an image without a version', { image: 'arangodb/arangodb:latest' }, /names no version in its tag: give targetVersion/],
    ['an unknown field', { image: 'arangodb/arangodb:3.4.2', rolse: ['agents'] }, /unknown input field\(s\) "rolse"/],
    ['a short maintenance expiry', { image: 'arangodb/arangodb:3.4.2', maintenanceSeconds: 5 }, /maintenanceSeconds must be an integer >= 60, got 5/],
  ])('refuses %s with InvalidInputError naming it', async (_what, request, message) => {
    await expect(run({ request })).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  });

  test('refuses a server with an unknown role and a role without servers, naming them', async () => {
    const unknown = { ...cluster, servers: [...cluster.servers, { ...cluster.servers[0], serverId: 'X-1', role: 'followers' }] };
    await expect(run({ cluster: unknown, request: { image: 'arangodb/arangodb:3.4.2' } }))
      .rejects.toThrow(/cluster\.servers\[8\] \("X-1"\) has the unknown role "followers"; the order knows agents, dbServers, coordinators/);
    const empty = { ...cluster, servers: cluster.servers.filter((s) => s.role !== 'dbServers') };
    await expect(run({ cluster: empty, request: { image: 'arangodb/arangodb:3.4.2' } }))
      .rejects.toThrow(/role "dbServers" has no servers in cluster\.servers: an empty role cannot be upgraded/);
    const blank = { ...cluster, servers: [{ ...cluster.servers[0], role: '' }] };
    await expect(run({ cluster: blank, request: { image: 'arangodb/arangodb:3.4.2' } })).rejects.toThrow(/cluster\.servers\[0\]\.role must be a non-empty string, got ""/);
  });

  test('changes nothing: the emulator records no event after the refusals and the plan', async () => {
    await run({ request: { image: 'arangodb/arangodb:3.5.0' } }).catch(() => undefined);
    expect(emulator.cluster.events).toEqual([]);
  });
});
