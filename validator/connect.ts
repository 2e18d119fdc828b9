import type { Driver } from 'neo4j-driver';
import neo4j from 'neo4j-driver';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * A driver with the settings the validator relies on: lossless integers (the default: integers arrive
 * as `neo4j.Integer`, floats as `number`, so the two never mix), and a user agent naming this tool.
 */
export function connect(uri: string, credentials: Credentials, config: Record<string, unknown> = {}): Driver {
  return neo4j.driver(uri, neo4j.auth.basic(credentials.username, credentials.password), {
    userAgent: 'cdk-neo4j-ecs-upgrades-validator',
    disableLosslessIntegers: false,
    useBigInt: false,
    ...config,
  });
}

/** `{"username","password"}` (the library's secret format); `user` is accepted for `username`. */
export function parseCredentialsSecret(secretString: string | undefined, arn: string): Credentials {
  let parsed: { username?: unknown; user?: unknown; password?: unknown };
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw new Error(`secret ${arn}: SecretString is not JSON with "username" and "password"`);
  }
  const username = parsed.username ?? parsed.user;
  if (typeof username !== 'string' || typeof parsed.password !== 'string') {
    throw new Error(`secret ${arn}: expected {"username": "...", "password": "..."}`);
  }
  return { username, password: parsed.password };
}

/**
 * Credentials for one side from the environment: `NEO4J_<SIDE>_USER` / `NEO4J_<SIDE>_PASSWORD`, else
 * `NEO4J_USER` / `NEO4J_PASSWORD`; undefined when no password is set.
 */
export function credentialsFromEnv(side: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const prefix = `NEO4J_${side.toUpperCase()}_`;
  const password = env[`${prefix}PASSWORD`] ?? env.NEO4J_PASSWORD;
  if (password === undefined) return undefined;
  return { username: env[`${prefix}USER`] ?? env.NEO4J_USER ?? 'neo4j', password };
}

/** URI without user info, safe to log and to record in a snapshot. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//');
}
