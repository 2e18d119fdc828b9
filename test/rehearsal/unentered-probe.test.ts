/** The staged matrix's probe: runs on states the happy path never entered share one execution. */
import { PROBE_NAME, membersFromProbe, splitUnentered } from '../../tools/rehearsal/unentered-probe';
import { ExecutionReport, FaultRun, FaultRunReport } from '../../tools/rehearsal/types';

const run = (name: string, state: string, input?: Record<string, unknown>): FaultRun =>
  ({ name, faults: [{ kind: 'handler-error', state }], expect: 'rolled-back', ...(input && { input }) });
const runs = [run('01-a', 'Entered A'), run('02-a', 'Branch X'), run('03-d', 'Branch Y', { timeouts: { approvalSeconds: 60 } }), run('04-a', 'Branch Y'), run('05-a', 'Entered B')];
const entered = new Set(['Entered A', 'Entered B']);

test('the runs whose every fault is on an unentered state, with the happy path\'s input, share one probe', () => {
  const split = splitUnentered(runs, entered);
  expect(split.members.map((r) => r.name)).toEqual(['02-a', '04-a']);
  expect(split.rest.map((r) => r.name)).toEqual(['01-a', '03-d', '05-a']);
  expect(split.probe).toEqual({ name: PROBE_NAME, faults: [runs[1].faults[0], runs[3].faults[0]], expect: 'succeeded' });
});

test('a single unentered run gets no probe: it runs as it is', () => {
  const split = splitUnentered(runs, new Set([...entered, 'Branch X']));
  expect(split).toEqual({ members: [], rest: runs });
});

test('without a succeeded happy path there is nothing to compare with: no probe', () => {
  expect(splitUnentered(runs, undefined)).toEqual({ members: [], rest: runs });
});

const execution = (outcome: ExecutionReport['outcome']) => ({
  outcome, endState: outcome === 'succeeded' ? 'Upgraded' : 'Rolled back', problems: [],
  volumes: { deleted: [] }, snapshots: { deleted: [] },
}) as unknown as ExecutionReport;
const probeReport = (fired: number, outcome: ExecutionReport['outcome']) =>
  ({ name: PROBE_NAME, fired, outcome, durationMs: 80_000, startedFrom: 'moto state snapshot', execution: execution(outcome) }) as FaultRunReport;

test('a probe none of whose faults fired stands for each run: not reached, as expected, with its execution', () => {
  const { members } = splitUnentered(runs, entered);
  const reports = membersFromProbe(members, probeReport(0, 'succeeded'))!;
  expect(reports.map((r) => ({ name: r.name, reached: r.reached, asExpected: r.asExpected, fired: r.fired, injected: r.injected, endState: r.endState })))
    .toEqual([
      { name: '02-a', reached: false, asExpected: true, fired: 0, injected: 1, endState: 'Upgraded' },
      { name: '04-a', reached: false, asExpected: true, fired: 0, injected: 1, endState: 'Upgraded' },
    ]);
  expect(reports[0].startedFrom).toContain(`one probe execution (${PROBE_NAME}) armed with the faults of all 2 runs`);
});

test('a probe one of whose faults fired, or that did not succeed, stands for nobody: the runs go on their own', () => {
  const { members } = splitUnentered(runs, entered);
  expect(membersFromProbe(members, probeReport(1, 'rolled-back'))).toBeUndefined();
  expect(membersFromProbe(members, probeReport(0, 'unsafe'))).toBeUndefined();
});
