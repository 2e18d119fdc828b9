import {
  ARANGOD_EXIT, ArangoEmulator, ArangoEmulatorOptions, DEFAULT_MAINTENANCE_SECONDS, EmulatorInputError, FAILED_AFTER_MS, ManualClock,
  superuserJwt,
} from '../../tools/arangodb-emulator';
import { autoUpgradeCheck, parseVersion, startCheck, storeVersionOf } from '../../tools/arangodb-emulator/versions';

const OLD = '3.3.23';
const NEW = '3.4.2';
const PASSWORD = 'rehearsal-root';
const AGENTS = ['AGNT-0001', 'AGNT-0002', 'AGNT-0003'];
const DB_SERVERS = ['PRMR-0001', 'PRMR-0002', 'PRMR-0003'];
const COORDINATORS = ['CRDN-0001', 'CRDN-0002'];
const BASIC = `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`;

let emulator: ArangoEmulator;
let clock: ManualClock;

async function boot(options: ArangoEmulatorOptions = {}): Promise<void> {
  clock = new ManualClock();
  emulator = await ArangoEmulator.start({ version: OLD, rootPassword: PASSWORD, clock, ...options });
}

afterEach(async () => {
  await emulator?.close();
});

/** Coordinators take the root password; agents and DB servers only a superuser JWT. */
function credentialsFor(id: string): string {
  return id.startsWith('CRDN') ? BASIC : `bearer ${superuserJwt(emulator.jwtSecret, clock.now())}`;
}

async function call(id: string, method: string, path: string, body?: string, authorization = credentialsFor(id)): Promise<{ status: number; json: any }> {
  const res = await fetch(`${emulator.url(id)}${path}`, { method, body, headers: { authorization } });
  return { status: res.status, json: await res.json() };
}

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${emulator.controlUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** The seed's per-server step: stop, one auto-upgrade run, start with the new version. */
async function upgradeServer(id: string, version = NEW): Promise<number[]> {
  const codes = [(await emulator.stop(id)).exitCode, (await emulator.autoUpgrade(id, version)).exitCode];
  codes.push((await emulator.start(id, version)).exitCode);
  return codes;
}

function agentsInSync(config: any): string[] {
  return Object.entries(config.lastAcked as Record<string, { lastAckedIndex: number }>)
    .filter(([, acked]) => acked.lastAckedIndex === config.commitIndex).map(([id]) => id);
}

describe('ArangoDB API of every server', () => {
  beforeEach(() => boot());

  test('GET /_api/version and GET /_admin/server/role answer per server', async () => {
    const roles: Record<string, string> = {};
    for (const id of [...AGENTS, ...DB_SERVERS, ...COORDINATORS]) {
      expect((await call(id, 'GET', '/_api/version')).json).toEqual({ server: 'arango', version: OLD, license: 'community' });
      roles[id] = (await call(id, 'GET', '/_admin/server/role')).json.role;
    }
    expect(roles).toEqual({
      'AGNT-0001': 'AGENT', 'AGNT-0002': 'AGENT', 'AGNT-0003': 'AGENT',
      'PRMR-0001': 'PRIMARY', 'PRMR-0002': 'PRIMARY', 'PRMR-0003': 'PRIMARY', 'CRDN-0001': 'COORDINATOR', 'CRDN-0002': 'COORDINATOR',
    });
  });

  test('GET /_api/agency/config: leader, pool, active, every agent acknowledged the commit index', async () => {
    const { status, json } = await call('AGNT-0001', 'GET', '/_api/agency/config');
    expect(status).toBe(200);
    expect(json.leaderId).toBe('AGNT-0001');
    expect(Object.keys(json.configuration.pool)).toEqual(AGENTS);
    expect(json.configuration.pool['AGNT-0002']).toBe(emulator.endpoint('AGNT-0002'));
    expect(json.configuration.active).toEqual(AGENTS);
    expect(agentsInSync(json)).toEqual(AGENTS);
    const follower = (await call('AGNT-0002', 'GET', '/_api/agency/config')).json;
    expect(follower.leaderId).toBe('AGNT-0001');
    expect(follower.lastAcked).toBeUndefined();
    expect((await call('CRDN-0001', 'GET', '/_api/agency/config')).status).toBe(404);
  });

  test('GET /_admin/cluster/health: all 8 servers GOOD with role and version; coordinators only', async () => {
    const { json } = await call('CRDN-0001', 'GET', '/_admin/cluster/health');
    expect(Object.keys(json.Health)).toHaveLength(8);
    for (const entry of Object.values<any>(json.Health)) expect([entry.Status, entry.Version]).toEqual(['GOOD', OLD]);
    expect(json.Health['PRMR-0002']).toMatchObject({ Role: 'DBServer', ShortName: 'DBServer0002', SyncStatus: 'SERVING' });
    expect(json.Health['AGNT-0001']).toMatchObject({ Role: 'Agent', Leading: true, Leader: 'AGNT-0001' });
    expect((await call('PRMR-0001', 'GET', '/_admin/cluster/health')).status).toBe(404);
  });

  test('GET /_api/replication/clusterInventory: shards ready and in sync; out of sync while a DB server is down', async () => {
    const before = (await call('CRDN-0002', 'GET', '/_db/_system/_api/replication/clusterInventory')).json.collections[0];
    expect([before.isReady, before.allInSync]).toEqual([true, true]);
    expect(Object.values(before.parameters.shards)).toContainEqual(['PRMR-0002', 'PRMR-0003']);
    await emulator.stop('PRMR-0002');
    const during = (await call('CRDN-0002', 'GET', '/_api/replication/clusterInventory')).json.collections[0];
    expect([during.isReady, during.allInSync]).toEqual([true, false]);
  });

  test('PUT/GET /_admin/cluster/maintenance: on, off, bad body 400, 501 off the coordinators', async () => {
    expect((await call('CRDN-0001', 'GET', '/_admin/cluster/maintenance')).json.result).toBe('Normal');
    const on = await call('CRDN-0001', 'PUT', '/_admin/cluster/maintenance', '"on"');
    expect(on.status).toBe(200);
    expect(on.json.warning).toContain(new Date(clock.now() + 3600_000).toISOString().replace('.000Z', 'Z'));
    expect((await call('CRDN-0002', 'GET', '/_admin/cluster/maintenance')).json.result).toBe('Maintenance');
    expect((await call('CRDN-0002', 'PUT', '/_admin/cluster/maintenance', '"off"')).json).toEqual({ error: false, code: 200 });
    expect((await call('CRDN-0001', 'GET', '/_admin/cluster/maintenance')).json.result).toBe('Normal');
    expect((await call('CRDN-0001', 'PUT', '/_admin/cluster/maintenance', '"piff!"')).status).toBe(400);
    expect((await call('CRDN-0001', 'PUT', '/_admin/cluster/maintenance', 'on')).status).toBe(400);
    expect((await call('AGNT-0001', 'PUT', '/_admin/cluster/maintenance', '"on"')).status).toBe(501);
    expect((await call('CRDN-0001', 'GET', '/_admin/cluster/maintenance')).json.result).toBe('Normal');
  });

  test('authentication: basic with the root password, or a JWT from POST /_open/auth', async () => {
    expect((await call('CRDN-0001', 'GET', '/_api/version', undefined, '')).status).toBe(401);
    const wrong = `Basic ${Buffer.from('root:nope').toString('base64')}`;
    expect((await call('CRDN-0001', 'GET', '/_api/version', undefined, wrong)).json).toMatchObject({ error: true, code: 401 });
    expect((await call('CRDN-0001', 'POST', '/_open/auth', JSON.stringify({ username: 'root', password: 'nope' }), '')).status).toBe(401);
    expect((await call('CRDN-0001', 'POST', '/_open/auth', 'root:nope', '')).status).toBe(400);
    const { json } = await call('CRDN-0001', 'POST', '/_open/auth', JSON.stringify({ username: 'root', password: PASSWORD }), '');
    expect((await call('CRDN-0002', 'GET', '/_api/version', undefined, `bearer ${json.jwt}`)).status).toBe(200);
    expect((await call('CRDN-0002', 'GET', '/_api/version', undefined, `bearer ${json.jwt}x`)).status).toBe(401);
    clock.advance(3600_001);
    expect((await call('CRDN-0002', 'GET', '/_api/version', undefined, `bearer ${json.jwt}`)).status).toBe(401);
  });

  test('agents and DB servers accept only a superuser JWT signed with the deployment secret', async () => {
    const user = (await call('CRDN-0001', 'POST', '/_open/auth', JSON.stringify({ username: 'root', password: PASSWORD }), '')).json.jwt;
    const superuser = `bearer ${superuserJwt(emulator.jwtSecret, clock.now())}`;
    for (const id of ['AGNT-0001', 'PRMR-0001']) {
      const denied = await fetch(`${emulator.url(id)}/_api/agency/config`, { headers: { authorization: BASIC } });
      expect([denied.status, denied.headers.get('www-authenticate')]).toEqual([401, 'Bearer token_type="JWT", realm="ArangoDB"']);
      expect((await call(id, 'GET', '/_api/version', undefined, `bearer ${user}`)).status).toBe(401);
      expect((await call(id, 'GET', '/_api/version', undefined, superuser)).status).toBe(200);
    }
    expect((await call('CRDN-0001', 'GET', '/_api/version', undefined, superuser)).status).toBe(200);
    expect((await call('AGNT-0001', 'GET', '/_api/version', undefined, `bearer ${superuserJwt('another-secret', clock.now())}`)).status).toBe(401);
  });
});

describe('version rules', () => {
  test('start and auto-upgrade checks compare major.minor of binary and store', () => {
    const store33 = storeVersionOf(parseVersion('v', '3.3.23'));
    expect(store33).toBe(30323);
    expect(startCheck(parseVersion('v', '3.3.25'), store33)).toBe(ARANGOD_EXIT.EXIT_SUCCESS);
    expect(startCheck(parseVersion('v', '3.4.2'), store33)).toBe(ARANGOD_EXIT.EXIT_UPGRADE_REQUIRED);
    expect(startCheck(parseVersion('v', '3.2.9'), store33)).toBe(ARANGOD_EXIT.EXIT_DOWNGRADE_REQUIRED);
    expect(autoUpgradeCheck(parseVersion('v', '3.4.2'), store33)).toBe(ARANGOD_EXIT.EXIT_SUCCESS);
    expect(autoUpgradeCheck(parseVersion('v', '3.5.0'), store33)).toBe(ARANGOD_EXIT.EXIT_UPGRADE_FAILED);
    expect(autoUpgradeCheck(parseVersion('v', '4.0.0'), storeVersionOf(parseVersion('v', '3.12.4')))).toBe(ARANGOD_EXIT.EXIT_UPGRADE_FAILED);
    expect(autoUpgradeCheck(parseVersion('v', '3.2.0'), store33)).toBe(ARANGOD_EXIT.EXIT_DOWNGRADE_REQUIRED);
    expect(() => parseVersion('body.version', '3.4')).toThrow('body.version must be an ArangoDB version like "3.4.2", got "3.4"');
  });

  describe('on a server', () => {
    beforeEach(() => boot());

    test('stop, auto-upgrade, start: the seed step upgrades the store and the binary; a stopped server refuses connections', async () => {
      await emulator.stop('AGNT-0002');
      await expect(fetch(`${emulator.url('AGNT-0002')}/_api/version`)).rejects.toThrow();
      expect(await upgradeServer('AGNT-0002')).toEqual([0, 0, 0]);
      expect(emulator.cluster.get('AGNT-0002')).toMatchObject({ status: 'running', version: NEW, storeVersion: 30402 });
      expect((await call('AGNT-0002', 'GET', '/_api/version')).json.version).toBe(NEW);
      const health = (await call('CRDN-0001', 'GET', '/_admin/cluster/health')).json.Health;
      expect([health['AGNT-0002'].Version, health['AGNT-0001'].Version]).toEqual([NEW, OLD]);
    });

    test('a new minor without auto-upgrade refuses to start (11) and stays stopped; the store is untouched', async () => {
      await emulator.stop('PRMR-0001');
      expect(await emulator.start('PRMR-0001', NEW)).toEqual({ exitCode: 11, exitCodeName: 'EXIT_UPGRADE_REQUIRED', status: 'stopped', storeVersion: 30323 });
    });

    test('a skipped minor: the auto-upgrade run fails (10) and leaves the store as it was', async () => {
      await emulator.stop('PRMR-0001');
      expect(await emulator.autoUpgrade('PRMR-0001', '3.5.0')).toMatchObject({ exitCode: 10, status: 'stopped', storeVersion: 30323 });
    });

    test('a downgrade: the old binary on an upgraded store exits 12, with or without auto-upgrade', async () => {
      await upgradeServer('PRMR-0003');
      await emulator.stop('PRMR-0003');
      expect(await emulator.start('PRMR-0003', OLD)).toMatchObject({ exitCode: 12, exitCodeName: 'EXIT_DOWNGRADE_REQUIRED', status: 'stopped' });
      expect(await emulator.autoUpgrade('PRMR-0003', OLD)).toMatchObject({ exitCode: 12, storeVersion: 30402 });
    });

    test('a patch change starts without auto-upgrade; a running server cannot be auto-upgraded (22); stop and start are idempotent', async () => {
      expect(await emulator.autoUpgrade('CRDN-0001', NEW)).toMatchObject({ exitCode: ARANGOD_EXIT.EXIT_COULD_NOT_LOCK, status: 'running' });
      await emulator.stop('CRDN-0001');
      expect((await emulator.stop('CRDN-0001')).status).toBe('stopped');
      expect((await emulator.start('CRDN-0001', '3.3.25')).exitCode).toBe(0);
      expect(await emulator.start('CRDN-0001', '3.3.25')).toMatchObject({ exitCode: 0, status: 'running' });
      expect((await emulator.start('CRDN-0001', '3.3.26')).exitCode).toBe(ARANGOD_EXIT.EXIT_COULD_NOT_LOCK);
    });

    test('a stopped server is BAD in the health, then FAILED after about 15 s', async () => {
      await emulator.stop('PRMR-0002');
      const status = async () => (await call('CRDN-0002', 'GET', '/_admin/cluster/health')).json.Health['PRMR-0002'].Status;
      expect(await status()).toBe('BAD');
      clock.advance(FAILED_AFTER_MS);
      expect(await status()).toBe('FAILED');
      await emulator.start('PRMR-0002', OLD);
      expect(await status()).toBe('GOOD');
    });

    test('while an auto-upgrade run lasts, the server reads "upgrading"', async () => {
      await emulator.close();
      await boot({ autoUpgradeMs: 50 });
      await emulator.stop('AGNT-0003');
      const run = emulator.autoUpgrade('AGNT-0003', NEW);
      expect(emulator.cluster.get('AGNT-0003').status).toBe('upgrading');
      expect((await run).status).toBe('stopped');
    });
  });
});

describe('faults', () => {
  test('an agent that does not come back in sync after its restart', async () => {
    await boot({ faults: { 'AGNT-0003': { outOfSyncAfterRestart: 'forever' } } });
    await upgradeServer('AGNT-0003');
    for (let poll = 0; poll < 5; poll++) {
      const config = (await call('AGNT-0001', 'GET', '/_api/agency/config')).json;
      expect(agentsInSync(config)).toEqual(['AGNT-0001', 'AGNT-0002']);
      expect(config.lastAcked['AGNT-0003'].lastAckedIndex).toBeLessThan(config.commitIndex);
    }
  });

  test('an agent that catches up after N polls of the agency config', async () => {
    await boot({ faults: { 'AGNT-0002': { outOfSyncAfterRestart: 2 } } });
    await upgradeServer('AGNT-0002');
    const inSync = [];
    for (let poll = 0; poll < 3; poll++) inSync.push(agentsInSync((await call('AGNT-0001', 'GET', '/_api/agency/config')).json).length);
    expect(inSync).toEqual([2, 2, 3]);
  });

  test('the leader agent restarts: another agent leads, with a new term', async () => {
    await boot();
    const term = (await call('AGNT-0002', 'GET', '/_api/agency/config')).json.term;
    await emulator.stop('AGNT-0001');
    const config = (await call('AGNT-0002', 'GET', '/_api/agency/config')).json;
    expect([config.leaderId, config.term]).toEqual(['AGNT-0002', term + 1]);
    expect(config.lastAcked['AGNT-0001'].lastAckedIndex).toBeLessThan(config.commitIndex);
  });

  test('a DB server whose auto-upgrade exits with an error', async () => {
    await boot({ faults: { 'PRMR-0002': { autoUpgradeExitCode: ARANGOD_EXIT.EXIT_UPGRADE_FAILED } } });
    expect(await upgradeServer('PRMR-0001')).toEqual([0, 0, 0]);
    expect(await upgradeServer('PRMR-0002')).toEqual([0, 10, 11]);
    expect(emulator.cluster.get('PRMR-0002')).toMatchObject({ status: 'stopped', storeVersion: 30323 });
    // Rolled back to the old binary on its untouched store, it serves again.
    expect((await emulator.start('PRMR-0002', OLD)).exitCode).toBe(0);
  });

  test('a DB server whose shards stay out of sync after its restart', async () => {
    await boot({ faults: { 'PRMR-0001': { outOfSyncAfterRestart: 1 } } });
    await upgradeServer('PRMR-0001');
    const inSync = [];
    for (let poll = 0; poll < 2; poll++) inSync.push((await call('CRDN-0001', 'GET', '/_api/replication/clusterInventory')).json.collections[0].allInSync);
    expect(inSync).toEqual([false, true]);
    expect((await call('CRDN-0001', 'GET', '/_admin/cluster/health')).json.Health['PRMR-0001'].Status).toBe('GOOD');
  });

  test('maintenance mode already on at the start', async () => {
    await boot({ maintenanceOnForSeconds: 600 });
    expect((await call('CRDN-0001', 'GET', '/_admin/cluster/maintenance')).json.result).toBe('Maintenance');
    clock.advance(600_000);
    expect((await call('CRDN-0001', 'GET', '/_admin/cluster/maintenance')).json.result).toBe('Normal');
  });

  test('a coordinator that answers 503 for N calls', async () => {
    await boot({ faults: { 'CRDN-0002': { unavailableCalls: 2 } } });
    const statuses = [];
    for (let n = 0; n < 3; n++) statuses.push((await call('CRDN-0002', 'GET', '/_admin/cluster/health')).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect((await call('CRDN-0001', 'GET', '/_admin/cluster/health')).status).toBe(200);
  });
});

describe('maintenance expiry', () => {
  beforeEach(() => boot());
  const mode = async () => (await call('CRDN-0001', 'GET', '/_admin/cluster/maintenance')).json.result;

  test('"on" lapses after 60 minutes on its own', async () => {
    expect(DEFAULT_MAINTENANCE_SECONDS).toBe(3600);
    await call('CRDN-0001', 'PUT', '/_admin/cluster/maintenance', '"on"');
    clock.advance(3600_000 - 1);
    expect(await mode()).toBe('Maintenance');
    clock.advance(1);
    expect(await mode()).toBe('Normal');
  });

  test('an explicit timeout in seconds ("7200" or 666) sets the expiry; setting it again extends it', async () => {
    const start = clock.now();
    await call('CRDN-0002', 'PUT', '/_admin/cluster/maintenance', '"7200"');
    expect((await control('GET', '/_emulator/state')).json.maintenance).toEqual({ active: true, until: new Date(start + 7200_000).toISOString() });
    clock.advance(7000_000);
    await call('CRDN-0002', 'PUT', '/_admin/cluster/maintenance', '666');
    clock.advance(600_000);
    expect(await mode()).toBe('Maintenance');
    clock.advance(66_000);
    expect(await mode()).toBe('Normal');
  });
});

describe('control API (/_emulator, its own listener)', () => {
  beforeEach(() => boot());

  test('stop, auto-upgrade, start, faults and state over HTTP', async () => {
    expect((await control('POST', '/_emulator/servers/PRMR-0003/stop')).json.status).toBe('stopped');
    expect((await control('POST', '/_emulator/servers/PRMR-0003/auto-upgrade', { version: NEW })).json).toEqual({ exitCode: 0, exitCodeName: 'EXIT_SUCCESS', status: 'stopped', storeVersion: 30402 });
    expect((await control('POST', '/_emulator/servers/PRMR-0003/start', { version: NEW })).json.status).toBe('running');
    expect((await control('PUT', '/_emulator/servers/CRDN-0001/faults', { unavailableCalls: 1 })).json).toEqual({ id: 'CRDN-0001', faults: { unavailableCalls: 1 } });
    expect((await call('CRDN-0001', 'GET', '/_api/version')).status).toBe(503);
    expect((await control('PUT', '/_emulator/maintenance', { seconds: 60 })).json.maintenance.active).toBe(true);
    const state = (await control('GET', '/_emulator/state')).json;
    expect(state.servers.find((s: any) => s.id === 'PRMR-0003')).toMatchObject({ version: NEW, storeVersion: 30402, status: 'running', inSync: true });
    expect((await control('PUT', '/_emulator/maintenance', { seconds: 0 })).json.maintenance).toEqual({ active: false });
    expect((await fetch(`${emulator.controlUrl}/_api/version`)).status).toBe(404);
  });

  test('bad input is refused with 400 naming the field and value, and changes nothing', async () => {
    const before = (await control('GET', '/_emulator/state')).json;
    expect((await control('POST', '/_emulator/servers/PRMR-0009/stop')).json.error).toContain('no server with id "PRMR-0009"');
    expect((await control('POST', '/_emulator/servers/PRMR-0001/start', { version: 34 })).json.error).toBe('body.version must be a string, got 34');
    expect((await control('POST', '/_emulator/servers/PRMR-0001/auto-upgrade', { version: 'latest' })).status).toBe(400);
    expect((await control('PUT', '/_emulator/servers/PRMR-0001/faults', { autoUpgradeExitCode: 0 })).json.error)
      .toBe('faults of PRMR-0001.autoUpgradeExitCode has an invalid value 0');
    expect((await control('PUT', '/_emulator/servers/PRMR-0001/faults', { crash: true })).json.error).toContain('crash is not a fault');
    expect((await control('PUT', '/_emulator/maintenance', { seconds: -1 })).status).toBe(400);
    expect((await control('GET', '/_emulator/state')).json).toEqual(before);
  });

  test('bad options are refused before anything listens', async () => {
    await expect(ArangoEmulator.start({ agents: 0 })).rejects.toThrow('agents must be a whole number >= 1, got 0');
    await expect(ArangoEmulator.start({ version: '3.4' })).rejects.toThrow(EmulatorInputError);
    await expect(ArangoEmulator.start({ maintenanceOnForSeconds: -5 })).rejects.toThrow('maintenanceOnForSeconds must be a whole number >= 1, got -5');
    await expect(ArangoEmulator.start({ faults: { 'PRMR-0007': {} } })).rejects.toThrow('no server with id "PRMR-0007"');
  });
});

describe('event record and store swap', () => {
  beforeEach(() => boot({ maintenanceOnForSeconds: 120 }));

  test('GET /_emulator/events lists stops, runs, starts and maintenance switches in order, with who asked', async () => {
    await upgradeServer('PRMR-0001');
    await call('CRDN-0001', 'PUT', '/_admin/cluster/maintenance', '"off"');
    const { json } = await control('GET', '/_emulator/events');
    expect(json.events.map((e: any) => [e.kind, e.serverId, e.exitCode, e.via, e.value])).toEqual([
      ['maintenance-on', undefined, undefined, 'control', 120],
      ['stop', 'PRMR-0001', undefined, undefined, undefined],
      ['auto-upgrade', 'PRMR-0001', 0, undefined, undefined],
      ['start', 'PRMR-0001', 0, undefined, undefined],
      ['maintenance-off', undefined, undefined, 'api', undefined],
    ]);
  });

  test('POST /_emulator/servers/{id}/store swaps the data directory only while stopped', async () => {
    expect((await control('POST', '/_emulator/servers/PRMR-0002/store', { storeVersion: 30323 })).status).toBe(400);
    await upgradeServer('PRMR-0002');
    await emulator.stop('PRMR-0002');
    expect((await control('POST', '/_emulator/servers/PRMR-0002/store', { storeVersion: 30323 })).status).toBe(200);
    expect((await emulator.start('PRMR-0002', NEW)).exitCode).toBe(ARANGOD_EXIT.EXIT_UPGRADE_REQUIRED);
    expect((await emulator.start('PRMR-0002', OLD)).exitCode).toBe(ARANGOD_EXIT.EXIT_SUCCESS);
    const bad = await control('POST', '/_emulator/servers/PRMR-0003/store', { storeVersion: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/storeVersion.*"x"/);
  });
});
