/**
 * The client workload's attempts turned into what the report gives per stage: the windows in which an
 * operation failed (start, end, duration, REAL or DERIVED), failed attempts, retried transactions and
 * transactions lost after retries. Pure: unit-tested on made-up attempts.
 */
import type { StageReport } from '../types';

export type Operation = 'write' | 'read';

/**
 * real: the real embedded Neo4j refused or could not be reached (it was really stopped or restarted).
 * derived: the harness's world said no member could serve it (one embedded Neo4j plays several servers),
 * so the client, routing as a routing driver would, had nowhere to send it.
 */
export type FailureKind = 'real' | 'derived';

export interface Attempt {
  readonly op: Operation;
  /** The transaction (writes: its sequence number). */
  readonly tx: number;
  /** Real time (ms) the attempt started and ended. */
  readonly at: number;
  readonly endedAt: number;
  readonly failure?: FailureKind;
  readonly error?: string;
  /** Time the execution's waits had played on their clocks by `at` / `endedAt` (ms; wait-episodes.ts). */
  readonly playedAt: number;
  readonly playedEnd: number;
}

export interface Transaction {
  readonly op: Operation;
  readonly tx: number;
  readonly attempts: number;
  /** committed: acknowledged; lost: given up, never acknowledged (a non-retryable error, or the retry budget ran out). */
  readonly outcome: 'committed' | 'lost';
  readonly firstAttemptAt: number;
  readonly lastAttemptEndedAt: number;
  /** Why a lost transaction was given up (e.g. a transaction the server's shutdown terminated is not retryable). */
  readonly lastError?: string;
}

export interface FailureWindow {
  readonly op: Operation;
  readonly kind: FailureKind;
  /** The stage key the window started in, or OUTSIDE_STAGES. */
  readonly stage: string;
  readonly start: string;
  readonly end: string;
  /** Real time from the first failed attempt's start to the next successful attempt's end. */
  readonly durationMs: number;
  /**
   * The last failed attempt's start: the outage ended between it and `end` (the retries back off, 1 s
   * doubling, so the client's window can outlast the outage by up to the last pause).
   */
  readonly lastFailure: string;
  /** The same span with the time the waits played inside it (their sleeps and Retry intervals). */
  readonly onWaitClocksMs: number;
  readonly failedAttempts: number;
  /** The first failed attempt's error. */
  readonly reason: string;
  /** Still failing when the workload stopped. */
  readonly openAtEnd?: boolean;
}

export interface OperationFigures {
  readonly windows: FailureWindow[];
  readonly failedAttempts: number;
  /** Transactions that needed more than one attempt. */
  readonly retriedTransactions: number;
  readonly lostTransactions: number;
  /** Committed after retrying longer than the driver's default maxTransactionRetryTime: lost with it. */
  readonly lostAtDriverDefault: number;
  /** The last error of each lost transaction. */
  readonly lostBecause: string[];
}

export interface StageDowntime {
  readonly stage: string;
  readonly name: string;
  readonly writes: OperationFigures;
  readonly reads: OperationFigures;
}

export const OUTSIDE_STAGES = 'outside-stages';

/** Whether `t` is lost with a retry budget of `budgetMs` (it was, or it retried longer than that). */
export function lostWithin(t: Transaction, budgetMs: number): boolean {
  return t.outcome === 'lost' || t.lastAttemptEndedAt - t.firstAttemptAt > budgetMs;
}

/** Windows of consecutive failed attempts of one kind; a successful attempt ends the open one. */
export function failureWindows(attempts: readonly Attempt[], stageOf: (at: number) => string): FailureWindow[] {
  const out: FailureWindow[] = [];
  let open: { first: Attempt; last: Attempt; n: number } | undefined;
  const close = (endAt: number, playedEnd: number, openAtEnd: boolean) => {
    if (!open) return;
    const { first, n } = open;
    out.push({
      op: first.op, kind: first.failure as FailureKind, stage: stageOf(first.at),
      start: new Date(first.at).toISOString(), end: new Date(endAt).toISOString(), lastFailure: new Date(open.last.at).toISOString(),
      durationMs: endAt - first.at, onWaitClocksMs: endAt - first.at + playedEnd - first.playedAt,
      failedAttempts: n, reason: first.error ?? '', ...(openAtEnd && { openAtEnd }),
    });
    open = undefined;
  };
  for (const a of [...attempts].sort((x, y) => x.at - y.at)) {
    if (!a.failure) {
      close(a.endedAt, a.playedEnd, false);
      continue;
    }
    if (open && open.first.failure !== a.failure) close(a.at, a.playedAt, false);
    if (open) {
      open.n++;
      open.last = a;
    } else {
      open = { first: a, last: a, n: 1 };
    }
  }
  if (open) close(open.last.endedAt, open.last.playedEnd, true);
  return out;
}

/** The stage running at real time `at` (its key), or OUTSIDE_STAGES (preflight, between stages, after the last). */
export function stageAt(stages: readonly StageReport[]): (at: number) => string {
  return (at) => stages.find((s) => s.startedAt && Date.parse(s.startedAt) <= at && at <= (s.endedAt ? Date.parse(s.endedAt) : Infinity))?.key ?? OUTSIDE_STAGES;
}

function figures(driverRetryMs: number, op: Operation, attempts: readonly Attempt[], transactions: readonly Transaction[], windows: readonly FailureWindow[], stage: string, stageOf: (at: number) => string): OperationFigures {
  const txs = transactions.filter((t) => t.op === op && stageOf(t.firstAttemptAt) === stage);
  return {
    windows: windows.filter((w) => w.op === op && w.stage === stage),
    failedAttempts: attempts.filter((a) => a.op === op && a.failure && stageOf(a.at) === stage).length,
    retriedTransactions: txs.filter((t) => t.attempts > 1).length,
    lostTransactions: txs.filter((t) => t.outcome === 'lost').length,
    lostAtDriverDefault: txs.filter((t) => lostWithin(t, driverRetryMs)).length,
    lostBecause: txs.filter((t) => t.outcome === 'lost').map((t) => t.lastError ?? ''),
  };
}

/** Per stage (and, when anything happened there, outside the stages): windows and counts of writes and reads. */
export function downtimeByStage(
  attempts: readonly Attempt[], transactions: readonly Transaction[], stages: readonly StageReport[], driverRetryMs: number,
): StageDowntime[] {
  const stageOf = stageAt(stages);
  const windows = [...failureWindows(attempts.filter((a) => a.op === 'write'), stageOf), ...failureWindows(attempts.filter((a) => a.op === 'read'), stageOf)];
  const rows = [...stages.map((s) => ({ key: s.key, name: `${s.seedStep} ${s.name}` })), { key: OUTSIDE_STAGES, name: 'preflight, between stages and after the last' }];
  return rows.map(({ key, name }) => ({
    stage: key, name,
    writes: figures(driverRetryMs, 'write', attempts, transactions, windows, key, stageOf),
    reads: figures(driverRetryMs, 'read', attempts, transactions, windows, key, stageOf),
  })).filter((row) => row.stage !== OUTSIDE_STAGES || row.writes.failedAttempts + row.reads.failedAttempts + row.writes.retriedTransactions + row.reads.retriedTransactions > 0);
}
