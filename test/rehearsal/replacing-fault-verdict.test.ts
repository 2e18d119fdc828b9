import { AslDefinition, failurePathOf, MachineModel, TaskInfo } from '../../tools/rehearsal/definition';
import { CausalMemberCluster } from '../../tools/rehearsal/replacing/causal-member-cluster';
import { membersAtEnd } from '../../tools/rehearsal/replacing/replacing-fault-matrix';
import { leftWith, MEMBER_LISTED, ReplacingRunLook, replacingOutcomeOf, replacingRunProblems } from '../../tools/rehearsal/replacing/replacing-fault-verdict';
import { buildReplacingFaultMatrix } from '../../tools/rehearsal/replacing/replacing-faults';
import { ReplacingFigures } from '../../tools/rehearsal/replacing/replacing-verdict';

const client = { writes: { committed: 20, retried: 0, lost: 0 }, reads: { committed: 9, retried: 0, lost: 0 }, failedAttempts: { real: 0, derived: 0 }, acknowledgedMissing: 0 };
const figures = (over: Partial<ReplacingFigures> = {}): ReplacingFigures => ({
  replacements: [], order: [], minEnabledHosting: 3, maxMembers: 4, samples: 9, client, worldErrors: [],
  finalStores: [1, 2, 3].map((server) => ({ server, version: '5.26.25', markers: 100 })), ...over,
});
const members = [1, 2, 3].map((server) => ({ server, state: 'Enabled', running: true, hosting: ['neo4j'] }));
const stopped: ReplacingRunLook = {
  outcome: 'stopped', volumesDeleted: [], snapshotsDeleted: [], renamed: { old: 0, failed: 1 }, lockHeldAtEnd: false, figures: figures(), members,
};
const x = { outcome: 'stopped' as const, replaced: 'none' as const, original: [1, 2, 3], from: '5.26.25', to: '5.26.30', markers: 100 };

describe('the replacing fault verdict', () => {
  test('the outcome is read from the procedure\'s own ends', () => {
    expect(replacingOutcomeOf('FAILED', 'Replacement stopped')).toBe('stopped');
    expect(replacingOutcomeOf('FAILED', 'Replacement not undone: lock kept for an operator')).toBe('not-undone');
    expect(replacingOutcomeOf('FAILED', 'Refused before any change')).toBe('refused');
    expect(replacingOutcomeOf('FAILED', 'Preflight failed after the lock')).toBe('refused-after-lock');
    expect(replacingOutcomeOf('SUCCEEDED', 'Upgraded (result not published)')).toBe('succeeded');
    expect(replacingOutcomeOf('FAILED', 'T: the replacement failed, undone')).toBe('failed');
  });

  test('an undone replacement: the original members at the start version, the lock free, nothing lost', () => {
    expect(replacingRunProblems(stopped, x)).toEqual([]);
    expect(leftWith(stopped)).toBe('members: 1 Enabled hosting neo4j; 2 Enabled hosting neo4j; 3 Enabled hosting neo4j; lock free; volumes renamed -old 0, -failed 1');
  });

  test('each broken promise is named', () => {
    const bad: ReplacingRunLook = {
      ...stopped, outcome: 'not-undone', volumesDeleted: ['vol-1'], snapshotsDeleted: ['snap-1'], renamed: { old: 1, failed: 0 }, faultFiring: 'never fired',
      members: [...members, { server: 4, state: 'Enabled', running: true, hosting: [] }],
      figures: figures({
        minEnabledHosting: 2, maxMembers: 5, client: { ...client, writes: { ...client.writes, lost: 1 }, acknowledgedMissing: 2 }, worldErrors: ['a slot did not start'],
        replacements: [{ old: 2, new: 4, deallocatedAtMs: 5, client: { failedAttempts: 0, retried: 0, lost: 0 } }],
        finalStores: [{ server: 1, version: '5.26.30', markers: 100 }, { server: 2, version: '5.26.25', markers: 99 }],
      }),
    };
    expect(replacingRunProblems(bad, x)).toEqual([
      'ended not-undone, expected stopped',
      'volumes deleted: vol-1',
      'snapshots deleted: snap-1',
      '"not undone" released the lock; it must stay for an operator',
      'only 2 Enabled members hosted the database at one moment, never fewer than 3 allowed',
      '5 members at one moment, at most 4 allowed',
      'client: 1 transactions lost after retries, 2 acknowledged writes missing',
      'never fired',
      'original server 1 runs 5.26.30, expected 5.26.25',
      'original server 2\'s store holds 99 of 100 marker nodes',
      'original server 3 is not running at the end',
      'old servers deallocated, dropped or retired though nothing was to be replaced: 2',
      '1 volumes renamed -old though no old server was retired',
      'a slot did not start',
    ]);
    // An undone surge must not run on.
    expect(replacingRunProblems({ ...stopped, members: [...members, { server: 4, state: 'Free', running: true, hosting: [] }] }, x)).toEqual(['the undone surge still runs: server 4 (Free)']);
  });

  test('"not undone" from the deallocation on: the lock kept, the new member Enabled with the data, the servers not reached untouched', () => {
    const notUndone: ReplacingRunLook = {
      ...stopped, outcome: 'not-undone', lockHeldAtEnd: true, renamed: { old: 0, failed: 0 },
      members: [...members.map((m) => (m.server === 2 ? { ...m, state: 'Deallocating' } : m)), { server: 4, state: 'Enabled', running: true, hosting: ['neo4j'] }],
      figures: figures({
        replacements: [{ old: 2, new: 4, enabledAtMs: 1, deallocatedAtMs: 5, client: { failedAttempts: 0, retried: 0, lost: 0 } }],
        finalStores: [...figures().finalStores, { server: 4, version: '5.26.30', markers: 100 }],
      }),
    };
    const y = { ...x, outcome: 'not-undone' as const, replaced: 'first' as const };
    expect(replacingRunProblems(notUndone, y)).toEqual([]);
    expect(leftWith(notUndone)).toContain('2 Deallocating hosting neo4j; 3 Enabled hosting neo4j; 4 Enabled hosting neo4j; lock HELD');
    const noData = { ...notUndone, lockHeldAtEnd: false, members: notUndone.members.map((m) => (m.server === 4 ? { ...m, state: 'Free', hosting: [] } : m)) };
    expect(replacingRunProblems(noData, y)).toEqual(['"not undone" released the lock; it must stay for an operator', 'new member 4 is Free hosting nothing, expected Enabled hosting neo4j']);
    // Drained not yet: the old server still hosts the data, the new member's copy not made.
    const copying = { ...notUndone, figures: figures({ ...notUndone.figures, finalStores: [...figures().finalStores, { server: 4, version: '5.26.30', markers: 0 }] }) };
    expect(replacingRunProblems(copying, y)).toEqual([]);
    expect(replacingRunProblems({ ...copying, members: copying.members.map((m) => (m.server === 2 ? { ...m, hosting: [] } : m)) }, y)).toEqual(['new member 4\'s store holds 0 of 100 marker nodes']);
    // The deallocation itself failed: no old server moved, the new member Enabled with nothing yet.
    const beforeDeallocation: ReplacingRunLook = {
      ...notUndone, members: [...members, { server: 4, state: 'Enabled', running: true, hosting: [] }],
      figures: figures({
        replacements: [{ old: 1, new: 4, enabledAtMs: 1, client: { failedAttempts: 0, retried: 0, lost: 0 } }],
        finalStores: [...figures().finalStores, { server: 4, version: '5.26.30', markers: 0 }],
      }),
    };
    expect(replacingRunProblems(beforeDeallocation, y)).toEqual([]);
    expect(replacingRunProblems({ ...beforeDeallocation, members: members.concat({ server: 4, state: 'Free', running: true, hosting: [] }) }, y)).toEqual(['new member 4 is Free, expected Enabled']);
  });

  test('everything replaced: N new members at the target, every old volume renamed -old', () => {
    const replaced = [[2, 4], [3, 2], [1, 3]].map(([old, next]) => ({ old, new: next, deallocatedAtMs: 1, client: { failedAttempts: 0, retried: 0, lost: 0 } }));
    const done: ReplacingRunLook = {
      ...stopped, outcome: 'succeeded', renamed: { old: 3, failed: 0 },
      figures: figures({ replacements: replaced, finalStores: [4, 2, 3].map((server) => ({ server, version: '5.26.30', markers: 100 })) }),
    };
    const y = { ...x, outcome: 'succeeded' as const, replaced: 'all' as const };
    expect(replacingRunProblems(done, y)).toEqual([]);
    expect(replacingRunProblems({ ...done, renamed: { old: 2, failed: 0 }, figures: figures({ replacements: replaced.slice(1), finalStores: [1, 2, 3].map((server) => ({ server, version: '5.26.30', markers: 100 })) }) }, y))
      .toEqual(['old server 1 is still a member at the end', '2 old volumes renamed -old, expected 3']);
  });
});

describe('the replacing fault verdict for a 4.4 causal cluster: a member listed in the overview is a member, a left one is not listed', () => {
  const x44 = { ...x, from: '4.4.39', to: '4.4.40', family: '4.4' as const };
  const listed = (server: number, hosting = ['system', 'neo4j']) => ({ server, state: MEMBER_LISTED, running: true, hosting });
  const none = { failedAttempts: 0, retried: 0, lost: 0 };
  const stores44 = [1, 2, 3].map((server) => ({ server, version: '4.4.39', markers: 100 }));

  test('"not undone" after the old core left (wait-left failed): the new core listed with the data, the old one not listed', () => {
    const notUndone: ReplacingRunLook = {
      ...stopped, outcome: 'not-undone', lockHeldAtEnd: true, renamed: { old: 1, failed: 0 },
      members: [listed(1), listed(3), listed(4)],
      figures: figures({
        replacements: [{ old: 2, new: 4, discoveredAtMs: 1, enabledAtMs: 2, deallocatedAtMs: 5, retiredAtMs: 6, client: none }],
        finalStores: [{ server: 1, version: '4.4.39', markers: 100 }, { server: 3, version: '4.4.39', markers: 100 }, { server: 4, version: '4.4.40', markers: 100 }],
      }),
    };
    const y = { ...x44, outcome: 'not-undone' as const, replaced: 'first' as const };
    expect(replacingRunProblems(notUndone, y)).toEqual([]);
    expect(leftWith(notUndone)).toBe('members: 1 Listed hosting system+neo4j; 3 Listed hosting system+neo4j; 4 Listed hosting system+neo4j; lock HELD; volumes renamed -old 1, -failed 0');
    // The same end read as 5.x: Listed is no SHOW SERVERS state.
    expect(replacingRunProblems(notUndone, { ...y, family: undefined, from: '4.4.39', to: '4.4.40' })).toEqual(['new member 4 is Listed hosting system, neo4j, expected Enabled hosting neo4j']);
    // The new core not listed (it left too), or listed with neo4j not online.
    expect(replacingRunProblems({ ...notUndone, members: [listed(1), listed(3)] }, y)).toEqual(['new member 4 is not listed, expected Listed hosting neo4j']);
    expect(replacingRunProblems({ ...notUndone, members: [listed(1), listed(3), listed(4, ['system'])] }, y)).toEqual(['new member 4 is Listed hosting system, expected Listed hosting neo4j']);
  });

  test('"not undone" before the old core left (its slot not stopped): the new core listed, every old one untouched', () => {
    const look: ReplacingRunLook = {
      ...stopped, outcome: 'not-undone', lockHeldAtEnd: true, renamed: { old: 0, failed: 0 },
      members: [listed(1), listed(2), listed(3), listed(4)],
      figures: figures({
        replacements: [{ old: 2, new: 4, discoveredAtMs: 1, enabledAtMs: 2, client: none }],
        finalStores: [...stores44, { server: 4, version: '4.4.40', markers: 100 }],
      }),
    };
    const y = { ...x44, outcome: 'not-undone' as const, replaced: 'first' as const };
    expect(replacingRunProblems(look, y)).toEqual([]);
    expect(replacingRunProblems({ ...look, members: [listed(1), listed(2), listed(3)] }, y)).toEqual(['new member 4 is not listed, expected Listed']);
  });

  test('"Replacement stopped" before the old core went: the original cores listed at the start version; an old core that left is named', () => {
    const look: ReplacingRunLook = { ...stopped, members: [listed(1), listed(2), listed(3)], figures: figures({ finalStores: stores44 }) };
    expect(replacingRunProblems(look, x44)).toEqual([]);
    const left = { ...look, members: [listed(1), listed(3)], figures: figures({ finalStores: stores44, replacements: [{ old: 2, deallocatedAtMs: 4, client: none }] }) };
    expect(replacingRunProblems(left, x44)).toEqual(['old servers deallocated, dropped or retired though nothing was to be replaced: 2']);
    // The undone surge still listed and running.
    expect(replacingRunProblems({ ...look, members: [...look.members, listed(4, [])] }, x44)).toEqual(['the undone surge still runs: server 4 (Listed)']);
  });

  test('the members at the end: the overview\'s cores, a left one gone, hosting what is online', () => {
    const addresses = new Map([[1, '10.0.0.1:7687'], [2, '10.0.0.2:7687'], [3, '10.0.0.3:7687']]);
    const up = new Set([1, 2, 3]);
    const cluster = new CausalMemberCluster({ databases: [{ name: 'neo4j', primaries: 3, secondaries: 0 }], copyStore: () => new Promise<void>(() => undefined) });
    cluster.form(new Map(addresses));
    addresses.set(4, '10.0.0.4:7687');
    up.add(4);
    up.delete(2);
    cluster.sync({ addresses, isUp: (i) => up.has(i) });
    expect(membersAtEnd(cluster, (i) => up.has(i))).toEqual([
      listed(1), listed(3), { server: 4, state: MEMBER_LISTED, running: true, hosting: [] },
    ]);
  });
});

test('the matrix: each state failed where its Catch says, undo steps after a failure they undo, throttling, the world fault; resettable runs first', () => {
  const task = (stateName: string, handler: string, nested = false): TaskInfo => ({
    stateName, handler, functionLogicalId: handler, functionArn: handler, waitsForTaskToken: false, hasRetry: true, retriesThrottling: true, onFailurePath: false, nested,
  });
  const to = (next: string) => [{ ErrorEquals: ['States.ALL'], Next: next }];
  const iteration: AslDefinition = {
    StartAt: 'enable',
    States: {
      enable: { Type: 'Task', Next: 'deallocate', Catch: to('undo') },
      deallocate: { Type: 'Task', End: true, Catch: to('not undone') },
      undo: { Type: 'Task', Next: 'undone', Catch: to('not undone') },
      undone: { Type: 'Fail' },
      'not undone': { Type: 'Pass', Next: 'failed, not undone' },
      'failed, not undone': { Type: 'Fail' },
    },
  };
  const definition: AslDefinition = {
    StartAt: 'lock',
    States: {
      lock: { Type: 'Task', Next: 'record', Catch: to('Refused before any change') },
      record: { Type: 'Task', Next: 'Stage 1 Replace: plan', Catch: to('Preflight failed after the lock: release') },
      'Stage 1 Replace: plan': { Type: 'Task', Next: 'each', Catch: to('Replacement stopped: keep') },
      each: { Type: 'Map', ItemProcessor: iteration, Next: 'closing', Catch: to('Replacement stopped: keep') },
      closing: { Type: 'Task', Next: 'publish', Catch: to('Replacement stopped: keep') },
      publish: { Type: 'Task', Next: 'Upgraded', Catch: to('Upgraded (not published)') },
      Upgraded: { Type: 'Succeed' },
      'Upgraded (not published)': { Type: 'Succeed' },
      'Replacement stopped: keep': { Type: 'Pass', Next: 'Replacement stopped: release' },
      'Replacement stopped: release': { Type: 'Task', Next: 'Replacement stopped' },
      'Replacement stopped': { Type: 'Fail' },
      'Preflight failed after the lock: release': { Type: 'Task', Next: 'Preflight failed after the lock' },
      'Preflight failed after the lock': { Type: 'Fail' },
      'Refused before any change': { Type: 'Fail' },
    },
  };
  const failurePath = failurePathOf(definition);
  const tasks = [
    task('lock', 'upgrade-lock'), task('record', 'stack-parameters'), task('Stage 1 Replace: plan', 'server-slots'), task('enable', 'cluster-membership', true),
    task('deallocate', 'cluster-membership', true), task('undo', 'cluster-membership', true), task('closing', 'update-stack'), task('publish', 'publish-result'),
    task('Replacement stopped: release', 'upgrade-lock'), task('Preflight failed after the lock: release', 'upgrade-lock'),
  ].map((t) => ({ ...t, onFailurePath: failurePath.has(t.stateName) }));
  const order = ['lock', 'record', 'Stage 1 Replace: plan', 'each', 'closing', 'publish', 'Upgraded'];
  const runs = buildReplacingFaultMatrix({ definition, tasks, order } as unknown as MachineModel);
  expect(runs.map((r) => [r.name, r.expect, r.replaced, r.resettable, r.faults.map((f) => `${f.kind} ${f.state}`)])).toEqual([
    ['01-a-lock', 'refused', 'none', true, ['handler-error lock']],
    ['02-a-record', 'refused-after-lock', 'none', true, ['handler-error record']],
    ['03-a-s1-plan', 'stopped', 'none', true, ['handler-error Stage 1 Replace: plan']],
    ['04-a-enable', 'stopped', 'none', true, ['handler-error enable']],
    ['05-b-throttle-undo-and-failure-path', 'stopped', 'none', true,
      ['handler-error enable', 'throttle undo', 'throttle Replacement stopped: release', 'throttle Preflight failed after the lock: release']],
    ['06-w-never-joins', 'stopped', 'none', true, []],
    ['07-a-deallocate', 'not-undone', 'first', false, ['handler-error deallocate']],
    ['08-a-undo', 'not-undone', 'none', false, ['handler-error enable', 'handler-error undo']],
    ['09-a-closing', 'stopped', 'all', false, ['handler-error closing']],
    ['10-a-publish', 'succeeded', 'all', false, ['handler-error publish']],
    ['11-b-throttle-every-forward-state', 'succeeded', 'all', false,
      ['lock', 'record', 'Stage 1 Replace: plan', 'enable', 'deallocate', 'closing', 'publish'].map((s) => `throttle ${s}`)],
  ]);
  expect(runs[5].world).toBe('never-joins');
});
