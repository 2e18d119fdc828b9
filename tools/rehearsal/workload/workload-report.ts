/** The client workload's part of the rehearsal report, and its summary lines. */
import type { StageReport } from '../types';
import { DRIVER_RETRY_POLICY, ReadBack, WorkloadResult } from './client-workload';
import { downtimeByStage, FailureWindow, lostWithin, Operation, StageDowntime } from './downtime';

export interface OperationTotals {
  readonly transactions: number;
  readonly committed: number;
  readonly retried: number;
  readonly lost: number;
  /** Lost with the driver's default maxTransactionRetryTime (30 s) instead of the rehearsal's. */
  readonly lostAtDriverDefault: number;
  readonly failedAttempts: number;
}

export interface ClientWorkloadReport {
  /** One writer and one reader; retries: our own loop mirroring the driver's managed transactions, this budget. */
  readonly retryPolicy: typeof DRIVER_RETRY_POLICY;
  readonly writes: OperationTotals;
  readonly reads: OperationTotals;
  readonly readBack: ReadBack;
  /** Per stage: the windows in which writes / reads failed, failed attempts, retried and lost transactions. */
  readonly byStage: StageDowntime[];
}

function totals(op: Operation, r: WorkloadResult): OperationTotals {
  const txs = r.transactions.filter((t) => t.op === op);
  return {
    transactions: txs.length,
    committed: txs.filter((t) => t.outcome === 'committed').length,
    retried: txs.filter((t) => t.attempts > 1).length,
    lost: txs.filter((t) => t.outcome === 'lost').length,
    lostAtDriverDefault: txs.filter((t) => lostWithin(t, DRIVER_RETRY_POLICY.maxTransactionRetryTimeMs)).length,
    failedAttempts: r.attempts.filter((a) => a.op === op && a.failure).length,
  };
}

export function clientWorkloadReport(r: WorkloadResult, stages: readonly StageReport[]): ClientWorkloadReport {
  return {
    retryPolicy: r.retryPolicy, writes: totals('write', r), reads: totals('read', r), readBack: r.readBack,
    byStage: downtimeByStage(r.attempts, r.transactions, stages, DRIVER_RETRY_POLICY.maxTransactionRetryTimeMs),
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const window = (w: FailureWindow) => `${w.kind.toUpperCase()} ${s(w.durationMs)} (${s(w.onWaitClocksMs)} on the waits' clocks, ${w.failedAttempts} failed)`;

export function printClientWorkload(c: ClientWorkloadReport, out: (line: string) => void): void {
  out(`  client workload: writes ${c.writes.committed}/${c.writes.transactions} committed, ${c.writes.retried} retried, ${c.writes.lost} lost after retries (${c.writes.lostAtDriverDefault} with the driver's default ${s(DRIVER_RETRY_POLICY.maxTransactionRetryTimeMs)}) `
    + `(read back: ${c.readBack.writesInStore} in the store, ${c.readBack.acknowledgedMissing.length} acknowledged missing); `
    + `reads ${c.reads.committed}/${c.reads.transactions}, ${c.reads.lost} lost; retries up to ${s(c.retryPolicy.maxTransactionRetryTimeMs)}`);
  for (const st of c.byStage) {
    const ws = st.writes.windows;
    const because = st.writes.lostBecause.length ? ` (lost because: ${[...new Set(st.writes.lostBecause.map((e) => e.slice(0, 120)))].join(' | ')})` : '';
    out(`    ${st.name.padEnd(50)} write windows: ${ws.length ? ws.map(window).join(', ') : 'none'}; `
      + `${st.writes.failedAttempts} failed attempts, ${st.writes.retriedTransactions} retried, ${st.writes.lostTransactions} lost (${st.writes.lostAtDriverDefault} at ${s(DRIVER_RETRY_POLICY.maxTransactionRetryTimeMs)}); reads: ${st.reads.windows.length} windows, ${st.reads.lostTransactions} lost${because}`);
  }
}
