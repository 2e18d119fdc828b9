import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readBoltCredentials } from '../shared/bolt-credentials';
import { DatabaseDeps, requireBoltUri } from '../shared/database-session';
import { InvalidInputError, PreconditionFailedError, StillInProgressError } from '../shared/errors';
import { requireString, show } from '../shared/input-checks';
import type { Logger } from '../shared/log';
import { lookOptions } from '../shared/look-until-done';
import { readJsonParameter } from '../shared/ssm-json';
import { redactUri } from '../../validator/connect';
import { MigrationInterruptedError, exportImport } from '../../validator/export-import';

export interface SeedGreenDeps extends DatabaseDeps {
  readonly ssm: SSMClient;
  readonly log: Logger;
}

export interface SeedGreenInput {
  /** Blue: its own Bolt URI (the source) and the credentials secret green shares. */
  readonly cluster: { readonly boltUri: string; readonly credentialsSecretArn: string };
  /** Green's own Bolt URI: an empty database of the new version. */
  readonly greenBoltUri: string;
  /** The seed's record lives at `<lockParameterName>/green-seed`. */
  readonly lockParameterName: string;
  readonly executionId: string;
  /** How long one invocation copies before it hands over to the next (written by the state machine). */
  readonly poll?: unknown;
}

export interface SeedGreenOutput {
  readonly nodes: number;
  readonly relationships: number;
  /** Seconds the copy took over all invocations of this execution. */
  readonly seconds: number;
  /** This invocation continued a copy an earlier invocation had started. */
  readonly resumed: boolean;
  /** False when this execution's copy had already finished (a repeat changes nothing). */
  readonly copied: boolean;
}

interface SeedRecord { readonly executionId: string; readonly nodes: number; readonly relationships: number; readonly seconds: number }

/** Copy budget of one invocation when the state machine gives none: well inside the function's 15 minutes. */
const DEFAULT_WITHIN_SECONDS = 780;

/**
 * Seeds green from blue by export/import over Bolt (validator/export-import.ts): nodes, relationships,
 * then blue's indexes and constraints, in batches whose checkpoint commits with the data on green. One
 * invocation copies for up to `poll.withinSeconds`, then StillInProgressError hands over to the next,
 * which resumes after the last committed batch. Blue must not take writes meanwhile (the procedure
 * freezes them first). Finished, the record `<lock>/green-seed` says so, and a repeat in the same
 * execution returns it without copying; green must be empty at the start (PreconditionFailedError).
 */
export async function logic(deps: SeedGreenDeps, input: SeedGreenInput): Promise<SeedGreenOutput> {
  const c = checkInput(input);
  const recordName = `${c.lockParameterName}/green-seed`;
  const done = (await readJsonParameter<SeedRecord>(deps.ssm, recordName))?.value;
  if (done?.executionId === c.executionId) {
    deps.log.info('green already seeded by this execution', { ...done });
    return { nodes: done.nodes, relationships: done.relationships, seconds: done.seconds, resumed: false, copied: false };
  }
  const credentials = await readBoltCredentials(deps.secrets, c.secretArn);
  const blue = deps.connect(c.blueBoltUri, credentials);
  const green = deps.connect(c.greenBoltUri, credentials);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), c.withinSeconds * 1000);
  try {
    const result = await exportImport(blue, green, { signal: stop.signal });
    const record: SeedRecord = { executionId: c.executionId, nodes: result.nodes, relationships: result.relationships, seconds: result.seconds };
    await deps.ssm.send(new PutParameterCommand({ Name: recordName, Type: 'String', Overwrite: true, Value: JSON.stringify(record) }));
    deps.log.info('green seeded from blue', { ...record, resumed: result.resumed, schemaStatements: result.schemaStatements.length });
    return { nodes: result.nodes, relationships: result.relationships, seconds: result.seconds, resumed: result.resumed, copied: true };
  } catch (err) {
    if (err instanceof MigrationInterruptedError) throw new StillInProgressError(`seeding green continues in the next invocation: ${err.message}`, { cause: err });
    if (/export-import needs an empty target|unfinished import from another source/.test((err as Error).message)) {
      throw new PreconditionFailedError(`green ${redactUri(c.greenBoltUri)} cannot be seeded: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
    await Promise.all([blue.close(), green.close()]);
  }
}


function checkInput(input: SeedGreenInput) {
  if (typeof input !== 'object' || input === null) throw new InvalidInputError(`input must be an object, got ${show(input)}`);
  const blueBoltUri = requireBoltUri(input.cluster?.boltUri, 'cluster.boltUri');
  const greenBoltUri = requireBoltUri(input.greenBoltUri, 'greenBoltUri');
  if (blueBoltUri === greenBoltUri) throw new InvalidInputError(`greenBoltUri must not be blue's own URI, got ${show(redactUri(greenBoltUri))} for both`);
  const lockParameterName = requireString(input.lockParameterName, 'lockParameterName');
  if (!lockParameterName.startsWith('/')) throw new InvalidInputError(`lockParameterName must be a parameter path starting with /, got ${show(lockParameterName)}`);
  return {
    blueBoltUri, greenBoltUri, lockParameterName,
    secretArn: requireString(input.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn'),
    executionId: requireString(input.executionId, 'executionId'),
    withinSeconds: Math.max(1, lookOptions(input.poll)?.withinSeconds ?? DEFAULT_WITHIN_SECONDS),
  };
}
