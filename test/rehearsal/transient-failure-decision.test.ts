/**
 * A transient failure that outlasts its retries, with `onTransientFailure: ASK_OPERATOR`, in the rehearsal
 * (the example app built with context transientFailure=ask-operator; real handlers, moto, real Neo4j):
 * - in preflight after the lock (the snapshot wait fails transiently 7 times: the first call and its 6
 *   retries), the operator approves: the preflight runs again from the parameter record, reusing the
 *   snapshots it had taken, and the upgrade completes;
 * - in stage 1 before the image roll (the stack update step), the operator rejects: the rollback runs and
 *   the execution fails with the original error, the stack as it was and the lock released.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FaultRunReport, RehearsalReport, rehearse } from '../../tools/rehearsal';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-decision-'));
const SNAPSHOT_WAIT = 'Preflight: wait for the pre-upgrade snapshots';
const STAGE_1_UPDATE = 'Stage 1 Roll DockerImage: update the stack parameters';
let report: RehearsalReport;
let approved: FaultRunReport;
let rejected: FaultRunReport;

type LogLine = { state: string; event: string; attempt: number; output?: any; input?: any };

/** Each execution's handler invocations (one log file per execution): the state, the event and its output. */
function handlerLogs(): LogLine[][] {
  const dir = path.join(outDir, 'logs');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.handlers.jsonl'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

beforeAll(async () => {
  report = await rehearse({
    outDir, skipHappyPath: true, lockContention: false, progress: () => undefined,
    context: { transientFailure: 'ask-operator' },
    faults: () => [
      { name: 'outlast-retries-preflight-approved', faults: [{ kind: 'outlast-retries', state: SNAPSHOT_WAIT }], expect: 'succeeded' },
      {
        name: 'outlast-retries-stage-1-rejected',
        faults: [{ kind: 'outlast-retries', state: STAGE_1_UPDATE }, { kind: 'approval-reject', state: 'Stage failure: wait for an operator to retry or roll back' }],
        expect: 'rolled-back',
      },
    ],
  });
  [approved, rejected] = report.faults!.results;
}, 20 * 60_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('rehearsal: a transient failure beyond its retries waits for an operator', () => {
  test('approved in preflight: the preflight runs again from the parameter record and the upgrade completes', () => {
    expect({ reached: approved.reached, outcome: approved.outcome, problems: approved.problems })
      .toEqual({ reached: true, outcome: 'succeeded', problems: [] });
    expect(approved.execution.stages.map((s) => s.status)).toEqual(Array(8).fill('succeeded'));
    expect(approved.execution.lock.heldAtEnd).toBe(false);
    const ASK = 'Preflight: wait for an operator to retry or roll back';
    const runs = handlerLogs().filter((log) => log.some((l) => l.state === ASK));
    expect(runs).toHaveLength(1);
    const log = runs[0];
    const asked = log.filter((l) => l.state === ASK && l.event === 'output');
    expect(asked).toHaveLength(1);
    expect(asked[0].output).toMatchObject({ stage: 'retry-preflight', published: true });
    // Run again from the record: the record read again (nothing changed before the point of no return), the
    // snapshots taken before the failure found and reused, not taken twice.
    const outputs = (state: string) => log.filter((l) => l.state === state && l.event === 'output').map((l) => l.output);
    expect(outputs('Preflight: record the pre-upgrade parameters')).toHaveLength(2);
    const [first, again] = outputs('Preflight: snapshot every data volume');
    expect(first.snapshots.length).toBeGreaterThan(0);
    expect(first.snapshots.every((x: any) => !x.reused)).toBe(true);
    expect(again.snapshots.every((x: any) => x.reused)).toBe(true);
    expect(again.snapshots.map((x: any) => x.snapshotId).sort()).toEqual(first.snapshots.map((x: any) => x.snapshotId).sort());
  });

  test('rejected in stage 1 before the image roll: rolled back with the original error, nothing changed, lock released', () => {
    expect({ reached: rejected.reached, asExpected: rejected.asExpected, problems: rejected.problems })
      .toEqual({ reached: true, asExpected: true, problems: [] });
    expect(rejected.endState).toBe('Rolled back');
    expect(rejected.error?.name).toBe('TransientAwsError');
    expect(rejected.execution.pastPointOfNoReturn).toBe(false);
    expect(rejected.execution.finalParameters).toEqual(rejected.execution.parametersBefore);
    expect(rejected.execution.lock.heldAtEnd).toBe(false);
    expect(rejected.execution.volumes.deleted).toEqual([]);
    expect(rejected.execution.snapshots.deleted).toEqual([]);
  });
});
