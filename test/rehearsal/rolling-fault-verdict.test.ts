import { failurePathOf, MachineModel, TaskInfo } from '../../tools/rehearsal/definition';
import { RollingRunLook, rollingRunProblems } from '../../tools/rehearsal/rolling/rolling-fault-verdict';
import { buildRollingFaultMatrix } from '../../tools/rehearsal/rolling/rolling-faults';
import { faultFiringProblem } from '../../tools/rehearsal/task-state-faults';
import { FaultSpec } from '../../tools/rehearsal/types';

const versions = { fromImage: 'neo4j:5.26.1-enterprise', toImage: 'neo4j:5.26.2-enterprise', fromVersion: '5.26.1', toVersion: '5.26.2' };
const rolledBack: RollingRunLook = {
  outcome: 'rolled-back', expected: ['rolled-back'], volumesDeleted: [], snapshotsDeleted: [], lockHeldAtEnd: false,
  images: { 1: versions.fromImage, 2: versions.fromImage }, versions: { 1: '5.26.1', 2: '5.26.1' }, maxDownAtOnce: 1,
  client: { lost: 0, acknowledgedMissing: 0, committedWrites: 12 }, worldErrors: [],
};

describe('the rolling fault verdict', () => {
  test('a rollback that left every server on the recorded image, the lock released and nothing lost passes', () => {
    expect(rollingRunProblems(rolledBack, versions)).toEqual([]);
    expect(rollingRunProblems({ ...rolledBack, outcome: 'succeeded', expected: ['succeeded'], images: { 1: versions.toImage }, versions: { 1: '5.26.2' } }, versions)).toEqual([]);
  });

  test('each broken promise is named', () => {
    expect(rollingRunProblems({
      ...rolledBack, outcome: 'succeeded', volumesDeleted: ['vol-1'], lockHeldAtEnd: true, images: { 1: versions.toImage, 2: versions.fromImage },
      versions: { 1: '5.26.2', 2: undefined }, maxDownAtOnce: 2, client: { lost: 1, acknowledgedMissing: 2, committedWrites: 0 }, faultFiring: 'the run\'s first fault (error in "S") never fired: its state was not reached',
      stuck: { answers: 0, released: false }, worldErrors: ['server 2 did not start'],
    }, versions)).toEqual([
      'ended succeeded, expected rolled-back',
      'volumes deleted: vol-1',
      'the lock is still held',
      `server 2's effective image is ${versions.fromImage}, expected ${versions.toImage} after a succeeded run`,
      'server 2 runs nothing (down), expected 5.26.2',
      '2 servers down at the same moment',
      'client: 1 transactions lost after retries, 2 acknowledged writes missing',
      'the client committed no write during the run',
      'the run\'s first fault (error in "S") never fired: its state was not reached',
      'no gate saw the database `starting`',
      'the server whose database stayed `starting` was never rolled back',
      'server 2 did not start',
    ]);
  });

  test('a failed rollback must keep the lock, and is not judged on images', () => {
    const failed = { ...rolledBack, outcome: 'rollback-failed' as const, expected: ['rollback-failed' as const], images: { 1: 'x' } };
    expect(rollingRunProblems(failed, versions)).toEqual(['a failed rollback released the lock; it must stay for an operator']);
    expect(rollingRunProblems({ ...failed, lockHeldAtEnd: true }, versions)).toEqual([]);
  });
});

test('the matrix: every forward task state failed and throttled, the failure path throttled after a server rolled, and the world fault', () => {
  const task = (stateName: string, handler: string, nested = false): TaskInfo => ({
    stateName, handler, functionLogicalId: handler, functionArn: handler, waitsForTaskToken: false, hasRetry: true, retriesThrottling: true, onFailurePath: false, nested,
  });
  const tasks = [
    task('lock', 'upgrade-lock'), task('plan', 'plan-server-roll'), task('update', 'update-stack', true),
    task('steady', 'ecs-services-steady', true), task('back', 'update-stack', true), task('release', 'upgrade-lock'),
  ];
  // As Neo4jRollingUpgrade's: the rollback is a Catch target AND reached through a Choice (the family refusal).
  const catchToRollback = [{ ErrorEquals: ['States.ALL'], Next: 'rollback' }];
  const definition = {
    StartAt: 'lock',
    States: {
      lock: { Type: 'Task', Next: 'plan', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refused' }] },
      plan: { Type: 'Task', Next: 'roll', Catch: catchToRollback },
      roll: { Type: 'Map', ItemProcessor: { StartAt: 'update', States: { update: { Type: 'Task', Next: 'steady' }, steady: { Type: 'Task', End: true } } }, Next: 'family', Catch: catchToRollback },
      family: { Type: 'Choice', Choices: [{ Next: 'rollback' }], Default: 'done' },
      done: { Type: 'Succeed' },
      rollback: { Type: 'Map', ItemProcessor: { StartAt: 'back', States: { back: { Type: 'Task', End: true } } }, Next: 'release' },
      release: { Type: 'Task', Next: 'Rolled back' },
      'Rolled back': { Type: 'Fail' },
      Refused: { Type: 'Fail' },
    },
  };
  const failurePath = failurePathOf(definition as never);
  expect([...failurePath].sort()).toEqual(['Refused', 'Rolled back', 'back', 'release', 'rollback']);
  // As buildModel flags them.
  const flagged = tasks.map((t) => ({ ...t, onFailurePath: failurePath.has(t.stateName) }));
  const runs = buildRollingFaultMatrix({ definition, tasks: flagged } as unknown as MachineModel);
  expect(runs.map((r) => [r.name, r.expect, r.faults.map((f) => `${f.kind} ${f.state}`)])).toEqual([
    ['01-w-rolled-server-database-stays-starting', ['rolled-back'], []],
    ['02-a-lock', ['refused'], ['handler-error lock']],
    ['03-a-plan', ['rolled-back'], ['handler-error plan']],
    ['04-a-update', ['rolled-back'], ['handler-error update']],
    ['05-a-steady', ['rolled-back'], ['handler-error steady']],
    ['06-b-throttle-every-forward-state', ['succeeded'], ['throttle lock', 'throttle plan', 'throttle update', 'throttle steady']],
    ['07-b-throttle-failure-path', ['rolled-back'], ['handler-error steady', 'throttle back', 'throttle release']],
  ]);
  expect(runs[0].world).toBe('database-stays-starting');
});

test('faultFiringProblem: the first fault must fire; a throttle-only run needs any one (its first state may call no AWS API)', () => {
  const error = { kind: 'handler-error', state: 'A' } as FaultSpec;
  const throttles = [{ kind: 'throttle', state: 'Check the size' }, { kind: 'throttle', state: 'B' }] as FaultSpec[];
  expect(faultFiringProblem([], [])).toBeUndefined();
  expect(faultFiringProblem([error], [error])).toBeUndefined();
  expect(faultFiringProblem([error], [])).toBe('the run\'s first fault (handler-error in "A") never fired: its state was not reached');
  expect(faultFiringProblem(throttles, [throttles[1]])).toBeUndefined();
  expect(faultFiringProblem(throttles, [])).toBe('none of the run\'s 2 throttles fired');
});
