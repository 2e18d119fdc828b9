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
const rolledBack: ReplacingRunLook = {
  outcome: 'rolled-back', volumesDeleted: [], snapshotsDeleted: [], renamed: { old: 0, failed: 1 }, lockHeldAtEnd: false, figures: figures(), members,
};
const x = { outcome: 'rolled-back' as const, replaced: 'none' as const, original: [1, 2, 3], from: '5.26.25', to: '5.26.30', markers: 100 };

describe('the replacing fault verdict', () => {
  test('the outcome is read from the procedure\'s own ends', () => {
    expect(replacingOutcomeOf('FAILED', 'Rolled back')).toBe('rolled-back');
    expect(replacingOutcomeOf('FAILED', 'Rolled back (result not published)')).toBe('rolled-back');
    expect(replacingOutcomeOf('FAILED', 'Rollback failed: lock kept for an operator')).toBe('rollback-failed');
    expect(replacingOutcomeOf('FAILED', 'Replacement stopped')).toBe('failed'); // no such end any more
    expect(replacingOutcomeOf('FAILED', 'Replacement not undone: lock kept for an operator')).toBe('not-undone');
    expect(replacingOutcomeOf('FAILED', 'Refused before any change')).toBe('refused');
    expect(replacingOutcomeOf('FAILED', 'Preflight failed after the lock')).toBe('refused-after-lock');
    expect(replacingOutcomeOf('SUCCEEDED', 'Upgraded (result not published)')).toBe('succeeded');
    expect(replacingOutcomeOf('FAILED', 'T: the replacement failed, undone')).toBe('failed');
  });

  test('an undone replacement: the original members at the start version, the lock free, nothing lost', () => {
    expect(replacingRunProblems(rolledBack, x)).toEqual([]);
    expect(leftWith(rolledBack)).toBe('members: 1 Enabled hosting neo4j; 2 Enabled hosting neo4j; 3 Enabled hosting neo4j; lock free; volumes renamed -old 0, -failed 1');
  });

  test('each broken promise is named', () => {
    const bad: ReplacingRunLook = {
      ...rolledBack, outcome: 'not-undone', volumesDeleted: ['vol-1'], snapshotsDeleted: ['snap-1'], renamed: { old: 1, failed: 0 }, faultFiring: 'never fired',
      members: [...members, { server: 4, state: 'Enabled', running: true, hosting: [] }],
      figures: figures({
        minEnabledHosting: 2, maxMembers: 5, client: { ...client, writes: { ...client.writes, lost: 1 }, acknowledgedMissing: 2 }, worldErrors: ['a slot did not start'],
        replacements: [{ old: 2, new: 4, deallocatedAtMs: 5, client: { failedAttempts: 0, retried: 0, lost: 0 } }],
        finalStores: [{ server: 1, version: '5.26.30', markers: 100 }, { server: 2, version: '5.26.25', markers: 99 }],
      }),
    };
    expect(replacingRunProblems(bad, x)).toEqual([
      'ended not-undone, expected rolled-back',
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
    expect(replacingRunProblems({ ...rolledBack, members: [...members, { server: 4, state: 'Free', running: true, hosting: [] }] }, x)).toEqual(['the undone surge still runs: server 4 (Free)']);
  });

  test('"not undone" from the deallocation on: the lock kept, the new member Enabled with the data, the servers not reached untouched', () => {
    const notUndone: ReplacingRunLook = {
      ...rolledBack, outcome: 'not-undone', lockHeldAtEnd: true, renamed: { old: 0, failed: 0 },
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
      ...rolledBack, outcome: 'succeeded', renamed: { old: 3, failed: 0 },
      figures: figures({ replacements: replaced, finalStores: [4, 2, 3].map((server) => ({ server, version: '5.26.30', markers: 100 })) }),
    };
    const y = { ...x, outcome: 'succeeded' as const, replaced: 'all' as const };
    expect(replacingRunProblems(done, y)).toEqual([]);
    expect(replacingRunProblems({ ...done, renamed: { old: 2, failed: 0 }, figures: figures({ replacements: replaced.slice(1), finalStores: [1, 2, 3].map((server) => ({ server, version: '5.26.30', markers: 100 })) }) }, y))
      .toEqual(['old server 1 is still a member at the end', '2 old volumes renamed -old, expected 3']);
  });

  test('rolled back after the first server was replaced: N members at the start version (new slots), none at the target, 2 volumes -old, the lock free', () => {
    // Server 2 replaced by slot 4 forward, slot 4 replaced back by a new member in slot 2.
    const back: ReplacingRunLook = {
      ...rolledBack, renamed: { old: 2, failed: 0 },
      members: [1, 2, 3].map((server) => ({ server, state: 'Enabled', running: true, hosting: ['neo4j'] })),
      figures: figures({ replacements: [{ old: 2, new: 4, enabledAtMs: 1, deallocatedAtMs: 5, retiredAtMs: 9, client: { failedAttempts: 0, retried: 0, lost: 0 } }] }),
    };
    const y = { ...x, outcome: 'rolled-back' as const, replaced: 'first' as const };
    expect(replacingRunProblems(back, y)).toEqual([]);
    // The member in slot 4 never replaced back: it runs the target; only the old one's volume renamed -old; 4 members.
    const notBack: ReplacingRunLook = {
      ...back, renamed: { old: 1, failed: 0 }, members: [...back.members, { server: 4, state: 'Enabled', running: true, hosting: ['neo4j'] }],
      figures: figures({ ...back.figures, finalStores: [...back.figures.finalStores, { server: 4, version: '5.26.30', markers: 100 }] }),
    };
    expect(replacingRunProblems(notBack, y)).toEqual([
      '4 members at the end, expected 3',
      'member 4 runs 5.26.30, expected 5.26.25',
      '1 volumes renamed -old, expected 2 (1 replaced forward, each then replaced back)',
    ]);
    // Replaced back but not serving, or without the data; the lock left held.
    const lame: ReplacingRunLook = {
      ...back, lockHeldAtEnd: true, members: back.members.map((m) => (m.server === 2 ? { ...m, state: 'Free', hosting: [] } : m)),
      figures: figures({ ...back.figures, finalStores: back.figures.finalStores.map((f) => (f.server === 2 ? { ...f, markers: 0 } : f)) }),
    };
    expect(replacingRunProblems(lame, y)).toEqual(['the lock is still held', 'member 2\'s store holds 0 of 100 marker nodes', 'member 2 is Free hosting nothing, expected Enabled hosting neo4j']);
    // Nothing replaced forward is expected elsewhere: the same end read as 'none' names the renamed volumes.
    expect(replacingRunProblems(back, x)).toEqual(['old servers deallocated, dropped or retired though nothing was to be replaced: 2', '2 volumes renamed -old though no old server was retired']);
  });

  test('rolled back after the Map: every server replaced forward then back, 2 x N volumes -old', () => {
    const back: ReplacingRunLook = { ...rolledBack, renamed: { old: 6, failed: 0 }, members: [2, 3, 4].map((server) => ({ server, state: 'Enabled', running: true, hosting: ['neo4j'] })),
      figures: figures({ finalStores: [2, 3, 4].map((server) => ({ server, version: '5.26.25', markers: 100 })) }) };
    const y = { ...x, outcome: 'rolled-back' as const, replaced: 'all' as const };
    expect(replacingRunProblems(back, y)).toEqual([]);
    expect(replacingRunProblems({ ...back, renamed: { old: 3, failed: 0 } }, y)).toEqual(['3 volumes renamed -old, expected 6 (3 replaced forward, each then replaced back)']);
  });

  test('the rollback failed: the lock kept, the members reported, not judged', () => {
    const failed: ReplacingRunLook = {
      ...rolledBack, outcome: 'rollback-failed', lockHeldAtEnd: true, renamed: { old: 1, failed: 0 },
      members: [...members, { server: 4, state: 'Enabled', running: true, hosting: ['neo4j'] }],
      figures: figures({ finalStores: [...figures().finalStores, { server: 4, version: '5.26.30', markers: 100 }] }),
    };
    const y = { ...x, outcome: 'rollback-failed' as const, replaced: 'first' as const };
    expect(replacingRunProblems(failed, y)).toEqual([]);
    expect(leftWith(failed)).toContain('4 Enabled hosting neo4j; lock HELD');
    expect(replacingRunProblems({ ...failed, lockHeldAtEnd: false }, y)).toEqual(['"rollback failed" released the lock; it must stay for an operator']);
    // Expected to roll back, the rollback failed: both named.
    expect(replacingRunProblems(failed, { ...y, outcome: 'rolled-back' })).toEqual([
      'ended rollback-failed, expected rolled-back', '4 members at the end, expected 3', 'member 4 runs 5.26.30, expected 5.26.25',
      '1 volumes renamed -old, expected 2 (1 replaced forward, each then replaced back)',
    ]);
  });
});

describe('the replacing fault verdict for a 4.4 causal cluster: a member listed in the overview is a member, a left one is not listed', () => {
  const x44 = { ...x, from: '4.4.39', to: '4.4.40', family: '4.4' as const };
  const listed = (server: number, hosting = ['system', 'neo4j']) => ({ server, state: MEMBER_LISTED, running: true, hosting });
  const none = { failedAttempts: 0, retried: 0, lost: 0 };
  const stores44 = [1, 2, 3].map((server) => ({ server, version: '4.4.39', markers: 100 }));

  test('"not undone" after the old core left (wait-left failed): the new core listed with the data, the old one not listed', () => {
    const notUndone: ReplacingRunLook = {
      ...rolledBack, outcome: 'not-undone', lockHeldAtEnd: true, renamed: { old: 1, failed: 0 },
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
      ...rolledBack, outcome: 'not-undone', lockHeldAtEnd: true, renamed: { old: 0, failed: 0 },
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

  test('rolled back with nothing replaced forward (undone before the old core went): the original cores listed at the start version; an old core that left is named', () => {
    const look: ReplacingRunLook = { ...rolledBack, members: [listed(1), listed(2), listed(3)], figures: figures({ finalStores: stores44 }) };
    expect(replacingRunProblems(look, x44)).toEqual([]);
    const left = { ...look, members: [listed(1), listed(3)], figures: figures({ finalStores: stores44, replacements: [{ old: 2, deallocatedAtMs: 4, client: none }] }) };
    expect(replacingRunProblems(left, x44)).toEqual(['old servers deallocated, dropped or retired though nothing was to be replaced: 2']);
    // The undone surge still listed and running.
    expect(replacingRunProblems({ ...look, members: [...look.members, listed(4, [])] }, x44)).toEqual(['the undone surge still runs: server 4 (Listed)']);
  });

  test('rolled back after the first core was replaced: the cores listed with neo4j online at the start version, 2 volumes -old', () => {
    const look: ReplacingRunLook = {
      ...rolledBack, renamed: { old: 2, failed: 0 }, members: [listed(1), listed(2), listed(3)],
      figures: figures({ finalStores: stores44, replacements: [{ old: 2, new: 4, discoveredAtMs: 1, enabledAtMs: 2, deallocatedAtMs: 5, retiredAtMs: 6, client: none }] }),
    };
    const y = { ...x44, outcome: 'rolled-back' as const, replaced: 'first' as const };
    expect(replacingRunProblems(look, y)).toEqual([]);
    // Read as 5.x: Listed is no SHOW SERVERS state.
    expect(replacingRunProblems(look, { ...y, family: undefined })).toEqual([1, 2, 3].map((s) => `member ${s} is Listed hosting system, neo4j, expected Enabled hosting neo4j`));
    expect(replacingRunProblems({ ...look, members: [listed(1), listed(2, ['system']), listed(3)] }, y)).toEqual(['member 2 is Listed hosting system, expected Listed hosting neo4j']);
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

test('the matrix: each state failed where its Catch says, undo and finish steps after a failure that reaches them, the rollback pass, throttling, the world fault; resettable runs first', () => {
  const task = (stateName: string, handler: string, nested = false): TaskInfo => ({
    stateName, handler, functionLogicalId: handler, functionArn: handler, waitsForTaskToken: false, hasRetry: true, retriesThrottling: true, onFailurePath: false, nested,
  });
  const to = (next: string) => [{ ErrorEquals: ['States.ALL'], Next: next }];
  const iteration: AslDefinition = {
    StartAt: 'enable',
    States: {
      enable: { Type: 'Task', Next: 'deallocate', Catch: to('undo, keep') },
      deallocate: { Type: 'Task', Next: 'retire', Catch: to('finish, keep') },
      retire: { Type: 'Task', End: true, Catch: to('finish, keep') },
      'undo, keep': { Type: 'Pass', Next: 'undo' },
      undo: { Type: 'Task', Next: 'T: the replacement failed, undone', Catch: to('T: replacement not undone') },
      'T: the replacement failed, undone': { Type: 'Fail' },
      'finish, keep': { Type: 'Pass', Next: 'finish, deallocate' },
      'finish, deallocate': { Type: 'Task', Next: 'finish, retire', Catch: to('T: replacement not undone') },
      'finish, retire': { Type: 'Task', Next: 'T: the replacement failed, old member retired', Catch: to('T: replacement not undone') },
      'T: the replacement failed, old member retired': { Type: 'Fail' },
      'T: replacement not undone': { Type: 'Pass', Next: 'T: the replacement failed, not undone' },
      'T: the replacement failed, not undone': { Type: 'Fail' },
    },
  };
  const B = 'Rollback: servers back: ';
  const back: AslDefinition = {
    StartAt: `${B}enable`,
    States: {
      [`${B}enable`]: { Type: 'Task', Next: `${B}deallocate`, Catch: to(`${B}undo`) },
      [`${B}deallocate`]: { Type: 'Task', End: true, Catch: to(`${B}replacement not undone`) },
      [`${B}undo`]: { Type: 'Task', Next: `${B}the replacement failed, undone` },
      [`${B}the replacement failed, undone`]: { Type: 'Fail' },
      [`${B}replacement not undone`]: { Type: 'Pass', Next: `${B}the replacement failed, not undone` },
      [`${B}the replacement failed, not undone`]: { Type: 'Fail' },
    },
  };
  const rollBack = to('Rollback: keep the original error');
  const rollbackFailed = to('Rollback failed: lock kept for an operator');
  const definition: AslDefinition = {
    StartAt: 'lock',
    States: {
      lock: { Type: 'Task', Next: 'record', Catch: to('Refused before any change') },
      record: { Type: 'Task', Next: 'Stage 1 Replace: plan', Catch: to('Preflight failed after the lock: release') },
      'Stage 1 Replace: plan': { Type: 'Task', Next: 'each', Catch: rollBack },
      each: { Type: 'Map', ItemProcessor: iteration, Next: 'closing', Catch: rollBack },
      closing: { Type: 'Task', Next: 'publish', Catch: rollBack },
      publish: { Type: 'Task', Next: 'Upgraded', Catch: to('Upgraded (not published)') },
      Upgraded: { Type: 'Succeed' },
      'Upgraded (not published)': { Type: 'Succeed' },
      'Rollback: keep the original error': { Type: 'Pass', Next: 'Rollback: undone?' },
      'Rollback: undone?': { Type: 'Choice', Choices: [{ Next: 'Replacement not undone: lock kept for an operator' }], Default: `${B}plan` },
      'Replacement not undone: lock kept for an operator': { Type: 'Fail' },
      [`${B}plan`]: { Type: 'Task', Next: `${B}one replacement at a time`, Catch: rollbackFailed },
      [`${B}one replacement at a time`]: { Type: 'Map', ItemProcessor: back, Next: 'Rollback: release the lock', Catch: rollbackFailed },
      'Rollback: release the lock': { Type: 'Task', Next: 'Rollback: publish the failure', Catch: rollbackFailed },
      'Rollback: publish the failure': { Type: 'Task', Next: 'Rolled back', Catch: to('Rolled back (result not published)') },
      'Rolled back': { Type: 'Fail' },
      'Rolled back (result not published)': { Type: 'Fail' },
      'Rollback failed: lock kept for an operator': { Type: 'Fail' },
      'Preflight failed after the lock: release': { Type: 'Task', Next: 'Preflight failed after the lock' },
      'Preflight failed after the lock': { Type: 'Fail' },
      'Refused before any change': { Type: 'Fail' },
    },
  };
  const failurePath = failurePathOf(definition);
  const tasks = [
    task('lock', 'upgrade-lock'), task('record', 'stack-parameters'), task('Stage 1 Replace: plan', 'server-slots'), task('enable', 'cluster-membership', true),
    task('deallocate', 'cluster-membership', true), task('retire', 'server-slots', true), task('undo', 'cluster-membership', true),
    task('finish, deallocate', 'cluster-membership', true), task('finish, retire', 'server-slots', true), task('closing', 'update-stack'), task('publish', 'publish-result'),
    task(`${B}plan`, 'server-slots'), task(`${B}enable`, 'cluster-membership', true), task(`${B}deallocate`, 'cluster-membership', true), task(`${B}undo`, 'cluster-membership', true),
    task('Rollback: release the lock', 'upgrade-lock'), task('Rollback: publish the failure', 'publish-result'), task('Preflight failed after the lock: release', 'upgrade-lock'),
  ].map((t) => ({ ...t, onFailurePath: failurePath.has(t.stateName) }));
  const order = ['lock', 'record', 'Stage 1 Replace: plan', 'each', 'closing', 'publish', 'Upgraded'];
  const runs = buildReplacingFaultMatrix({ definition, tasks, order } as unknown as MachineModel);
  const error = (s: string) => `handler-error ${s}`;
  expect(runs.map((r) => [r.name, r.expect, r.replaced, r.resettable, r.faults.map((f) => `${f.kind} ${f.state}`)])).toEqual([
    ['01-a-lock', 'refused', 'none', true, [error('lock')]],
    ['02-a-record', 'refused-after-lock', 'none', true, [error('record')]],
    ['03-a-s1-plan', 'rolled-back', 'none', true, [error('Stage 1 Replace: plan')]],
    ['04-a-enable', 'rolled-back', 'none', true, [error('enable')]],
    ['05-b-throttle-undo-and-failure-path', 'rolled-back', 'none', true,
      [error('enable'), ...['undo', 'finish, deallocate', 'finish, retire', `${B}plan`, `${B}enable`, `${B}deallocate`, `${B}undo`, 'Rollback: release the lock',
        'Rollback: publish the failure', 'Preflight failed after the lock: release'].map((s) => `throttle ${s}`)]],
    ['06-w-never-joins', 'rolled-back', 'none', true, []],
    ['07-a-undo', 'not-undone', 'none', false, [error('enable'), error('undo')]],
    ['08-a-finish-deallocate', 'not-undone', 'first', false, [error('deallocate'), error('finish, deallocate')]],
    ['09-a-finish-retire', 'not-undone', 'first', false, [error('deallocate'), error('finish, retire')]],
    ['10-a-closing', 'rolled-back', 'all', false, [error('closing')]],
    ['11-a-publish', 'succeeded', 'all', false, [error('publish')]],
    ['12-a-deallocate', 'rolled-back', 'first', false, [error('deallocate')]],
    ['13-a-retire', 'rolled-back', 'first', false, [error('retire')]],
    ['14-b-throttle-every-forward-state', 'succeeded', 'all', false,
      ['lock', 'record', 'Stage 1 Replace: plan', 'enable', 'deallocate', 'retire', 'closing', 'publish'].map((s) => `throttle ${s}`)],
    ['15-a-rb-plan', 'rollback-failed', 'first', false, [error('deallocate'), error(`${B}plan`)]],
    ['16-a-rb-enable', 'rollback-failed', 'first', false, [error('deallocate'), error(`${B}enable`)]],
    ['17-a-rb-deallocate', 'rollback-failed', 'first', false, [error('deallocate'), error(`${B}deallocate`)]],
    ['18-a-Rollback-release-the-lock', 'rollback-failed', 'first', false, [error('deallocate'), error('Rollback: release the lock')]],
    // The lock released before it: a failed publish ends rolled back ("Rolled back (result not published)").
    ['19-a-Rollback-publish-the-failure', 'rolled-back', 'first', false, [error('deallocate'), error('Rollback: publish the failure')]],
    ['20-b-throttle-finish-and-rollback', 'rolled-back', 'first', false,
      [error('deallocate'), ...['finish, deallocate', 'finish, retire', `${B}plan`, `${B}enable`, `${B}deallocate`, `${B}undo`, 'Rollback: release the lock',
        'Rollback: publish the failure', 'Preflight failed after the lock: release'].map((s) => `throttle ${s}`)]],
  ]);
  expect(runs[5].world).toBe('never-joins');
  // Two forward Maps: which one replaces is not known.
  expect(() => buildReplacingFaultMatrix({ definition: { ...definition, States: { ...definition.States, closing: { Type: 'Map', ItemProcessor: iteration, Next: 'publish' } } }, tasks, order } as unknown as MachineModel))
    .toThrow('expected one forward Map and at most one rollback Map (one replacement at a time) in the definition, found 2 and 1');
});
