/**
 * A representative slice of the fault matrix, picked from the matrix the rehearsal builds from the
 * synthesized state machine: one run per fault kind and per region of the procedure (before the lock,
 * preflight after it, stage 1 right after the image roll (past the point of no return), a later stage, a failed stack update, a
 * rejected approval, throttling on every forward state and on the failure path). The full matrix (every
 * task state) runs in CI with `npm run rehearse -- --faults all`: at 60-odd runs it takes longer than a
 * jest file should.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FaultRun, RehearsalReport, rehearse } from '../../tools/rehearsal';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-faults-'));
let report: RehearsalReport;
let picked: FaultRun[] = [];

function slice(matrix: FaultRun[]): FaultRun[] {
  const first = (why: string, pred: (r: FaultRun) => boolean) => {
    const r = matrix.find(pred);
    if (!r) throw new Error(`the fault matrix has no run for: ${why}`);
    return r;
  };
  const a = (r: FaultRun) => r.faults.length === 1 && r.faults[0].kind === 'handler-error';
  picked = [
    first('(a) before the lock', (r) => a(r) && r.target?.beforeLock === true),
    first('(a) in preflight after the lock', (r) => a(r) && r.target?.beforeLock === false && r.target.handler === 'stack-parameters'),
    // The image roll lets a newer binary open the store: a failure right after it must restore the snapshots.
    first('(a) in stage 1 after the image roll', (r) => a(r) && r.target?.state === 'Stage 1 Roll DockerImage: health gate over Bolt'),
    first('(a) after the point of no return', (r) => a(r) && r.target?.afterPointOfNoReturn === true && r.target.handler === 'retag-volumes'),
    first('(c) a stack update rolled back', (r) => r.faults[0].kind === 'stack-rollback'),
    first('(d) the approval rejected', (r) => r.faults[0].kind === 'approval-reject'),
    first('(b) throttling on every forward state with a Retry', (r) => /throttle-every-forward-state/.test(r.name)),
    first('(b) throttling on the failure path after the point of no return', (r) => /failure-path-after-pnr/.test(r.name)),
  ];
  return picked;
}

beforeAll(async () => {
  report = await rehearse({ outDir, faults: slice, skipHappyPath: true, lockContention: false, progress: () => undefined });
}, 30 * 60_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('rehearsal fault slice', () => {
  test('every run ends as its fault kind requires: succeeded after retries, or rolled back / refused safely', () => {
    const results = report.faults?.results ?? [];
    expect(results.map((r) => r.name)).toEqual(picked.map((r) => r.name));
    for (const r of results) {
      expect({ run: r.name, reached: r.reached, asExpected: r.asExpected, survived: r.survived, problems: r.problems })
        .toEqual({ run: r.name, reached: true, asExpected: true, survived: true, problems: [] });
    }
  });

  test('nothing is lost and every lock is released', () => {
    expect(report.faults?.volumesLost).toBe(0);
    expect(report.faults?.snapshotsLost).toBe(0);
    for (const r of report.faults?.results ?? []) expect({ run: r.name, held: r.execution.lock.heldAtEnd }).toEqual({ run: r.name, held: false });
  });

  test('a rolled-back run ends with the pre-upgrade parameters', () => {
    for (const r of (report.faults?.results ?? []).filter((x) => x.outcome !== 'succeeded')) {
      expect({ run: r.name, parameters: r.execution.finalParameters }).toEqual({ run: r.name, parameters: r.execution.parametersBefore });
    }
  });

  test('a failure in stage 1 after the image roll is past the point of no return and restores the snapshots', () => {
    const run = (report.faults?.results ?? []).find((r) => r.name === picked[2].name)!;
    expect(run.execution.pastPointOfNoReturn).toBe(true);
    expect(run.outcome).toBe('rolled-back');
    expect(run.execution.restore?.snapshots).toBeGreaterThan(0);
    expect(run.execution.restore?.restoredClaimable).toBe(run.execution.restore?.snapshots);
  });

  test('past the point of no return, each pre-upgrade snapshot is back as a claimable volume', () => {
    const late = (report.faults?.results ?? []).filter((r) => r.execution.pastPointOfNoReturn && r.outcome !== 'succeeded');
    expect(late.length).toBeGreaterThan(0);
    for (const r of late) {
      expect(r.execution.restore?.missing).toEqual([]);
      expect(r.execution.restore?.restoredClaimable).toBe(r.execution.restore?.snapshots);
    }
  });

  test('the faults really fired, and the report counts them', () => {
    expect(report.faults?.injected).toBeGreaterThanOrEqual(picked.length);
    expect(report.faults?.survived).toBe(report.faults?.injected);
  });
});
