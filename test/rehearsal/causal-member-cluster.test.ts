import { MEMBERSHIP_STEPS } from '../../lambda/cluster-membership/membership-steps';
import { StillInProgressError } from '../../lambda/shared/errors';
import { causalMemberConnect } from '../../tools/rehearsal/replacing/causal-member-bolt';
import { CausalMemberCluster } from '../../tools/rehearsal/replacing/causal-member-cluster';
import { MemberEvent } from '../../tools/rehearsal/replacing/member-cluster';
import { replacingFigures, replacingProblems } from '../../tools/rehearsal/replacing/replacing-verdict';
import type { WorkloadResult } from '../../tools/rehearsal/workload/client-workload';

/** A 4.4 world of real-server stand-ins: addresses, liveness; store copies finish when the test says so. */
function world(neverJoins?: Set<number>) {
  const addresses = new Map([[1, '10.0.0.1:7687'], [2, '10.0.0.2:7687'], [3, '10.0.0.3:7687']]);
  const up = new Set([1, 2, 3]);
  const copies: Array<{ from: readonly number[]; to: number; database: string; done: () => void }> = [];
  const cluster = new CausalMemberCluster({
    databases: [{ name: 'neo4j', primaries: 3, secondaries: 0 }],
    copyStore: (from, to, database) => new Promise<void>((done) => { copies.push({ from, to, database, done }); }),
    ...(neverJoins && { neverJoins }),
  });
  cluster.form(new Map(addresses));
  const notes = new Set<string>();
  const connect = causalMemberConnect(cluster, {
    sync: async () => cluster.sync({ addresses, isUp: (i) => up.has(i) }),
    realUri: () => { throw new Error('no real server in this test'); },
    note: (key) => notes.add(key),
    imageOf: () => 'neo4j:4.4.40-enterprise',
  });
  const bolt = connect('neo4j://cluster:7687', { username: 'neo4j', password: 'x' });
  const step = (action: 'wait-joined' | 'wait-left', serverAddress: string) => MEMBERSHIP_STEPS[action](bolt, { serverAddress });
  const settle = () => new Promise((r) => setImmediate(r));
  return { addresses, up, copies, cluster, bolt, step, notes, settle };
}

describe('the replacing world\'s 4.4 causal cluster: the emulator\'s causal model driven by the real servers', () => {
  test('a new core is discovered once its Neo4j is up, joins once the harness copied the store; the old one leaves once its process stops', async () => {
    const w = world();
    w.addresses.set(4, '10.0.0.4:7687'); // the instance booted, its Neo4j still starting
    await expect(w.step('wait-joined', '10.0.0.4:7687')).rejects.toThrow(StillInProgressError);
    w.up.add(4);
    await expect(w.step('wait-joined', '10.0.0.4:7687')).rejects.toThrow(StillInProgressError);
    expect(w.copies.map((c) => [c.from, c.to, c.database])).toEqual([[[1, 2, 3], 4, 'system'], [[1, 2, 3], 4, 'neo4j']]);
    for (let i = 0; i < 3; i++) await expect(w.step('wait-joined', '10.0.0.4:7687')).rejects.toThrow(StillInProgressError);
    expect(w.cluster.hosting()).toEqual([1, 2, 3]);
    for (const c of w.copies) c.done();
    await w.settle();
    await w.step('wait-joined', '10.0.0.4:7687').catch(() => undefined); // the released copies come online
    const joined = await w.step('wait-joined', '10.0.0.4:7687');
    expect([joined.state, joined.changed]).toEqual(['FOLLOWER', false]);
    expect(w.cluster.hosting()).toEqual([1, 2, 3, 4]);
    expect(w.cluster.members()).toBe(4);
    // The leader (server 1, the first core) retired: its process stops, it leaves, another core leads.
    expect(w.cluster.writer()).toBe(1);
    await expect(w.step('wait-left', '10.0.0.1:7687')).rejects.toThrow(StillInProgressError);
    w.up.delete(1);
    expect((await w.step('wait-left', '10.0.0.1:7687')).state).toBe('absent');
    expect(w.cluster.writer()).toBe(2);
    w.addresses.delete(1); // the world lists the servers that run: server 1 retired
    const overview = await w.bolt.query('CALL dbms.cluster.overview()', {});
    expect(overview.map((r) => (r.addresses as string[])[0])).toEqual(['bolt://10.0.0.2:7687', 'bolt://10.0.0.3:7687', 'bolt://10.0.0.4:7687']);
    const rows = await w.bolt.query('SHOW DATABASES YIELD name, address, role', {}, 'system');
    expect(rows.filter((r) => r.name === 'neo4j').map((r) => `${r.address} ${r.role}`)).toEqual(['10.0.0.2:7687 leader', '10.0.0.3:7687 follower', '10.0.0.4:7687 follower']);
    expect(w.cluster.events.filter((e) => e.server === 1 || e.server === 4).map((e) => `${e.server} ${e.what}`)).toEqual([
      '4 discovered', '4 copy-started', '4 copy-started', '4 copy-online', '4 copy-online', '4 joined', '1 writer', '1 left',
    ]);
    expect([...w.notes].sort()).toEqual(['causal-leader', 'causal-members']);
  });

  test('a member that is not the world\'s any more (its instance terminated) leaves; a stopped new member in an undo too', async () => {
    const w = world();
    w.addresses.set(4, '10.0.0.4:7687');
    w.up.add(4);
    await w.step('wait-joined', '10.0.0.4:7687').catch(() => undefined);
    w.addresses.delete(4); // the undo stops the surge slot: its instance leaves the world
    expect((await w.step('wait-left', '10.0.0.4:7687')).state).toBe('absent');
    expect(w.cluster.events.filter((e) => e.server === 4).map((e) => e.what)).toEqual(['discovered', 'copy-started', 'copy-started', 'left']);
  });

  test('a member about to stop (retired) leaves at once: the leader steps down before the harness copies its writes', async () => {
    const w = world();
    expect(w.cluster.writer()).toBe(1);
    expect(w.cluster.stopping(1)).toBe(true);
    expect([w.cluster.writer(), w.cluster.members()]).toEqual([2, 2]);
    expect(w.cluster.stopping(1)).toBe(false); // already gone
    expect((await w.step('wait-left', '10.0.0.1:7687')).state).toBe('absent');
  });

  test('a replacement that never joins: its Neo4j runs, it is never listed, wait-joined keeps polling', async () => {
    const w = world(new Set([4]));
    w.addresses.set(4, '10.0.0.4:7687');
    w.up.add(4);
    for (let i = 0; i < 3; i++) await expect(w.step('wait-joined', '10.0.0.4:7687')).rejects.toThrow(/not listed|StillInProgress|overview/);
    expect(w.cluster.emulator.members.map((m) => m.address)).not.toContain('10.0.0.4:7687');
    expect(w.copies).toEqual([]);
  });

  test('other statements go to the real leader (none here), not to the model', async () => {
    const w = world();
    await expect(w.bolt.query('MATCH (n) RETURN count(n)', {})).rejects.toThrow(/no real server/);
    await expect(w.bolt.serverInfo()).rejects.toThrow(/no real server/);
  });
});

describe('the replacing verdict for 4.4: joined before the old one stopped, left after', () => {
  const noWorkload: WorkloadResult = {
    retryPolicy: { maxTransactionRetryTimeMs: 1, initialDelayMs: 1, multiplier: 2, jitter: 0 },
    attempts: [], transactions: [], readBack: { writesInStore: 0, acknowledgedMissing: [], lostButStored: [] },
  };
  const volume = (name: string) => ({ volumeId: name, region: 'r', availabilityZone: 'a', name, tags: {} });
  const pairs = [[2, 4], [3, 2], [1, 3]];
  const events: MemberEvent[] = pairs.flatMap(([old, next], k) => [
    { server: next, what: 'discovered' as const, at: 100 * (k + 1) },
    { server: next, what: 'copy-online' as const, at: 100 * (k + 1) + 10 },
    { server: next, what: 'joined' as const, at: 100 * (k + 1) + 20 },
    { server: old, what: 'left' as const, at: 100 * (k + 1) + 40 },
  ]);
  const inputs = {
    original: [1, 2, 3], events, retired: pairs.map(([old], k) => ({ server: old, at: 100 * (k + 1) + 30 })),
    samples: [{ at: 1, enabledHosting: 3, members: 3 }, { at: 2, enabledHosting: 4, members: 4 }], workload: noWorkload,
    finalStores: [4, 2, 3].map((server) => ({ server, version: '4.4.40', markers: 100 })), worldErrors: [], startedAt: 0, endedAt: 500,
    gatePasses: [1, 2, 3].map((k) => ({ state: 'gate', at: 100 * k + 60 })), family: '4.4' as const,
  };
  const ok = { status: 'SUCCEEDED' as const, endState: 'Upgraded', volumes: { before: 3, after: 6, renamed: ['v1-old', 'v2-old', 'v3-old'].map(volume), created: [], deleted: [] } };
  const expectation = { outcome: 'succeeded' as const, original: [1, 2, 3], order: [2, 3, 1], target: '4.4.40', markers: 100, family: '4.4' as const };

  test('each replacement: discovered, joined, the old one down (retired), left, the gate passed', () => {
    const f = replacingFigures(inputs);
    expect(f.order).toEqual([2, 3, 1]);
    expect(f.replacements.map((r) => [r.old, r.new, r.enabledAtMs, r.retiredAtMs, r.deallocatedAtMs, r.gatePassedAtMs])).toEqual([
      [2, 4, 120, 130, 140, 160], [3, 2, 220, 230, 240, 260], [1, 3, 320, 330, 340, 360],
    ]);
    expect(replacingProblems(f, ok, expectation)).toEqual([]);
  });

  test('an old core stopped before its replacement joined, or never leaving the overview, fails', () => {
    const late = replacingFigures({ ...inputs, events: events.map((e) => (e.server === 4 && e.what === 'joined' ? { ...e, at: 135 } : e)) });
    expect(replacingProblems(late, ok, expectation)).toEqual(['server 2 was stopped before its replacement 4 joined']);
    const leftFirst = replacingFigures({ ...inputs, events: events.map((e) => (e.server === 4 && e.what === 'joined' ? { ...e, at: 125 } : e.server === 2 && e.what === 'left' ? { ...e, at: 122 } : e)) });
    expect(replacingProblems(leftFirst, ok, expectation)).toEqual(['server 2 was stopped before its replacement 4 joined']);
    const stays = replacingFigures({ ...inputs, events: events.filter((e) => !(e.server === 1 && e.what === 'left')) });
    expect(replacingProblems(stays, ok, expectation)).toEqual([
      'old servers replaced in the order 2, 3, expected 2, 3, 1', 'server 1 never left the cluster overview',
    ]);
  });
});
