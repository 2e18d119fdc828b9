import { createHash } from 'node:crypto';
import type { Driver, Session } from 'neo4j-driver';
import { DatabaseDeps, isBoltUri, withDatabase } from '../shared/database-session';
import { HealthGateError, InvalidInputError, MigrationFailedError } from '../shared/errors';
import { optionalString, requireArray, requireString } from '../shared/input-checks';
import type { Logger } from '../shared/log';

/** One Cypher statement, identified for the record of applied migrations. */
export interface CypherMigration {
  readonly id: string;
  readonly cypher: string;
}

export interface RunMigrationsDeps extends DatabaseDeps {
  readonly log: Logger;
}

export interface RunMigrationsInput {
  readonly cluster: { readonly boltUri: string; readonly credentialsSecretArn: string };
  /** Applied in this order. */
  readonly migrations: readonly CypherMigration[];
  /** The execution that applies them (recorded on each migration). */
  readonly executionId: string;
  /** @default the user's home database */
  readonly database?: string;
}

export interface RunMigrationsOutput {
  /** The migration this call applied, or null when every one was applied already. */
  readonly applied: string | null;
  /** Migrations found recorded with the same checksum (skipped). */
  readonly alreadyApplied: string[];
  /** Migrations still to apply after this call. */
  readonly remaining: number;
  /** remaining === 0, for the Choice that loops. */
  readonly done: boolean;
}

/** The label of the nodes that record applied migrations (one per id). */
export const MIGRATION_LABEL = '__Neo4jUpgradeMigration';
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function migrationChecksum(cypher: string): string {
  return createHash('sha256').update(cypher, 'utf8').digest('hex');
}

/**
 * Seed 000 step 3 as code: applies the first migration not yet recorded in the database, then records
 * it (`(:__Neo4jUpgradeMigration {id, checksum, appliedAt, executionId})`), one migration per call so
 * each gets a whole Lambda invocation; the state machine loops until `done`.
 *
 * Idempotent: a recorded migration with the same checksum is skipped; one whose text changed since it
 * was applied is a MigrationFailedError (the database no longer matches the script). The statement runs
 * in an auto-commit transaction, so schema commands and `CALL { ... } IN TRANSACTIONS` work; a failure
 * between the statement and its record re-runs the statement on retry, so write statements that can
 * repeat safely (MERGE, IF NOT EXISTS). The records live with the data, so restoring the pre-upgrade
 * snapshots also forgets them.
 */
export async function logic(deps: RunMigrationsDeps, input: RunMigrationsInput): Promise<RunMigrationsOutput> {
  const checked = checkInput(input);
  return withDatabase(deps, { boltUri: checked.boltUri, secretArn: checked.secretArn }, async (driver) => {
    const recorded = await readRecords(driver, checked.database);
    const alreadyApplied: string[] = [];
    const pending: CypherMigration[] = [];
    for (const m of checked.migrations) {
      const checksum = recorded.get(m.id);
      if (checksum === undefined) {
        pending.push(m);
      } else if (checksum !== migrationChecksum(m.cypher)) {
        throw new MigrationFailedError(
          `migration ${m.id} was applied with a different text (checksum ${checksum.slice(0, 12)}, now ` +
          `${migrationChecksum(m.cypher).slice(0, 12)}); give a changed migration a new id`);
      } else {
        alreadyApplied.push(m.id);
      }
    }
    const next = pending[0];
    if (!next) return { applied: null, alreadyApplied, remaining: 0, done: true };

    deps.log.info('applying migration', { id: next.id, checksum: migrationChecksum(next.cypher) });
    const started = Date.now();
    const counters = await apply(driver, next, checked.database);
    await record(driver, next, input.executionId, checked.database);
    deps.log.info('migration applied', { id: next.id, durationMs: Date.now() - started, counters });
    return { applied: next.id, alreadyApplied, remaining: pending.length - 1, done: pending.length === 1 };
  });
}

interface Checked {
  boltUri: string;
  secretArn: string;
  database?: string;
  migrations: CypherMigration[];
}

/** Everything is checked before the database is touched. */
export function checkInput(input: RunMigrationsInput): Checked {
  if (typeof input !== 'object' || input === null) throw new InvalidInputError(`input must be an object, got ${JSON.stringify(input)}`);
  const boltUri = requireString(input.cluster?.boltUri, 'cluster.boltUri');
  if (!isBoltUri(boltUri)) throw new InvalidInputError(`cluster.boltUri must be a bolt:// or neo4j:// URI, got ${JSON.stringify(boltUri)}`);
  const secretArn = requireString(input.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn');
  requireString(input.executionId, 'executionId');
  const seen = new Set<string>();
  const migrations = requireArray(input.migrations, 'migrations', 1).map((m, i) => {
    const id = requireString((m as CypherMigration | null)?.id, `migrations[${i}].id`);
    if (!ID_PATTERN.test(id)) {
      throw new InvalidInputError(`migrations[${i}].id must be letters, digits, '.', '_' or '-' (at most 128), got ${JSON.stringify(id)}`);
    }
    if (seen.has(id)) throw new InvalidInputError(`migrations[${i}].id ${JSON.stringify(id)} is used twice`);
    seen.add(id);
    return { id, cypher: requireString((m as CypherMigration).cypher, `migrations[${i}].cypher`) };
  });
  return { boltUri, secretArn, database: optionalString(input.database, 'database'), migrations };
}

/** Runs `fn` in a session of `database` (the home database when undefined), then closes it. */
async function inSession<T>(driver: Driver, database: string | undefined, mode: 'READ' | 'WRITE', fn: (session: Session) => Promise<T>): Promise<T> {
  const session = driver.session({ ...(database && { database }), defaultAccessMode: mode });
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

async function readRecords(driver: Driver, database: string | undefined): Promise<Map<string, string>> {
  return inSession(driver, database, 'READ', async (session) => {
    const result = await session.run(`MATCH (m:${MIGRATION_LABEL}) RETURN m.id AS id, m.checksum AS checksum`);
    return new Map(result.records.map((r) => [String(r.get('id')), String(r.get('checksum'))]));
  });
}

async function apply(driver: Driver, migration: CypherMigration, database: string | undefined): Promise<Record<string, number>> {
  try {
    const summary = await inSession(driver, database, 'WRITE', (session) => session.run(migration.cypher).summary());
    const updates = summary.counters.updates() as unknown as Record<string, number>;
    return Object.fromEntries(Object.entries(updates).filter(([, n]) => n > 0));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Neo.TransientError.')) {
      throw new HealthGateError(`migration ${migration.id} met a transient database error (${code}): ${(err as Error).message}`, { cause: err });
    }
    if (typeof code === 'string' && code.startsWith('Neo.')) {
      throw new MigrationFailedError(`migration ${migration.id} failed (${code}): ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}

async function record(driver: Driver, migration: CypherMigration, executionId: string, database: string | undefined): Promise<void> {
  await inSession(driver, database, 'WRITE', (session) => session.run(
    `MERGE (m:${MIGRATION_LABEL} {id: $id}) SET m.checksum = $checksum, m.executionId = $executionId, m.appliedAt = datetime()`,
    { id: migration.id, checksum: migrationChecksum(migration.cypher), executionId },
  ));
}
