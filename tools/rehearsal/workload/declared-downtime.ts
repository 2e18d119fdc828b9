/**
 * The client's given-up transactions told apart from lost writes, for a procedure that declares downtime
 * (the offline upgrade: the cluster serves nobody from its stage 2 to its stage 6 gate, nor during a
 * rollback's restore). Pure.
 *
 * A transaction the workload gave up (outcome 'lost': its retry budget ran out, or a non-retryable error)
 * was never acknowledged: the client knows it failed. That is downtime, not a lost write. It is expected
 * when every attempt of it fell inside a window the procedure declares (reported with that window), and a
 * problem otherwise (the cluster did not serve when the procedure says it does). A LOST write is an
 * acknowledged one missing from the store (ReadBack.acknowledgedMissing), whatever the windows.
 */
import type { Attempt, Transaction } from './downtime';

/** A span of real time (ms) in which the procedure under rehearsal declares that clients fail. */
export interface DeclaredDowntime {
  readonly what: string;
  readonly from: number;
  readonly to: number;
}

export interface GivenUpTransaction {
  readonly op: Transaction['op'];
  readonly tx: number;
  readonly attempts: number;
  readonly firstAttemptAt: string;
  readonly lastAttemptAt: string;
  readonly lastError?: string;
  /** The declared window its first attempt fell in; absent: some attempt fell outside every window. */
  readonly during?: string;
}

export interface GivenUpSplit {
  readonly duringDeclaredDowntime: GivenUpTransaction[];
  readonly outsideDeclaredDowntime: GivenUpTransaction[];
}

const inside = (at: number, windows: readonly DeclaredDowntime[]) => windows.find((w) => w.from <= at && at <= w.to);

/** The given-up transactions, split by whether every attempt of each started inside a declared window. */
export function givenUpTransactions(attempts: readonly Attempt[], transactions: readonly Transaction[], windows: readonly DeclaredDowntime[]): GivenUpSplit {
  const split: GivenUpSplit = { duringDeclaredDowntime: [], outsideDeclaredDowntime: [] };
  for (const t of transactions.filter((x) => x.outcome === 'lost')) {
    const own = attempts.filter((a) => a.op === t.op && a.tx === t.tx);
    const starts = own.length ? own.map((a) => a.at) : [t.firstAttemptAt];
    const first = inside(Math.min(...starts), windows);
    const all = starts.every((at) => inside(at, windows));
    const given: GivenUpTransaction = {
      op: t.op, tx: t.tx, attempts: t.attempts, firstAttemptAt: new Date(t.firstAttemptAt).toISOString(),
      lastAttemptAt: new Date(Math.max(...starts)).toISOString(), ...(t.lastError && { lastError: t.lastError }),
      ...(first && all && { during: first.what }),
    };
    (given.during ? split.duringDeclaredDowntime : split.outsideDeclaredDowntime).push(given);
  }
  return split;
}
