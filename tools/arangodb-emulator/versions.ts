import { ARANGOD_EXIT, ArangodExitCode } from './exit-codes';

/**
 * ArangoDB's version rules for a data directory, as the 3.3 manual states them
 * (https://docs.huihoo.com/arangodb/3.3/Manual/Administration/Upgrading/ "Database Directory Version
 * Check and Upgrade"): a binary of a newer minor refuses to start on an older data directory unless run
 * with --database.auto-upgrade; data written by a newer version cannot be used by an older one; upgrades
 * go one minor at a time (arangodb/go-upgrade-rules: "Minor versions may only increment by 1").
 */
export interface ArangoVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export class EmulatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorInputError';
  }
}

export function parseVersion(field: string, value: unknown): ArangoVersion {
  const match = typeof value === 'string' ? /^(\d+)\.(\d+)\.(\d+)(?:[-.].*)?$/.exec(value) : null;
  if (!match) {
    throw new EmulatorInputError(`${field} must be an ArangoDB version like "3.4.2", got ${JSON.stringify(value)}`);
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** The number arangod writes into the data directory's VERSION file (30402 for 3.4.2). */
export function storeVersionOf(version: ArangoVersion): number {
  return version.major * 10000 + version.minor * 100 + version.patch;
}

/** Like arangod, compares major.minor only: a patch change never needs an upgrade run. */
function minorsApart(binary: ArangoVersion, store: number): number {
  const binaryMinors = binary.major * 100 + binary.minor;
  return binaryMinors - Math.floor(store / 100);
}

/** Exit code of a normal start of `binary` on a data directory at `store`; EXIT_SUCCESS means it serves. */
export function startCheck(binary: ArangoVersion, store: number): ArangodExitCode {
  const apart = minorsApart(binary, store);
  if (apart > 0) return ARANGOD_EXIT.EXIT_UPGRADE_REQUIRED;
  if (apart < 0) return ARANGOD_EXIT.EXIT_DOWNGRADE_REQUIRED;
  return ARANGOD_EXIT.EXIT_SUCCESS;
}

/** Exit code of a one-off `--database.auto-upgrade=true` run; EXIT_SUCCESS means the store is now `binary`'s. */
export function autoUpgradeCheck(binary: ArangoVersion, store: number): ArangodExitCode {
  const apart = minorsApart(binary, store);
  if (apart < 0) return ARANGOD_EXIT.EXIT_DOWNGRADE_REQUIRED;
  // A skipped minor (or a major jump) is not a supported path: played as a failed upgrade, store untouched.
  if (apart > 1 || binary.major !== Math.floor(store / 10000)) return ARANGOD_EXIT.EXIT_UPGRADE_FAILED;
  return ARANGOD_EXIT.EXIT_SUCCESS;
}
