import { Token } from 'aws-cdk-lib';
import { parseDockerImageReference } from '../cluster/docker-image-reference';
import { Neo4jUpgradesValidationError } from '../errors';

// The rule engine-validate-input applies at run time (lambda/shared/camunda-upgrade-path.ts): Camunda's images tag a
// distribution before the version (`7.24.0`, `run-7.24.0`, `tomcat-7.24.0`, `7.24.0-ee`), and the guard reads the version there.
const WHOLE_VERSION_TAG = /^(?:[a-z]+-)?\d+\.\d+\.\d+(?:-[A-Za-z0-9_.-]+)?$/;

/**
 * Checks that an engine image pins a whole engine version in its tag: `latest`, `7.24`, `run` or a digest alone
 * leave the version to the registry, and the upgrade's version guard could not say where the fleet starts from.
 */
export function requirePinnedEngineImage(prop: string, image: string): void {
  if (Token.isUnresolved(image)) {
    throw new Neo4jUpgradesValidationError(prop, JSON.stringify(image), 'must be known at synth: the upgrade\'s version guard reads the version in its tag');
  }
  const { tag } = parseDockerImageReference(prop, image);
  if (tag === undefined || !WHOLE_VERSION_TAG.test(tag)) {
    throw new Neo4jUpgradesValidationError(prop, `'${image}'`, 'its tag must name the whole engine version, e.g. camunda/camunda-bpm-platform:run-7.24.0');
  }
}
