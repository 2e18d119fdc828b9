/**
 * A client of the endpoint for the blue/green rehearsal: one write transaction after another through the
 * proxy, with the driver's own retries (executeWrite), counting committed, failed and retried
 * transactions and which server (by its agent, `Neo4j/<version>`) committed each one. The pool rotates
 * connections every `connectionLifetimeMs`, as a client of a switching endpoint should, so new
 * connections follow the listener.
 */
import neo4j from 'neo4j-driver';

export interface WorkloadStats {
  committed: number;
  failed: number;
  /** Attempts beyond the first, over all transactions. */
  retried: number;
  byAgent: Record<string, number>;
  /** Each commit's time and the server that took it. */
  timeline: { at: number; agent: string }[];
  errors: string[];
  /** Transactions the application tried again after the driver gave up (the seed's client-side retry). */
  appRetried: number;
}

export interface WorkloadOptions {
  readonly pauseMs: number;
  readonly connectionLifetimeMs: number;
  /** Label of the written nodes. Default Tick. */
  readonly label?: string;
  /** Try a failed transaction again (same `i`) until it commits or the workload stops, instead of counting it failed. Default false. */
  readonly retryUntilCommitted?: boolean;
}

export function startWorkload(uri: string, credentials: { username: string; password: string }, options: WorkloadOptions = { pauseMs: 20, connectionLifetimeMs: 500 }) {
  const driver = neo4j.driver(uri, neo4j.auth.basic(credentials.username, credentials.password), {
    maxConnectionLifetime: options.connectionLifetimeMs, maxTransactionRetryTime: 10_000, connectionTimeout: 2000,
    disableLosslessIntegers: true,
  });
  const stats: WorkloadStats = { committed: 0, failed: 0, retried: 0, byAgent: {}, timeline: [], errors: [], appRetried: 0 };
  const label = options.label ?? 'Tick';
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const session = driver.session();
      let attempts = 0;
      try {
        const agent = await session.executeWrite(async (tx) => {
          attempts++;
          const result = await tx.run(`CREATE (:${label} {i: $i})`, { i });
          return result.summary.server.agent ?? '';
        });
        stats.committed++;
        stats.byAgent[agent] = (stats.byAgent[agent] ?? 0) + 1;
        stats.timeline.push({ at: Date.now(), agent });
      } catch (err) {
        stats.errors.push((err as Error).message);
        if (options.retryUntilCommitted && running) {
          stats.appRetried++;
          i--; // the same transaction again
        } else {
          stats.failed++;
        }
      } finally {
        stats.retried += Math.max(0, attempts - 1);
        await session.close();
      }
      await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  })();
  return {
    stats,
    /** The first commit at or after `since` by a server whose agent matches. */
    firstCommitOn: (agent: string, since: number) => stats.timeline.find((t) => t.at >= since && t.agent.includes(agent))?.at,
    stop: async () => { running = false; await loop; await driver.close(); return stats; },
  };
}
