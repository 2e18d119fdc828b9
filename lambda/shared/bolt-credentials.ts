import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isAwsError } from './aws-error';
import { BoltCredentials } from './bolt';
import { PreconditionFailedError } from './errors';

/**
 * Reads Bolt credentials from a Secrets Manager secret whose SecretString is JSON
 * `{"username": "...", "password": "..."}`. A missing or malformed secret is a PreconditionFailedError
 * (retrying will not fix it); messages never contain the secret's value. Throttling and service errors
 * are rethrown unchanged so Step Functions Retry matches their names.
 */
export async function readBoltCredentials(secrets: SecretsManagerClient, secretArn: string): Promise<BoltCredentials> {
  let secretString: string | undefined;
  try {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    secretString = out.SecretString;
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundException')) {
      throw new PreconditionFailedError(`credentials secret ${secretArn} does not exist`, { cause: err });
    }
    if (isAwsError(err, 'InvalidRequestException') || isAwsError(err, 'DecryptionFailure')) {
      throw new PreconditionFailedError(`credentials secret ${secretArn} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
  if (secretString === undefined) {
    throw new PreconditionFailedError(`credentials secret ${secretArn} has no SecretString (binary secrets are not supported)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new PreconditionFailedError(`credentials secret ${secretArn} is not JSON; expected {"username": "...", "password": "..."}`);
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  const missing = [
    ...(typeof username === 'string' && username !== '' ? [] : ['username']),
    ...(typeof password === 'string' && password !== '' ? [] : ['password']),
  ];
  if (missing.length > 0) {
    throw new PreconditionFailedError(`credentials secret ${secretArn} lacks a non-empty string ${missing.join(' and ')}`);
  }
  return { username: username as string, password: password as string };
}
