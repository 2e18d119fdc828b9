/**
 * Fault runs on states the happy path never entered (a Choice branch this configuration does not take):
 * until its first fault fires, a fault run with the happy path's input is the happy path, so none of their
 * faults can fire. One probe execution arms all their faults at once and proves it, instead of one full
 * execution each (8 runs of 50-100 s in the example app's matrix). If any of its faults fires, the runs go
 * back to the queue and run one by one as before.
 */
import { FaultRun, FaultRunReport } from './types';
import { faultRunReport } from './report';

export interface UnenteredSplit {
  /** The one run that arms every unentered run's faults; absent when fewer than two runs qualify. */
  readonly probe?: FaultRun;
  /** The runs the probe stands for. */
  readonly members: FaultRun[];
  /** Every other run, in the matrix's order. */
  readonly rest: FaultRun[];
}

export const PROBE_NAME = 'probe-states-the-happy-path-never-entered';

/** `entered`: the states the happy path entered; undefined when it did not run or did not succeed (no probe). */
export function splitUnentered(runs: readonly FaultRun[], entered: ReadonlySet<string> | undefined): UnenteredSplit {
  const qualifies = (r: FaultRun) => entered !== undefined && r.input === undefined && r.faults.length > 0 && r.faults.every((f) => !entered.has(f.state));
  const members = runs.filter(qualifies);
  if (members.length < 2) return { members: [], rest: [...runs] };
  return {
    probe: { name: PROBE_NAME, faults: members.flatMap((r) => r.faults), expect: 'succeeded' },
    members,
    rest: runs.filter((r) => !qualifies(r)),
  };
}

/**
 * Each member's report from the probe's, or undefined when the probe does not stand for them (one of its
 * faults fired, or it did not end succeeded): then they run on their own.
 */
export function membersFromProbe(members: readonly FaultRun[], probe: FaultRunReport): FaultRunReport[] | undefined {
  if (probe.fired > 0 || probe.outcome !== 'succeeded') return undefined;
  const startedFrom = `${probe.startedFrom}; one probe execution (${PROBE_NAME}) armed with the faults of all ${members.length} runs on states the happy path never entered`;
  return members.map((m) => ({ ...faultRunReport(m, probe.execution, 0, probe.durationMs, false), startedFrom }));
}
