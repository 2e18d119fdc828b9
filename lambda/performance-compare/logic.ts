import type { Driver } from 'neo4j-driver';
import neo4j from 'neo4j-driver';
import { readBoltCredentials } from '../shared/bolt-credentials';
import { DatabaseDeps, requireBoltUri } from '../shared/database-session';
import { InvalidInputError, PerformanceRegressionError } from '../shared/errors';
import { requireArray, requireInteger, requireString, show } from '../shared/input-checks';
import type { Logger } from '../shared/log';

export interface PerformanceCompareDeps extends DatabaseDeps {
  readonly log: Logger;
  /** Milliseconds, fractional (performance.now in production). */
  readonly clock: () => number;
}

export interface PerformanceCompareInput {
  /** Blue: its own Bolt URI and the credentials secret green shares. */
  readonly cluster: { readonly boltUri: string; readonly credentialsSecretArn: string };
  readonly greenBoltUri: string;
  /** The queries to time on both (the compatibility queries). */
  readonly queries: readonly { readonly name: string; readonly cypher: string }[];
  /** Timed runs per query and colour, after one untimed warm-up run. */
  readonly runs: number;
  /** Green may take at most this many times blue's median for any query. */
  readonly maxSlowdown: number;
}

export interface QueryTiming {
  readonly query: string;
  readonly blueMedianMs: number;
  readonly greenMedianMs: number;
  /** greenMedianMs / blueMedianMs, each at least FLOOR_MS. */
  readonly ratio: number;
}

export interface PerformanceCompareOutput {
  readonly timings: QueryTiming[];
  /** The largest ratio over the queries. */
  readonly worstRatio: number;
}

/** Medians below a millisecond are mostly network and scheduling noise: they count as one. */
const FLOOR_MS = 1;

/**
 * The performance comparison before a blue/green switch: each query runs on blue and on green (one
 * untimed warm-up, then `runs` timed runs, alternating colours so that load on the machine hits both
 * alike), each in a read transaction that is rolled back. The ratio of green's median to blue's is
 * reported per query; any ratio above `maxSlowdown` is a PerformanceRegressionError naming the query.
 */
export async function logic(deps: PerformanceCompareDeps, input: PerformanceCompareInput): Promise<PerformanceCompareOutput> {
  const c = checkInput(input);
  const credentials = await readBoltCredentials(deps.secrets, c.secretArn);
  const blue = deps.connect(c.blueBoltUri, credentials);
  const green = deps.connect(c.greenBoltUri, credentials);
  try {
    const timings: QueryTiming[] = [];
    for (const q of c.queries) {
      const times: { blue: number[]; green: number[] } = { blue: [], green: [] };
      for (let run = 0; run <= c.runs; run++) {
        for (const [colour, driver] of [['blue', blue], ['green', green]] as const) {
          const ms = await timed(deps.clock, driver, q.cypher);
          if (run > 0) times[colour].push(ms);
        }
      }
      const blueMedianMs = median(times.blue);
      const greenMedianMs = median(times.green);
      timings.push({ query: q.name, blueMedianMs, greenMedianMs, ratio: round(Math.max(greenMedianMs, FLOOR_MS) / Math.max(blueMedianMs, FLOOR_MS)) });
    }
    const worstRatio = Math.max(...timings.map((t) => t.ratio));
    deps.log.info('performance compared', { timings, worstRatio, maxSlowdown: c.maxSlowdown });
    const slow = timings.find((t) => t.ratio > c.maxSlowdown);
    if (slow) {
      throw new PerformanceRegressionError(`query ${show(slow.query)} takes ${slow.ratio}x as long on green (${slow.greenMedianMs} ms) as on blue (${slow.blueMedianMs} ms), more than maxSlowdown ${c.maxSlowdown}`);
    }
    return { timings, worstRatio };
  } finally {
    await Promise.all([blue.close(), green.close()]);
  }
}

async function timed(clock: () => number, driver: Driver, cypher: string): Promise<number> {
  const session = driver.session({ defaultAccessMode: neo4j.session.READ });
  const tx = await session.beginTransaction();
  try {
    const started = clock();
    await tx.run(cypher);
    return clock() - started;
  } finally {
    if (tx.isOpen()) await tx.rollback();
    await session.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
}

const round = (n: number) => Math.round(n * 100) / 100;

function checkInput(input: PerformanceCompareInput) {
  if (typeof input !== 'object' || input === null) throw new InvalidInputError(`input must be an object, got ${show(input)}`);
  const blueBoltUri = requireBoltUri(input.cluster?.boltUri, 'cluster.boltUri');
  const greenBoltUri = requireBoltUri(input.greenBoltUri, 'greenBoltUri');
  const queries = requireArray<{ name: string; cypher: string }>(input.queries, 'queries', 1).map((q, i) => ({
    name: requireString(q?.name, `queries[${i}].name`), cypher: requireString(q?.cypher, `queries[${i}].cypher`),
  }));
  if (typeof input.maxSlowdown !== 'number' || !Number.isFinite(input.maxSlowdown) || input.maxSlowdown < 1) {
    throw new InvalidInputError(`maxSlowdown must be a number >= 1, got ${show(input.maxSlowdown)}`);
  }
  return {
    blueBoltUri, greenBoltUri, queries, maxSlowdown: input.maxSlowdown,
    secretArn: requireString(input.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn'),
    runs: requireInteger(input.runs, 'runs', 1),
  };
}
