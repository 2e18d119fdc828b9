import type { Driver } from 'neo4j-driver';
import { PreconditionFailedError } from '../shared/errors';

/** The access every user database gets: `READ ONLY` (freeze) or `READ WRITE` (thaw). */
export type DatabaseAccess = 'READ ONLY' | 'READ WRITE';

/** What one pass over every user database did. */
export interface EveryUserDatabaseResult {
  /** Every user database (all but `system`; composite databases have no access mode), sorted. */
  readonly databases: string[];
  /** Those whose access this call changed (the others already had it: nothing to do). */
  readonly changed: string[];
}

/** `SHOW DATABASES` shows `read-only` / `read-write`; ALTER DATABASE takes `READ ONLY` / `READ WRITE`. */
const SHOWN: Record<DatabaseAccess, string> = { 'READ ONLY': 'read-only', 'READ WRITE': 'read-write' };

/**
 * Sets `access` on every user database of the cluster, on the system database (where the access mode
 * lives, so it travels with every copy of the system database's store). A database that already shows
 * that access on every member is left alone, so a second run changes nothing. `WAIT` (every member has
 * applied the change before the statement returns) exists from Neo4j 5.7; 4.4 and 5.0-5.6 take the
 * statement without it (the system database has committed it; members apply it as they follow).
 * 3.5 has no system database: refused, naming the offline procedure's `writeFreeze` prop.
 */
export async function setEveryUserDatabase(driver: Driver, access: DatabaseAccess): Promise<EveryUserDatabaseResult> {
  const version = await serverVersion(driver);
  const rows = (await driver.executeQuery('SHOW DATABASES', {}, { database: 'system' })).records.map((r) => ({
    name: String(r.get('name')), access: String(r.get('access')), type: r.has('type') ? String(r.get('type')) : 'standard',
  }));
  const user = rows.filter((r) => r.name !== 'system' && r.type === 'standard');
  const databases = [...new Set(user.map((r) => r.name))].sort();
  // SHOW DATABASES has one row per member: a database any member shows otherwise is altered.
  const changed = databases.filter((name) => user.some((r) => r.name === name && r.access !== SHOWN[access]));
  const wait = supportsAlterWait(version) ? ' WAIT' : '';
  for (const name of changed) {
    await driver.executeQuery(`ALTER DATABASE \`${name.replace(/`/g, '``')}\` SET ACCESS ${access}${wait}`, {}, { database: 'system' });
  }
  return { databases, changed };
}

const PASSED_ON = ['ServiceUnavailable', 'SessionExpired', 'Neo.ClientError.Security.Unauthorized'];

async function serverVersion(driver: Driver): Promise<string> {
  const result = await driver.executeQuery('CALL dbms.components() YIELD name, versions RETURN versions[0] AS version', {}, { database: 'system' })
    .catch((err: unknown) => {
      // Unreachable or refused credentials: withDatabase names them (retryable or not).
      if (PASSED_ON.includes(String((err as { code?: unknown }).code))) throw err;
      throw new PreconditionFailedError(`the cluster has no system database to set database access on (Neo4j 3.5 has no ALTER DATABASE): run the offline upgrade with writeFreeze: false: ${(err as Error).message}`, { cause: err });
    });
  return String(result.records[0]?.get('version') ?? '');
}

/** `ALTER DATABASE ... WAIT` exists from Neo4j 5.7 (every later 5.x and the calendar versions). */
export function supportsAlterWait(version: string): boolean {
  const [major, minor] = version.split('.').map((p) => parseInt(p, 10));
  if (!Number.isFinite(major)) return false;
  return major > 5 || (major === 5 && (minor ?? 0) >= 7);
}
