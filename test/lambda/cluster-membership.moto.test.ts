import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClusterMembershipInput, ClusterMembershipOutput, logic } from '../../lambda/cluster-membership/logic';
import { BoltConnect } from '../../lambda/shared/bolt';
import { HealthGateError, PreconditionFailedError, StillInProgressError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { CausalCluster, EmulatedCluster, EmulatedStatement, causalConnect, emulatedConnect } from '../../tools/neo4j-cluster-emulator';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { gateCluster } from './fixtures/gate-cluster';

/**
 * The membership handler against moto (its credentials secret) and the SIMULATED Neo4j clusters
 * (tools/neo4j-cluster-emulator: 5.x server management, 4.4 causal clustering): one old server replaced
 * by a new one, step by step, as the replaceable-resources procedure will run it.
 */
const OLD = ['10.0.1.1:7687', '10.0.2.1:7687', '10.0.3.1:7687'];
const NEW = '10.0.1.9:7687';

let moto: MotoServer;
let secrets: SecretsManagerClient;
let secretArn: string;

beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient(motoClientConfig(moto));
  const secret = await secrets.send(new CreateSecretCommand({ Name: 'neo4j-admin', SecretString: JSON.stringify({ username: 'neo4j', password: 'pw' }) }));
  secretArn = secret.ARN ?? '';
});
afterAll(async () => { await moto?.stop(); });

const poll = { everySeconds: 1, withinSeconds: 30 };

/** The handler's deps over moto's secret and an emulated Bolt connect, with a clock the polls advance. */
function handlerRun(connect: BoltConnect, versionFamily: string) {
  let clock = Date.parse('2026-12-02T06:00:00Z');
  const deps = { secrets, connect, log: memoryLogger(), now: () => new Date(clock), sleep: async (ms: number) => { clock += ms; } };
  return (action: ClusterMembershipInput['action'], serverAddress: string, more: Partial<ClusterMembershipInput> = {}): Promise<ClusterMembershipOutput> =>
    logic(deps, { cluster: gateCluster({ boltUri: 'neo4j://neo4j.internal:7687', credentialsSecretArn: secretArn, versionFamily }), action, serverAddress, ...more });
}

describe('cluster-membership against moto (secret) and the Neo4j cluster emulator (SIMULATED)', () => {
  function world(copyStartLooks = 2) {
    const cluster = EmulatedCluster.formed(OLD, [{ name: 'neo4j', primaries: 3, secondaries: 0 }, { name: 'orders', primaries: 3, secondaries: 0 }], { copyStartLooks });
    const statements: EmulatedStatement[] = [];
    const run = handlerRun(emulatedConnect(cluster, { statements }), '5');
    const commands = () => statements.filter((s) => !/^SHOW/.test(s.cypher));
    /** Servers running an online copy of each user database: the cluster's fault tolerance is the minimum. */
    const onlinePrimaries = () => Math.min(...['neo4j', 'orders'].map((db) =>
      cluster.servers.filter((s) => s.health === 'Available' && s.copies.get(db)?.status === 'online').length));
    return { cluster, run, statements, commands, onlinePrimaries };
  }

  test('adds the new member before retiring the old one, never below three online copies, and every step run twice is a no-op', async () => {
    const { cluster, run, commands, onlinePrimaries } = world(6);
    const seen: number[] = [];
    const step = async (...args: Parameters<typeof run>) => {
      const out = await run(...args);
      seen.push(onlinePrimaries());
      return out;
    };
    await expect(run('enable-server', NEW)).rejects.toThrow(StillInProgressError);
    const id = cluster.start({ address: NEW }).serverId;

    expect(await step('enable-server', NEW)).toMatchObject({ action: 'enable-server', serverId: id, state: 'Enabled', changed: true });
    expect(await step('enable-server', NEW)).toMatchObject({ state: 'Enabled', changed: false });
    expect(await step('wait-hosting', NEW)).toMatchObject({ state: 'Enabled', hosting: ['system'] });

    const oldId = cluster.byAddress(OLD[0]).serverId;
    expect(await step('deallocate', OLD[0], { replacementAddress: NEW })).toMatchObject({ serverId: oldId, state: 'Deallocating', changed: true });
    expect(await step('deallocate', OLD[0], { replacementAddress: NEW })).toMatchObject({ changed: false });
    await expect(run('wait-drained', OLD[0])).rejects.toThrow(/expected 10\.0\.1\.1:7687 drained .*still hosts a database/);
    expect(await step('wait-drained', OLD[0], { poll })).toMatchObject({ state: 'Deallocated', hosting: ['system'] });
    expect(cluster.byAddress(NEW).copies.get('orders')?.status).toBe('online');

    expect(await step('drop-server', OLD[0])).toMatchObject({ state: 'Dropped', changed: true });
    expect(await step('drop-server', OLD[0])).toMatchObject({ state: 'Dropped', changed: false });
    cluster.stopProcess(OLD[0]);
    expect(await step('drop-server', OLD[0])).toMatchObject({ state: 'absent', serverId: '', changed: false });
    expect(await step('wait-drained', OLD[0])).toMatchObject({ state: 'absent' });

    expect(commands()).toEqual([
      { cypher: `ENABLE SERVER '${id}'`, database: 'system', access: 'write' },
      { cypher: `DEALLOCATE DATABASES FROM SERVER '${oldId}'`, database: 'system', access: 'write' },
      { cypher: `DROP SERVER '${oldId}'`, database: 'system', access: 'write' },
    ]);
    expect(Math.min(...seen)).toBe(3);
    expect(cluster.servers.map((s) => [s.address, s.state])).toEqual([[OLD[1], 'Enabled'], [OLD[2], 'Enabled'], [NEW, 'Enabled']]);
  });

  test('withdraw-new-member (the undo before the deallocation): Enabled -> deallocated -> dropped, twice a no-op; Free -> dropped; never one hosting a database', async () => {
    const { cluster, run, commands } = world();
    expect(await run('withdraw-new-member', NEW)).toMatchObject({ state: 'absent', changed: false });
    const id = cluster.start({ address: NEW }).serverId;
    await run('enable-server', NEW);
    await expect(run('withdraw-new-member', NEW)).rejects.toThrow(StillInProgressError);
    expect(await run('withdraw-new-member', NEW, { poll })).toMatchObject({ serverId: id, state: 'Dropped', changed: true });
    expect(await run('withdraw-new-member', NEW)).toMatchObject({ state: 'Dropped', changed: false });
    expect(commands().map((c) => c.cypher)).toEqual([`ENABLE SERVER '${id}'`, `DEALLOCATE DATABASES FROM SERVER '${id}'`, `DROP SERVER '${id}'`]);
    expect(cluster.servers.filter((s) => s.state === 'Enabled').map((s) => s.address)).toEqual(OLD);

    const other = '10.0.2.9:7687';
    const freeId = cluster.start({ address: other }).serverId;
    expect(await run('withdraw-new-member', other)).toMatchObject({ serverId: freeId, state: 'Dropped', changed: true });
    // A member that already took databases (the old one's deallocation started) is never withdrawn.
    await expect(run('withdraw-new-member', OLD[0])).rejects.toThrow(PreconditionFailedError);
  });

  test('a replacement that never joins: enable-server polls its budget and ends StillInProgressError, nothing sent, nothing retired', async () => {
    const { cluster, run, commands } = world();
    const err = await run('enable-server', NEW, { poll }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(StillInProgressError);
    expect((err as Error).message).toContain('expected the new member at 10.0.1.9:7687 discovered (SHOW SERVERS); found no server there');
    expect(commands()).toEqual([]);
    expect(cluster.servers.every((s) => s.state === 'Enabled')).toBe(true);
  });

  test('no deallocation before the replacement joined or while another member is down (HealthGateError), nothing sent', async () => {
    const { cluster, run, commands } = world();
    cluster.start({ address: NEW });
    await expect(run('deallocate', OLD[0], { replacementAddress: NEW })).rejects.toThrow(/expected its replacement at 10\.0\.1\.9:7687 joined; found: .*Free, .*\(not Enabled\)/);
    await run('enable-server', NEW);
    cluster.setHealth(OLD[2], 'Unavailable');
    const err = await run('deallocate', OLD[0], { replacementAddress: NEW }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(HealthGateError);
    expect((err as Error).message).toMatch(/expected every other member Available; found .*10\.0\.3\.1:7687: Enabled, Unavailable/);
    expect(commands().map((c) => c.cypher)).toEqual([expect.stringMatching(/^ENABLE SERVER/)]);
    expect(cluster.byAddress(OLD[0]).state).toBe('Enabled');
  });

  test('a new copy that stays starting: wait-drained holds, drop-server refuses, the old server keeps its copy', async () => {
    const { cluster, run, commands } = world(1);
    cluster.start({ address: NEW });
    cluster.holdStarting(NEW, 'orders');
    await run('enable-server', NEW);
    await run('wait-hosting', NEW);
    await run('deallocate', OLD[0], { replacementAddress: NEW });
    const held = await run('wait-drained', OLD[0], { poll: { everySeconds: 1, withinSeconds: 5 } }).catch((e: Error) => e);
    expect(held).toBeInstanceOf(StillInProgressError);
    expect((held as Error).message).toContain('orders on 10.0.1.9:7687 starting (requested online)');
    const refused = await run('drop-server', OLD[0]).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(PreconditionFailedError);
    expect((refused as Error).message).toMatch(/drained \(Deallocated\) before DROP SERVER; found .*Deallocating, Available, hosting \[orders, system\]/);
    expect(cluster.byAddress(OLD[0]).copies.get('orders')?.status).toBe('online');
    expect(commands().some((c) => c.cypher.startsWith('DROP'))).toBe(false);
  });
});

describe('cluster-membership on a 4.4 causal cluster against moto (secret) and the causal emulator (SIMULATED)', () => {
  function world(copyStartLooks = 2) {
    const cluster = CausalCluster.formed(OLD, ['neo4j', 'orders'], { copyStartLooks });
    const statements: EmulatedStatement[] = [];
    const run = handlerRun(causalConnect(cluster, { statements }), '4.4');
    return { cluster, run, statements };
  }
  const ALL = ['neo4j', 'orders', 'system'];

  test('a replacement step by step: wait-joined in progress until the new member\'s copies are online, wait-left once the old one is stopped; twice the same; only reads sent', async () => {
    const { cluster, run, statements } = world(4);
    await expect(run('wait-joined', NEW)).rejects.toThrow(/expected the new member at 10\.0\.1\.9:7687 listed in dbms\.cluster\.overview\(\); found no member there\. Listed: .*10\.0\.1\.1:7687 \[system: LEADER, neo4j: LEADER, orders: LEADER\]/);
    const id = cluster.start({ address: NEW }).id;
    const copying = await run('wait-joined', NEW).catch((e: Error) => e);
    expect(copying).toBeInstanceOf(StillInProgressError);
    expect((copying as Error).message).toBe('expected the new member at 10.0.1.9:7687 running every database, each at its requested status; found: ' +
      'neo4j not listed in the overview; orders not listed in the overview; system not listed in the overview; ' +
      'system on 10.0.1.9:7687 starting (requested online); neo4j on 10.0.1.9:7687 starting (requested online); orders on 10.0.1.9:7687 starting (requested online)');
    const joined = { action: 'wait-joined', serverAddress: NEW, serverId: id, state: 'FOLLOWER', hosting: ALL, changed: false };
    expect(await run('wait-joined', NEW, { poll })).toMatchObject(joined);
    expect(await run('wait-joined', NEW)).toMatchObject(joined);

    const oldId = cluster.byAddress(OLD[0]).id;
    await expect(run('wait-left', OLD[0])).rejects.toThrow(
      `expected the member at 10.0.1.1:7687 gone from the cluster (its process stopped); still listed in dbms.cluster.overview() as ${oldId} at 10.0.1.1:7687 ` +
      '[system: LEADER, neo4j: LEADER, orders: LEADER]; in SHOW DATABASES with system (leader, online), neo4j (leader, online), orders (leader, online)');
    cluster.stopProcess(OLD[0]);
    const left = { action: 'wait-left', serverAddress: OLD[0], serverId: '', state: 'absent', hosting: [], changed: false };
    expect(await run('wait-left', OLD[0])).toMatchObject(left);
    expect(await run('wait-left', OLD[0])).toMatchObject(left);
    // The leadership moved to a remaining core; the new member stays a follower.
    expect(await run('wait-joined', NEW)).toMatchObject({ state: 'FOLLOWER', hosting: ALL });
    expect(cluster.leaders.get('neo4j')).toBe(cluster.byAddress(OLD[1]).id);

    expect(statements.every((s) => ['CALL dbms.cluster.overview()', 'SHOW DATABASES YIELD name, address, role, requestedStatus, currentStatus, error'].includes(s.cypher))).toBe(true);
    expect(statements.every((s) => s.access === 'read')).toBe(true);
    expect(statements.filter((s) => s.cypher.startsWith('SHOW')).every((s) => s.database === 'system')).toBe(true);
    expect(statements.filter((s) => s.cypher.startsWith('CALL')).every((s) => s.database === undefined)).toBe(true);
  });

  test('another member down: wait-joined is a HealthGateError naming it, and passes once it answers again', async () => {
    const { cluster, run } = world(1);
    cluster.start({ address: NEW });
    await run('wait-joined', NEW, { poll });
    cluster.setReachable(OLD[2], false);
    const err = await run('wait-joined', NEW, { poll: { everySeconds: 1, withinSeconds: 3 } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(HealthGateError);
    expect((err as Error).message).toBe('the new member at 10.0.1.9:7687 joined, but expected every other member\'s databases at their requested status; found: ' +
      'system on 10.0.3.1:7687 unknown (requested online): emulator: member unreachable; neo4j on 10.0.3.1:7687 unknown (requested online): emulator: member unreachable; ' +
      'orders on 10.0.3.1:7687 unknown (requested online): emulator: member unreachable');
    cluster.setReachable(OLD[2], true);
    expect(await run('wait-joined', NEW)).toMatchObject({ state: 'FOLLOWER' });
  });

  test('a copy that stays starting: wait-joined polls its budget and ends StillInProgressError naming it', async () => {
    const { cluster, run, statements } = world(1);
    cluster.holdStarting(NEW, 'orders');
    cluster.start({ address: NEW });
    const held = await run('wait-joined', NEW, { poll: { everySeconds: 1, withinSeconds: 5 } }).catch((e: Error) => e);
    expect(held).toBeInstanceOf(StillInProgressError);
    expect((held as Error).message).toBe('expected the new member at 10.0.1.9:7687 running every database, each at its requested status; found: ' +
      'orders not listed in the overview; orders on 10.0.1.9:7687 starting (requested online)');
    expect(statements.length).toBeGreaterThan(6);
  });

  test('the undo: the new member stopped before it joined, wait-left in progress until then, done after', async () => {
    const { cluster, run } = world(5);
    const id = cluster.start({ address: NEW }).id;
    await expect(run('wait-left', NEW)).rejects.toThrow(`still listed in dbms.cluster.overview() as ${id} at 10.0.1.9:7687 []; in SHOW DATABASES with system (unknown, starting)`);
    cluster.stopProcess(NEW);
    expect(await run('wait-left', NEW)).toMatchObject({ state: 'absent', serverId: '' });
    await expect(run('wait-left', NEW, { replacementAddress: OLD[0] })).rejects.toThrow('replacementAddress is only for action deallocate');
  });
});
