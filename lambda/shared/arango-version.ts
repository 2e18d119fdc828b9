import { InvalidInputError } from './errors';
import { show } from './input-checks';

/** An ArangoDB version: major.minor.patch (a suffix like `-1` or `.rc1` is kept out of the comparison). */
export interface ArangoVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

export function parseArangoVersion(value: unknown, field: string): ArangoVersion {
  const m = typeof value === 'string' ? /^v?(\d+)\.(\d+)\.(\d+)(?:[-.+][0-9A-Za-z.-]*)?$/.exec(value) : null;
  if (!m) throw new InvalidInputError(`${field} must be an ArangoDB version like "3.4.2", got ${show(value)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}` };
}

/** The version an image's tag names (`arangodb/arangodb:3.4.2`, `arangodb:3.4.2-ubi`), or undefined. */
export function versionOfImage(image: string): string | undefined {
  const tag = /:([^:/@]+)(?:@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
  const m = tag ? /^v?(\d+\.\d+\.\d+)/.exec(tag) : null;
  return m?.[1];
}
