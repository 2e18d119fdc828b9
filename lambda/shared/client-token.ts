import { createHash } from 'node:crypto';

/**
 * A deterministic EC2 ClientToken (at most 64 ASCII characters) from the parts that identify one
 * intended creation, e.g. (execution, region, AZ, index). The same parts give the same token, so a
 * retried call returns the resource the first call created instead of creating another.
 */
export function clientToken(...parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
