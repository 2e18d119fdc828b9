import { CamundaVersion, compareCamundaVersions, parseCamundaVersion } from './camunda-version';
import { InvalidInputError } from './errors';
import { parseImageReference } from './image-reference';
import { show } from './input-checks';

/** What a Camunda 7 version step is: a patch within a minor (no schema step) or the next minor. */
export type CamundaStep = 'patch' | 'minor';

// Camunda's images tag a distribution before the version: `7.24.0`, `run-7.24.0`, `tomcat-7.24.0`, `wildfly-7.24.0`.
const PINNED_TAG = /^(?:[a-z]+-)?(\d+\.\d+\.\d+)(?:-[A-Za-z0-9_.-]+)?$/;

/**
 * The version an image pins: its tag must name a whole version (`7.24.0`, `run-7.24.0`, `7.24.0-ee`); `latest`,
 * `7.24`, `run` or a digest alone leave the version to whatever the registry serves, so the guard cannot judge it.
 */
export function pinnedCamundaVersion(image: unknown, field: string): CamundaVersion {
  const ref = typeof image === 'string' ? parseImageReference(image) : undefined;
  if (!ref) throw new InvalidInputError(`${field} must be a container image reference, got ${show(image)}`);
  const m = ref.tag === undefined ? null : PINNED_TAG.exec(ref.tag);
  if (!m) throw new InvalidInputError(`${field} ${show(image)} is not pinned: its tag must name the whole engine version (e.g. :7.24.0)`);
  return parseCamundaVersion(m[1])!;
}

/**
 * Seed 002's version rules: no skipped minor (minor +1 at most), no downgrade, patches within a minor free.
 * Throws InvalidInputError naming both versions; returns the kind of step.
 */
export function camundaStep(from: CamundaVersion, to: CamundaVersion): CamundaStep {
  const f = `${from.major}.${from.minor}.${from.patch}`;
  const t = `${to.major}.${to.minor}.${to.patch}`;
  const order = compareCamundaVersions(to, from);
  if (order === 0) throw new InvalidInputError(`the fleet already runs ${f}: nothing to upgrade`);
  if (order < 0) throw new InvalidInputError(`${f} -> ${t} is a downgrade: Camunda's schema is never downgraded`);
  if (to.major !== from.major) throw new InvalidInputError(`${f} -> ${t} changes the major version: not a rolling upgrade`);
  if (to.minor > from.minor + 1) {
    throw new InvalidInputError(`${f} -> ${t} skips ${to.minor - from.minor - 1} minor version(s): upgrade one minor at a time (${from.major}.${from.minor + 1} first)`);
  }
  return to.minor === from.minor ? 'patch' : 'minor';
}
