import { createHash } from 'node:crypto';

/**
 * A short, name-safe form of a Step Functions execution id (ARN or name) for tag values that people
 * read, like `neo4j-data-failed-<short>`. The full id is always written in its own tag as well.
 *
 * The execution name (after the last `:`) is kept when it is at most 16 name-safe characters;
 * otherwise its first 8 name-safe characters plus 6 hex characters of a hash of the whole id.
 */
export function shortExecutionId(executionId: string): string {
  const name = executionId.slice(executionId.lastIndexOf(':') + 1);
  const safe = name.replace(/[^A-Za-z0-9-]/g, '');
  if (safe.length > 0 && safe.length <= 16 && safe === name) return safe;
  const hash = createHash('sha256').update(executionId).digest('hex').slice(0, 6);
  const prefix = safe.slice(0, 8).replace(/-+$/, '');
  return prefix ? `${prefix}-${hash}` : hash;
}
