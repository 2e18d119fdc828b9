import { isInt } from 'neo4j-driver';

/**
 * A query's records as plain JSON, the form the expected rows are written in: integers as numbers
 * (within 2^53), temporal and spatial values as their Cypher string form, nodes and relationships as
 * their properties. Keys keep the query's column order.
 */
export function plainRows(records: readonly { toObject(): Record<string, unknown> }[]): Record<string, unknown>[] {
  return records.map((r) => plain(r.toObject()) as Record<string, unknown>);
}

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isInt(value)) return (value as { toNumber(): number }).toNumber();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('properties' in v && ('labels' in v || 'type' in v)) return plain(v.properties);
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return String(v);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return value;
}

/** Where two row lists first differ, in words; undefined when they are equal. */
export function firstDifference(expected: readonly unknown[], actual: readonly unknown[]): string | undefined {
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (i >= actual.length) return `row ${i} missing: expected ${JSON.stringify(expected[i])}`;
    if (i >= expected.length) return `row ${i} unexpected: got ${JSON.stringify(actual[i])}`;
    if (canonical(expected[i]) !== canonical(actual[i])) return `row ${i}: expected ${JSON.stringify(expected[i])}, got ${JSON.stringify(actual[i])}`;
  }
  return undefined;
}

/** JSON with map keys sorted, so `{a, b}` equals `{b, a}`. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
