import { DatabaseDeps, requireBoltUri, withDatabase } from '../shared/database-session';
import { InvalidInputError, WriteFreezeExceededError } from '../shared/errors';
import { optionalString, requireInteger, requireString, show } from '../shared/input-checks';
import type { Logger } from '../shared/log';
import { redactUri } from '../../validator/connect';
import { setEveryUserDatabase } from './every-user-database';

export interface WriteFreezeDeps extends DatabaseDeps {
  readonly log: Logger;
  readonly now: () => Date;
}

export type WriteFreezeAction = 'freeze' | 'thaw' | 'check';

export interface WriteFreezeInput {
  /**
   * `freeze`: blue's database read-only (clients' writes are refused from here until they reach green);
   * `thaw`: read-write again (a stop before the switch, or a switch-back);
   * `check`: fails when the freeze has lasted longer than `maxSeconds` (the bounded write window).
   */
  readonly action: WriteFreezeAction;
  /** Blue: its own Bolt URI and credentials secret. */
  readonly cluster: { readonly boltUri: string; readonly credentialsSecretArn: string };
  /** @default neo4j */
  readonly database?: string;
  /**
   * `'*'`: every user database (all but `system`, from `SHOW DATABASES`) instead of `database` (the
   * offline upgrade: freeze before the pre-upgrade snapshots, thaw on every path that runs the servers again).
   * @default - only `database`
   */
  readonly databases?: '*';
  /** check: when the freeze began (the freeze's `frozenAt`). */
  readonly frozenAt?: string;
  /** check: the longest the freeze may last. */
  readonly maxSeconds?: number;
}

export interface WriteFreezeOutput {
  readonly action: WriteFreezeAction;
  readonly database: string;
  /** freeze: when blue's writes stopped (ISO 8601); the write window runs from here. */
  readonly frozenAt?: string;
  /** check: seconds the freeze has lasted so far. */
  readonly frozenSeconds?: number;
  /** `databases: '*'`: every user database, and those this call changed (the others already had the access). */
  readonly databases?: string[];
  readonly changed?: string[];
}

const ACTIONS: readonly WriteFreezeAction[] = ['freeze', 'thaw', 'check'];
/** Neo4j database names: letters, digits, dots and dashes (quoted with backticks below). */
const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9.-]{0,62}$/;

/**
 * The write freeze of a blue/green upgrade: blue's database is set READ ONLY on the system database
 * (`ALTER DATABASE ... SET ACCESS READ ONLY WAIT`, Enterprise 5.x and later: every member at once), so
 * no write reaches blue after the copy to green has started; reads keep being served. Setting the access
 * it already has changes nothing, so each action can run twice.
 */
export async function logic(deps: WriteFreezeDeps, input: WriteFreezeInput): Promise<WriteFreezeOutput> {
  const c = checkInput(input);
  if (c.action === 'check') {
    const frozenSeconds = Math.round((deps.now().getTime() - c.frozenAtMs!) / 100) / 10;
    if (frozenSeconds > c.maxSeconds!) {
      throw new WriteFreezeExceededError(`blue's writes have been frozen for ${frozenSeconds} s, more than maxSeconds ${c.maxSeconds}: the upgrade stops before the switch and blue takes writes again`);
    }
    return { action: 'check', database: c.database, frozenSeconds };
  }
  const access = c.action === 'freeze' ? 'READ ONLY' : 'READ WRITE';
  if (c.everyUserDatabase) {
    const done = await withDatabase(deps, { boltUri: c.boltUri, secretArn: c.secretArn }, (driver) => setEveryUserDatabase(driver, access));
    deps.log.info(c.action === 'freeze' ? 'every user database frozen: writes refused' : 'every user database thawed: writes accepted',
      { ...done, boltUri: redactUri(c.boltUri) });
    return { action: c.action, database: '*', ...done, ...(c.action === 'freeze' && { frozenAt: deps.now().toISOString() }) };
  }
  await withDatabase(deps, { boltUri: c.boltUri, secretArn: c.secretArn }, (driver) =>
    driver.executeQuery(`ALTER DATABASE \`${c.database}\` SET ACCESS ${access} WAIT`, {}, { database: 'system' }));
  deps.log.info(c.action === 'freeze' ? 'blue frozen: writes refused' : 'blue thawed: writes accepted', { database: c.database, boltUri: redactUri(c.boltUri) });
  return c.action === 'freeze'
    ? { action: 'freeze', database: c.database, frozenAt: deps.now().toISOString() }
    : { action: 'thaw', database: c.database };
}

function checkInput(input: WriteFreezeInput) {
  if (typeof input !== 'object' || input === null) throw new InvalidInputError(`input must be an object, got ${show(input)}`);
  if (!ACTIONS.includes(input.action)) throw new InvalidInputError(`action must be one of ${ACTIONS.join(', ')}, got ${show(input.action)}`);
  const database = optionalString(input.database, 'database') ?? 'neo4j';
  if (!DATABASE_NAME.test(database)) throw new InvalidInputError(`database must be a Neo4j database name, got ${show(database)}`);
  if (input.databases !== undefined && input.databases !== '*') throw new InvalidInputError(`databases must be "*" (every user database), got ${show(input.databases)}`);
  if (input.databases !== undefined && input.database !== undefined) throw new InvalidInputError(`give database or databases, not both, got database ${show(input.database)} and databases ${show(input.databases)}`);
  if (input.action === 'check') {
    const frozenAt = requireString(input.frozenAt, 'frozenAt');
    const frozenAtMs = Date.parse(frozenAt);
    if (Number.isNaN(frozenAtMs)) throw new InvalidInputError(`frozenAt must be an ISO 8601 time, got ${show(frozenAt)}`);
    return { action: input.action, database, frozenAtMs, maxSeconds: requireInteger(input.maxSeconds, 'maxSeconds', 1) };
  }
  const boltUri = requireBoltUri(input.cluster?.boltUri, 'cluster.boltUri');
  return {
    action: input.action, database, boltUri, secretArn: requireString(input.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn'),
    everyUserDatabase: input.databases === '*',
  };
}
