/**
 * Abort that rolls back, in the rehearsal: while stage 4 (Back to HA) runs, right after its stack update
 * was executed, the operator asks the execution to abort (the harness writes the abort request through
 * moto's SSM, as the CLI does). The stage's next safe point (its wait for UPDATE_COMPLETE) takes the
 * procedure's own rollback path: past the point of no return, so the groups are emptied, the pre-upgrade
 * snapshots come back as the data volumes and the pre-upgrade parameters are restored; the lock is
 * released and the abort request consumed. No StopExecution anywhere.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FaultRunReport, RehearsalReport, rehearse } from '../../tools/rehearsal';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-abort-'));
const STATE = 'Stage 4 Back to HA: wait for UPDATE_COMPLETE';
let report: RehearsalReport;
let run: FaultRunReport;

beforeAll(async () => {
  report = await rehearse({
    outDir, skipHappyPath: true, lockContention: false, progress: () => undefined,
    faults: () => [{ name: 'abort-during-stage-4', faults: [{ kind: 'operator-abort', state: STATE }], expect: 'rolled-back' }],
  });
  run = report.faults!.results[0];
}, 20 * 60_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('rehearsal: abort during stage 4', () => {
  test('the abort is honoured at the stage\'s next safe point and the run ends through the rollback', () => {
    expect({ reached: run.reached, outcome: run.outcome, endState: run.endState, problems: run.problems })
      .toEqual({ reached: true, outcome: 'rolled-back', endState: 'Rolled back', problems: [] });
    expect(run.error).toMatchObject({ name: 'AbortRequestedError', message: expect.stringContaining('abort requested by "rehearsal operator"') });
    expect(run.execution.failedState).toBe(STATE);
    // Stages 1-3 completed; stage 4 had changed Mode back to HA before the abort.
    expect(run.execution.stages.filter((s) => s.status === 'succeeded').map((s) => s.seedStep)).toEqual(['000/1', '000/2', '000/3']);
    expect(run.execution.parametersAfterStage.manualMigrations).toMatchObject({ Mode: 'SINGLE', AllowUpgrade: 'true' });
  });

  test('ends with the pre-upgrade parameters, the pre-upgrade snapshots as data volumes, nothing deleted', () => {
    const e = run.execution;
    expect(e.finalParameters).toEqual(e.parametersBefore);
    expect(e.pastPointOfNoReturn).toBe(true);
    expect(e.restore).toMatchObject({ missing: [] });
    expect(e.restore!.restoredClaimable).toBe(e.restore!.snapshots);
    expect(e.volumes.deleted).toEqual([]);
    expect(e.snapshots.deleted).toEqual([]);
  });

  test('the lock is released and the abort request consumed', () => {
    expect(run.execution.lock.heldAtEnd).toBe(false);
    expect(run.execution.abortRequest).toEqual({ parameterName: expect.stringMatching(/^\/neo4j-upgrades\/Neo4jRehearsal\/[0-9a-f]{8}\/lock\/abort$/), requestedBefore: STATE, leftAtEnd: false });
  });
});
