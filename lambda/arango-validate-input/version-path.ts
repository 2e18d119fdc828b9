import { ArangoVersion } from '../shared/arango-version';
import { InvalidInputError } from '../shared/errors';

export type ArangoUpgradeKind = 'patch' | 'minor';

/**
 * ArangoDB's upgrade path rules: no downgrade (a newer data directory cannot be opened by an older binary:
 * "Database Directory Version Check"), no skipped minor and no major jump in a rolling upgrade
 * (arangodb/go-upgrade-rules: "Minor versions may only increment by 1"), and, before a minor jump, the
 * minimum patch of the old minor the operator must declare (`minimumPatchBeforeMinor`, e.g. `{"3.3": 20}`,
 * from the release's upgrade notes; a minor upgrade without it is refused). Returns the kind, or throws InvalidInputError naming both versions.
 */
export function checkUpgradePath(from: ArangoVersion, to: ArangoVersion, minimumPatchBeforeMinor: Readonly<Record<string, number>>): ArangoUpgradeKind {
  const path = `${from.text} -> ${to.text}`;
  const order = (v: ArangoVersion) => v.major * 1e6 + v.minor * 1e3 + v.patch;
  if (order(to) < order(from)) {
    throw new InvalidInputError(`downgrade refused: ${path} (a data directory written by ${from.major}.${from.minor} cannot be opened by an older version; restore a backup instead)`);
  }
  if (order(to) === order(from)) throw new InvalidInputError(`nothing to upgrade: the cluster already runs ${from.text}`);
  if (to.major !== from.major) throw new InvalidInputError(`major upgrade refused: ${path} is not a rolling upgrade path (one minor at a time)`);
  if (to.minor - from.minor > 1) {
    throw new InvalidInputError(`skipped minor refused: ${path} skips ${from.major}.${from.minor + 1} (minor versions may only increment by 1)`);
  }
  if (to.minor === from.minor) return 'patch';
  const fromMinor = `${from.major}.${from.minor}`;
  const minimum = minimumPatchBeforeMinor[fromMinor];
  // Seed 003 and ArangoDB's upgrade docs name no fixed minimum (they recommend the latest patch of the old
  // minor), so there is no built-in value: the operator declares it from the release notes, 0 for none.
  if (minimum === undefined) {
    throw new InvalidInputError(`${path} is a minor upgrade: minimumPatchBeforeMinor["${fromMinor}"] must be declared (the minimum patch of ${fromMinor} `
      + `before ${to.major}.${to.minor}, from its upgrade notes; 0 for none); declared: ${JSON.stringify(minimumPatchBeforeMinor)}`);
  }
  if (from.patch < minimum) {
    throw new InvalidInputError(`${path} needs at least ${fromMinor}.${minimum} before the minor upgrade: upgrade to ${fromMinor}.${minimum} (or later) first`);
  }
  return 'minor';
}
