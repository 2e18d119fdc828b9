/**
 * The client workload the harness runs through an upgrade: one Bolt writer and one reader against the real
 * embedded Neo4j, routed as a routing driver would (world-routing.ts). Each write is an idempotent MERGE of
 * a node with its sequence number, so the transactions lost after retries are checked at the end by
 * reading the numbers back from the (upgraded) server.
 *
 * Retries: our own loop mirroring neo4j-driver's managed transactions (session.executeWrite/executeRead,
 * TransactionExecutor): a retryable error (ServiceUnavailable, SessionExpired, transient) is retried after
 * 1 s, then x2 each time with +-20 % jitter, until maxTransactionRetryTime (default 30 s) has passed since
 * the first attempt; then the transaction is given up (outcome 'lost': never acknowledged, so downtime, not a
 * lost write; declared-downtime.ts tells them apart for a procedure that declares downtime). Our own loop so that every failed attempt is seen and
 * classed (the driver retries a failed connection without telling), each attempt being one explicit
 * transaction with the driver's own retries off.
 */
import neo4j, { Driver } from 'neo4j-driver';
import { Attempt, FailureKind, Operation, Transaction } from './downtime';

/** The label of the workload's nodes (the validator seam hides it: simulated-bolt.ts). */
export const WORKLOAD_LABEL = 'RehearsalClientWrite';

/** neo4j-driver's managed-transaction retry policy (TransactionExecutor defaults). */
export const DRIVER_RETRY_POLICY = { maxTransactionRetryTimeMs: 30_000, initialDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

/**
 * The rehearsal's client: the driver's policy with maxTransactionRetryTime raised to 5 min, because the one
 * real server plays every member, so its real restart (the store upgrade, 1-3 min on a loaded machine)
 * takes all of them down at once. The report also counts the transactions the driver's default would lose.
 */
export const REHEARSAL_RETRY_POLICY = { ...DRIVER_RETRY_POLICY, maxTransactionRetryTimeMs: 300_000 };

export interface Router {
  /** undefined: a member can serve `op`; otherwise why none can (a DERIVED failure). */
  check(op: Operation): string | undefined;
  /** Time the waits have played on their clocks so far (ms). */
  playedMs(): number;
  /** The Bolt URI of the server to send `op` to (several real servers); absent: WorkloadOptions.uri. */
  target?(op: Operation): string;
}

export interface WorkloadOptions {
  readonly uri: string;
  readonly password: string;
  readonly router: Router;
  /** Pause after each committed transaction. Default: writes 200 ms, reads 500 ms. */
  readonly pauseMs?: Readonly<Record<Operation, number>>;
  /** Default REHEARSAL_RETRY_POLICY. */
  readonly retryPolicy?: typeof DRIVER_RETRY_POLICY;
  /** Where the writes are read back from at the end (their union). Default: `uri`. */
  readonly readBackUris?: readonly string[];
}

export interface ReadBack {
  /** Sequence numbers found in the store. */
  readonly writesInStore: number;
  /** Acknowledged writes missing from the store (must be none). */
  readonly acknowledgedMissing: number[];
  /** Writes given up after retries that are nevertheless in the store (committed, the acknowledgement lost). */
  readonly lostButStored: number[];
}

export interface WorkloadResult {
  readonly retryPolicy: typeof DRIVER_RETRY_POLICY;
  readonly attempts: Attempt[];
  readonly transactions: Transaction[];
  readonly readBack: ReadBack;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ClientWorkload {
  private readonly drivers = new Map<string, Driver>();
  private readonly attempts: Attempt[] = [];
  private readonly transactions: Transaction[] = [];
  private readonly loops: Array<Promise<void>>;
  private stopping = false;
  private readonly policy: typeof DRIVER_RETRY_POLICY;

  /** Starts the writer and the reader at once. */
  constructor(private readonly options: WorkloadOptions) {
    this.policy = options.retryPolicy ?? REHEARSAL_RETRY_POLICY;
    this.loops = (['write', 'read'] as const).map((op) => this.loop(op));
  }

  /** Lets the transactions in flight finish (their retries too), then reads the writes back. */
  public async stop(): Promise<WorkloadResult> {
    this.stopping = true;
    await Promise.all(this.loops);
    try {
      return { retryPolicy: this.policy, attempts: this.attempts, transactions: this.transactions, readBack: await this.readBack() };
    } finally {
      await Promise.all([...this.drivers.values()].map((d) => d.close()));
    }
  }

  /** One driver per server (one pool each, the driver's own retries off), as a routing driver keeps per member. */
  private driver(uri: string): Driver {
    let d = this.drivers.get(uri);
    if (!d) {
      d = neo4j.driver(uri, neo4j.auth.basic('neo4j', this.options.password), {
        disableLosslessIntegers: true, maxTransactionRetryTime: 0, connectionTimeout: 2_000, connectionAcquisitionTimeout: 3_000,
      });
      this.drivers.set(uri, d);
    }
    return d;
  }

  private async loop(op: Operation): Promise<void> {
    const pause = this.options.pauseMs?.[op] ?? (op === 'write' ? 200 : 500);
    for (let tx = 1; !this.stopping; tx++) {
      await this.transaction(op, tx);
      await sleep(pause);
    }
  }

  private async transaction(op: Operation, tx: number): Promise<void> {
    const first = Date.now();
    let delay = this.policy.initialDelayMs;
    for (let attempts = 1; ; attempts++) {
      const failed = await this.attempt(op, tx);
      const lastError = failed ? this.attempts[this.attempts.length - 1].error : undefined;
      const outcome = !failed ? 'committed' : !failed.retryable || Date.now() - first >= this.policy.maxTransactionRetryTimeMs ? 'lost' : undefined;
      if (outcome) {
        this.transactions.push({ op, tx, attempts, outcome, firstAttemptAt: first, lastAttemptEndedAt: Date.now(), ...(outcome === 'lost' && { lastError }) });
        return;
      }
      await sleep(delay * (1 - this.policy.jitter + 2 * this.policy.jitter * Math.random()));
      delay *= this.policy.multiplier;
    }
  }

  /** One attempt; undefined when it committed, else whether the driver would retry it. */
  private async attempt(op: Operation, tx: number): Promise<{ retryable: boolean } | undefined> {
    const at = Date.now();
    const playedAt = this.options.router.playedMs();
    const record = (failure?: FailureKind, error?: string) => this.attempts.push({
      op, tx, at, endedAt: Date.now(), playedAt, playedEnd: this.options.router.playedMs(), ...(failure && { failure, error }),
    });
    const unroutable = this.options.router.check(op);
    if (unroutable) {
      // What a routing driver throws when its table has no member for the access mode: retryable.
      record('derived', `ServiceUnavailable (routing): ${unroutable}`);
      return { retryable: true };
    }
    const session = this.driver(this.options.router.target?.(op) ?? this.options.uri).session({ defaultAccessMode: op === 'write' ? neo4j.session.WRITE : neo4j.session.READ });
    try {
      // No transaction timeout (as a default client): a slow server is no failure, a stopped one is.
      const t = await session.beginTransaction();
      if (op === 'write') await t.run(`MERGE (w:${WORKLOAD_LABEL} {seq: $seq})`, { seq: tx });
      else await t.run(`MATCH (w:${WORKLOAD_LABEL}) RETURN count(w) AS c`);
      await t.commit();
      record();
      return undefined;
    } catch (e) {
      const err = e as Error & { code?: string };
      record('real', `${err.code ?? err.name}: ${err.message}`.slice(0, 300));
      return { retryable: neo4j.isRetryableError(err) };
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  private async readBack(): Promise<ReadBack> {
    const stored = new Set<number>();
    for (const uri of this.options.readBackUris ?? [this.options.uri]) {
      const session = this.driver(uri).session({ defaultAccessMode: neo4j.session.READ });
      try {
        const rows = await session.run(`MATCH (w:${WORKLOAD_LABEL}) RETURN w.seq AS seq`);
        for (const r of rows.records) stored.add(Number(r.get('seq')));
      } finally {
        await session.close();
      }
    }
    const writes = this.transactions.filter((t) => t.op === 'write');
    return {
      writesInStore: stored.size,
      acknowledgedMissing: writes.filter((t) => t.outcome === 'committed' && !stored.has(t.tx)).map((t) => t.tx),
      lostButStored: writes.filter((t) => t.outcome === 'lost' && stored.has(t.tx)).map((t) => t.tx),
    };
  }
}
