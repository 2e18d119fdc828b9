import type { Driver, Notification } from 'neo4j-driver';
import neo4j from 'neo4j-driver';
import { DatabaseDeps, requireBoltUri, withDatabase } from '../shared/database-session';
import { CompatibilityMismatchError, InvalidInputError } from '../shared/errors';
import { optionalString, requireArray, requireString, show } from '../shared/input-checks';
import type { Logger } from '../shared/log';
import { redactUri } from '../../validator/connect';
import { firstDifference, plainRows } from './rows';

/** One of the user's compatibility queries: Cypher and the rows it must return on the new version. */
export interface CompatibilityQuery {
  readonly name: string;
  readonly cypher: string;
  readonly expectedRows: readonly Record<string, unknown>[];
}

export interface CompatibilityCheckDeps extends DatabaseDeps {
  readonly log: Logger;
}

export interface CompatibilityCheckInput {
  /** The cluster's credentials secret (green is blue's copy: the same users). */
  readonly cluster: { readonly credentialsSecretArn: string };
  /** Green's own Bolt URI (not the client endpoint: clients are still on blue). */
  readonly greenBoltUri: string;
  readonly queries: readonly CompatibilityQuery[];
  /** @default the user's home database */
  readonly database?: string;
}

/** A notification the server returned for a query: deprecations, removals ahead, performance hints. */
export interface QueryNotification {
  readonly query: string;
  readonly code: string;
  readonly title: string;
  readonly description: string;
  /** DEPRECATION, PERFORMANCE, UNRECOGNIZED, ... */
  readonly category: string;
  readonly severity: string;
}

export interface CompatibilityCheckOutput {
  /** Every query returned its expected rows. */
  readonly passed: number;
  readonly notifications: QueryNotification[];
  /** The notifications that announce deprecated (to be removed) features. */
  readonly deprecations: number;
}

/**
 * Runs the user's compatibility queries against green before any traffic moves, each in a read
 * transaction that is rolled back (they prove answers, they must not change green). A query that errors
 * or returns other rows than expected is a CompatibilityMismatchError naming the query and the first
 * difference; the notifications the server returned (deprecations above all) are logged and returned.
 */
export async function logic(deps: CompatibilityCheckDeps, input: CompatibilityCheckInput): Promise<CompatibilityCheckOutput> {
  const checked = checkInput(input);
  return withDatabase(deps, { boltUri: checked.greenBoltUri, secretArn: checked.secretArn }, async (driver) => {
    const notifications: QueryNotification[] = [];
    for (const q of checked.queries) {
      const { rows, notes } = await runRolledBack(driver, q, checked.database);
      notifications.push(...notes);
      const difference = firstDifference(q.expectedRows, rows);
      if (difference !== undefined) {
        deps.log.error('compatibility query differs on green', { query: q.name, difference, notifications: notes });
        throw new CompatibilityMismatchError(
          `compatibility query ${show(q.name)} on green ${redactUri(checked.greenBoltUri)}: ${difference}` + noteSuffix(notes));
      }
      deps.log.info('compatibility query passed', { query: q.name, rows: rows.length, notifications: notes });
    }
    const deprecations = notifications.filter(isDeprecation).length;
    if (deprecations > 0) deps.log.warn('green reports deprecated Cypher in the compatibility queries', { notifications: notifications.filter(isDeprecation) });
    return { passed: checked.queries.length, notifications, deprecations };
  });
}

async function runRolledBack(driver: Driver, q: CompatibilityQuery, database: string | undefined) {
  const session = driver.session({ ...(database !== undefined && { database }), defaultAccessMode: neo4j.session.READ });
  const tx = await session.beginTransaction();
  try {
    const result = await tx.run(q.cypher);
    return { rows: plainRows(result.records), notes: result.summary.notifications.map((n) => noteOf(q.name, n)) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ServiceUnavailable' || code === 'SessionExpired') throw err;
    throw new CompatibilityMismatchError(`compatibility query ${show(q.name)} failed on green: ${(err as Error).message}`, { cause: err });
  } finally {
    if (tx.isOpen()) await tx.rollback();
    await session.close();
  }
}

function noteOf(query: string, n: Notification): QueryNotification {
  return { query, code: n.code, title: n.title, description: n.description, category: n.rawCategory ?? String(n.category ?? ''), severity: n.rawSeverityLevel ?? '' };
}

function isDeprecation(n: QueryNotification): boolean {
  return n.category === 'DEPRECATION' || /deprecat/i.test(n.code);
}

function noteSuffix(notes: readonly QueryNotification[]): string {
  return notes.length === 0 ? '' : `; server notifications: ${show(notes.map((n) => `${n.code}: ${n.description}`))}`;
}

function checkInput(input: CompatibilityCheckInput) {
  const secretArn = requireString(input?.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn');
  const greenBoltUri = requireBoltUri(input.greenBoltUri, 'greenBoltUri');
  const queries = requireArray<CompatibilityQuery>(input.queries, 'queries', 1).map((q, i) => {
    const name = requireString(q?.name, `queries[${i}].name`);
    requireString(q.cypher, `queries[${i}].cypher`);
    const expected = q.expectedRows;
    if (!Array.isArray(expected) || expected.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
      throw new InvalidInputError(`queries[${i}].expectedRows (${name}) must be an array of row objects, got ${show(expected)}`);
    }
    return q;
  });
  const names = queries.map((q) => q.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new InvalidInputError(`queries names ${show(twice)} twice`);
  return { secretArn, greenBoltUri, queries, database: optionalString(input.database, 'database') };
}
