import { MEMBERSHIP_STEPS } from '../../lambda/cluster-membership/membership-steps';
import { StillInProgressError } from '../../lambda/shared/errors';
import { memberConnect, showDatabases } from '../../tools/rehearsal/replacing/member-bolt';
import { MemberCluster, MemberEvent } from '../../tools/rehearsal/replacing/member-cluster';
import { slotDesiredCountParameter, slotRuns } from '../../tools/rehearsal/replacing/replacing-world';
import { ReplacingFigures, replacingFigures, replacingProblems } from '../../tools/rehearsal/replacing/replacing-verdict';
import type { WorkloadResult } from '../../tools/rehearsal/workload/client-workload';

/** A world of real-server stand-ins: addresses, liveness; store copies finish when the test says so. */
function world(neverJoins?: Set<number>) {
  const addresses = new Map([[1, '10.0.0.1:7687'], [2, '10.0.0.2:7687'], [3, '10.0.0.3:7687']]);
  const up = new Set([1, 2, 3]);
  const copies: Array<{ from: readonly number[]; to: number; done: () => void }> = [];
  const cluster = new MemberCluster({
    databases: [{ name: 'neo4j', primaries: 3, secondaries: 0 }],
    copyStore: (from, to) => new Promise<void>((done) => { copies.push({ from, to, done }); }),
    ...(neverJoins && { neverJoins }),
  });
  cluster.form(new Map(addresses));
  const connect = memberConnect(cluster, {
    sync: async () => cluster.sync({ addresses, isUp: (i) => up.has(i) }),
    realUri: () => { throw new Error('no real server in this test'); },
    note: () => undefined,
  });
  const bolt = connect('neo4j://cluster:7687', { username: 'neo4j', password: 'x' });
  const step = (action: keyof typeof MEMBERSHIP_STEPS, serverAddress: string, replacementAddress?: string) =>
    MEMBERSHIP_STEPS[action](bolt, { serverAddress, ...(replacementAddress && { replacementAddress }) });
  return { addresses, up, copies, cluster, bolt, step };
}

describe('the replacing world\'s cluster: the emulator driven by the real servers', () => {
  test('a new member is discovered once its Neo4j is up; its copy stays starting until the harness copied the store; the old one vanishes once dropped and stopped', async () => {
    const w = world();
    w.addresses.set(4, '10.0.0.4:7687'); // the instance booted, its Neo4j still starting
    await expect(w.step('enable-server', '10.0.0.4:7687')).rejects.toThrow(StillInProgressError);
    w.up.add(4);
    expect((await w.step('enable-server', '10.0.0.4:7687')).changed).toBe(true);
    await w.step('wait-hosting', '10.0.0.4:7687');
    await w.step('deallocate', '10.0.0.1:7687', '10.0.0.4:7687');
    expect(w.copies.map((c) => [c.from, c.to])).toEqual([]); // copies start at the next look
    await expect(w.step('wait-drained', '10.0.0.1:7687')).rejects.toThrow(StillInProgressError);
    expect(w.copies.map((c) => [c.from, c.to])).toEqual([[[1, 2, 3], 4]]);
    for (let i = 0; i < 3; i++) await expect(w.step('wait-drained', '10.0.0.1:7687')).rejects.toThrow(/starting|hosts/);
    expect(w.cluster.enabledHosting()).toEqual([1, 2, 3]); // the old copy kept until the new one is online
    w.copies[0].done();
    await new Promise((r) => setImmediate(r));
    await w.step('wait-drained', '10.0.0.1:7687').catch(() => undefined); // the released copy comes online
    expect((await w.step('wait-drained', '10.0.0.1:7687')).state).toBe('Deallocated');
    expect(w.cluster.enabledHosting()).toEqual([2, 3, 4]);
    expect(w.cluster.writer()).toBe(2);
    expect((await w.step('drop-server', '10.0.0.1:7687')).changed).toBe(true);
    w.up.delete(1);
    expect((await w.bolt.query('SHOW SERVERS YIELD address', {}, 'system')).map((r) => r.address)).toEqual(['10.0.0.2:7687', '10.0.0.3:7687', '10.0.0.4:7687']);
    const rows = showDatabases(w.cluster, 'name, address, writer, lastCommittedTxn').filter((r) => r.name === 'neo4j');
    expect(rows.filter((r) => r.writer === true).map((r) => r.address)).toEqual(['10.0.0.2:7687']);
    expect(rows.every((r) => r.lastCommittedTxn === 0)).toBe(true);
    expect(w.cluster.events.filter((e) => e.server === 1 || e.server === 4).map((e) => `${e.server} ${e.what}`)).toEqual([
      '1 writer', '4 discovered', '4 enabled', '1 deallocated', '4 copy-started', '4 copy-online', '1 drained', '1 dropped', '1 vanished',
    ]);
  });

  test('a server whose instance left the world (retired: no address any more) has no process: Dropped, it vanishes', async () => {
    const w = world();
    w.addresses.set(4, '10.0.0.4:7687');
    w.up.add(4);
    await w.step('enable-server', '10.0.0.4:7687');
    await w.step('deallocate', '10.0.0.1:7687', '10.0.0.4:7687');
    await w.step('wait-drained', '10.0.0.1:7687').catch(() => undefined);
    w.copies[0].done();
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 3; i++) await w.step('wait-drained', '10.0.0.1:7687').catch(() => undefined);
    await w.step('drop-server', '10.0.0.1:7687');
    w.addresses.delete(1); // the world lists the servers that run: server 1 retired
    w.up.delete(1);
    expect((await w.bolt.query('SHOW SERVERS YIELD address', {}, 'system')).map((r) => r.address)).toEqual(['10.0.0.2:7687', '10.0.0.3:7687', '10.0.0.4:7687']);
    expect(w.cluster.events.filter((e) => e.server === 1).map((e) => e.what)).toContain('vanished');
  });

  test('a slot runs unless its desired-count parameter is 0', () => {
    expect(slotDesiredCountParameter('GraphDockerImage', 4)).toBe('GraphServer4DesiredCount');
    expect([slotRuns({ Server4DesiredCount: '0' }, 'DockerImage', 4), slotRuns({ Server4DesiredCount: '1' }, 'DockerImage', 4), slotRuns({}, 'DockerImage', 4)]).toEqual([false, true, true]);
  });

  test('a replacement that never joins: its Neo4j runs, it is never listed, enable-server keeps polling', async () => {
    const w = world(new Set([4]));
    w.addresses.set(4, '10.0.0.4:7687');
    w.up.add(4);
    for (let i = 0; i < 3; i++) await expect(w.step('enable-server', '10.0.0.4:7687')).rejects.toThrow(StillInProgressError);
    expect(w.cluster.emulator.servers.map((s) => s.address)).not.toContain('10.0.0.4:7687');
  });
});

const noWorkload: WorkloadResult = {
  retryPolicy: { maxTransactionRetryTimeMs: 1, initialDelayMs: 1, multiplier: 2, jitter: 0 },
  attempts: [], transactions: [{ op: 'write', tx: 1, attempts: 2, outcome: 'committed', firstAttemptAt: 150, lastAttemptEndedAt: 160 }],
  readBack: { writesInStore: 1, acknowledgedMissing: [], lostButStored: [] },
};
const volume = (name: string) => ({ volumeId: name, region: 'r', availabilityZone: 'a', name, tags: {} });

describe('the replacing verdict', () => {
  // Servers 2, 3, 1 replaced by 4, 2, 3 (slots rotate through the spare), 100 ms apart.
  const pairs = [[2, 4], [3, 2], [1, 3]];
  const steps: Array<[MemberEvent['what'], 'new' | 'old']> = [
    ['discovered', 'new'], ['enabled', 'new'], ['copy-online', 'new'], ['deallocated', 'old'], ['drained', 'old'], ['dropped', 'old'],
  ];
  const events: MemberEvent[] = pairs.flatMap(([old, next], k) => steps.map(([what, who], j) => ({ server: who === 'new' ? next : old, what, at: 100 * (k + 1) + j * 10 })));
  const inputs = {
    original: [1, 2, 3], events, retired: pairs.map(([old], k) => ({ server: old, at: 100 * (k + 1) + 70 })),
    samples: [{ at: 1, enabledHosting: 3, members: 3 }, { at: 2, enabledHosting: 4, members: 4 }], workload: noWorkload,
    finalStores: [4, 2, 3].map((server) => ({ server, version: '5.26.30', markers: 100 })), worldErrors: [], startedAt: 0, endedAt: 500,
  };
  const ok = { status: 'SUCCEEDED' as const, endState: 'Upgraded', volumes: { before: 3, after: 6, renamed: ['v1-old', 'v2-old', 'v3-old'].map(volume), created: [], deleted: [] } };
  const expectation = { outcome: 'succeeded' as const, original: [1, 2, 3], order: [2, 3, 1], target: '5.26.30', markers: 100 };

  test('each replacement: its timeline and the client meanwhile', () => {
    const f = replacingFigures(inputs);
    expect(f.order).toEqual([2, 3, 1]);
    expect(f.replacements[0]).toEqual({
      old: 2, new: 4, discoveredAtMs: 100, enabledAtMs: 110, copyOnlineAtMs: 120, deallocatedAtMs: 130, drainedAtMs: 140, droppedAtMs: 150, retiredAtMs: 170,
      client: { failedAttempts: 0, retried: 1, lost: 0 },
    });
    expect(f.replacements.map((r) => [r.old, r.new, r.enabledAtMs, r.retiredAtMs])).toEqual([[2, 4, 110, 170], [3, 2, 210, 270], [1, 3, 310, 370]]);
    expect([f.minEnabledHosting, f.maxMembers]).toEqual([3, 4]);
    expect(replacingProblems(f, ok, expectation)).toEqual([]);
  });

  test('the rules: order, never below N, one extra at most, volumes retained, stores at the target, replaced after joining', () => {
    const f = replacingFigures(inputs);
    const bad: ReplacingFigures = { ...f, minEnabledHosting: 2, maxMembers: 5, finalStores: [...f.finalStores.slice(0, 2), { server: 3, version: '5.26.25', markers: 7 }] };
    expect(replacingProblems(bad, { ...ok, volumes: { ...ok.volumes, renamed: ok.volumes.renamed.slice(1), deleted: [volume('v1')] } }, { ...expectation, order: [1, 2, 3] })).toEqual([
      'only 2 enabled members hosted the database at one moment, never fewer than 3 allowed',
      '5 members ran at one moment, at most 4 (one extra) allowed',
      'data volumes deleted: v1',
      'old servers replaced in the order 2, 3, 1, expected 1, 2, 3',
      '2 old data volumes renamed -old, expected 3 (every old volume retained)',
      'server 3 runs 5.26.25, not 5.26.30',
      'server 3\'s store holds 7 of 100 marker nodes',
    ]);
    const early = replacingFigures({ ...inputs, events: inputs.events.map((e) => (e.server === 4 && e.what === 'enabled' ? { ...e, at: 135 } : e)) });
    expect(replacingProblems(early, ok, expectation)).toEqual(['server 2 was deallocated before its replacement 4 was enabled']);
  });

  test('never joins: a rollback with nothing old touched and the surge volume kept -failed', () => {
    // As the procedure ends it: the failing replacement undone, nothing to replace back ("Rolled back"), the surge's volume made during the run.
    const rolledBack = { status: 'FAILED' as const, endState: 'Rolled back', volumes: { before: 3, after: 4, renamed: [], created: [volume('v4-failed')], deleted: [] } };
    const f = replacingFigures({ ...inputs, events: [], retired: [], finalStores: [1, 2, 3].map((server) => ({ server, version: '5.26.25', markers: 100 })) });
    const x = { ...expectation, outcome: 'rolled-back' as const };
    expect(replacingProblems(f, rolledBack, x)).toEqual([]);
    // The end that no longer exists is no rollback.
    expect(replacingProblems(f, { ...rolledBack, endState: 'Replacement stopped' }, x)[0]).toMatch(/^the execution ended failed at "Replacement stopped" \(expected rolled-back\)/);
    const retired = replacingFigures({ ...inputs, events: [{ server: 2, what: 'deallocated' as const, at: 5 }], retired: [{ server: 2, at: 9 }], finalStores: f.finalStores });
    expect(replacingProblems(retired, { ...rolledBack, volumes: { ...rolledBack.volumes, created: [volume('v4')] } }, x)).toEqual([
      'old servers deallocated, dropped or retired in a rollback before the new member joined: 2',
      'the surge volume was not kept renamed -failed',
    ]);
  });
});
