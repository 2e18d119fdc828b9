import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Driver } from 'neo4j-driver';
import type { Credentials } from '../../validator/connect';
import { redactUri } from '../../validator/connect';
import { readBoltCredentials } from './bolt-credentials';
import { HealthGateError, InvalidInputError, PreconditionFailedError } from './errors';
import { requireString, show } from './input-checks';

/** What a handler needs to open a full neo4j-driver session on the cluster (validator, migrations). */
export interface DatabaseDeps {
  readonly secrets: SecretsManagerClient;
  readonly connect: (uri: string, credentials: Credentials) => Driver;
}

/** Where the database is and which secret holds its credentials. */
export interface DatabaseTarget {
  readonly boltUri: string;
  readonly secretArn: string;
}

/** Accepts `bolt://`, `neo4j://` and their `+s` / `+ssc` TLS variants. */
export function isBoltUri(uri: string): boolean {
  return /^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(uri);
}

/** The Bolt URI at `field` of a handler's input; InvalidInputError naming the field (the URI's password redacted) otherwise. */
export function requireBoltUri(value: unknown, field: string): string {
  const uri = requireString(value, field);
  if (!isBoltUri(uri)) throw new InvalidInputError(`${field} must be a bolt:// or neo4j:// URI, got ${show(redactUri(uri))}`);
  return uri;
}

/**
 * Connects, runs `fn`, closes. An unreachable database is a HealthGateError (retryable: the state
 * machine tries again); rejected credentials are a PreconditionFailedError (a retry cannot fix them).
 */
export async function withDatabase<T>(deps: DatabaseDeps, target: DatabaseTarget, fn: (driver: Driver) => Promise<T>): Promise<T> {
  const credentials = await readBoltCredentials(deps.secrets, target.secretArn);
  const driver = deps.connect(target.boltUri, credentials);
  try {
    return await fn(driver);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ServiceUnavailable' || code === 'SessionExpired') {
      throw new HealthGateError(`database at ${redactUri(target.boltUri)} is unavailable: ${(err as Error).message}`, { cause: err });
    }
    if (code === 'Neo.ClientError.Security.Unauthorized') {
      throw new PreconditionFailedError(`the credentials in ${target.secretArn} are not accepted by ${redactUri(target.boltUri)}`, { cause: err });
    }
    throw err;
  } finally {
    await driver.close();
  }
}
