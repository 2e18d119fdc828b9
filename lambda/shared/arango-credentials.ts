import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PreconditionFailedError } from './errors';

/** The cluster's credentials: root user for coordinators, the JWT secret for agents and DB servers. */
export interface ArangoCredentials {
  readonly username: string;
  readonly password: string;
  readonly jwtSecret: string;
}

/** Reads `{"username","password","jwtSecret"}`; messages never contain a value. */
export async function readArangoCredentials(secrets: SecretsManagerClient, secretArn: string): Promise<ArangoCredentials> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn })).catch((err: Error) => {
    if (err.name === 'ResourceNotFoundException') throw new PreconditionFailedError(`credentials secret ${secretArn} does not exist`, { cause: err });
    throw err;
  });
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(out.SecretString ?? '') as Record<string, unknown>;
  } catch {
    throw new PreconditionFailedError(`credentials secret ${secretArn} is not a JSON object with username, password and jwtSecret`);
  }
  for (const field of ['username', 'password', 'jwtSecret']) {
    if (typeof value?.[field] !== 'string') throw new PreconditionFailedError(`credentials secret ${secretArn} has no string field ${field}`);
  }
  return value as unknown as ArangoCredentials;
}
