import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { Neo4jVersion, formatVersion } from '../shared/image-reference';

/**
 * The settings family a version starts with: the ids of the cluster's VersionFamily parameter
 * (Neo4jVersionFamily.id). Every 4.x takes the 4.4 causal-cluster settings; undefined: no family fits.
 */
export function settingsFamilyOf(v: Neo4jVersion): string | undefined {
  if (v.major >= 2025) return '2025';
  if (v.major === 5) return '5';
  if (v.major === 4) return '4.4';
  if (v.major === 3 && v.minor === 5) return '3.5';
  return undefined;
}

/**
 * An upgrade that changes the settings family must set the target's VersionFamily parameter with the
 * image: without one, the nodes would start the new image with the old family's settings (for example
 * 5.x discovery settings on 2025.x, which removed them). Refused before any change.
 */
export function checkSettingsFamily(cluster: ClusterContext, from: Neo4jVersion, to: Neo4jVersion, dockerImage: string): void {
  const fromFamily = settingsFamilyOf(from);
  const toFamily = settingsFamilyOf(to);
  if (fromFamily === toFamily) return;
  const move = `dockerImage ${JSON.stringify(dockerImage)} moves the cluster from Neo4j ${formatVersion(from)} to ` +
    `${formatVersion(to)}, whose settings are another version family's (${fromFamily ?? 'none'} -> ${toFamily ?? 'none'})`;
  if (toFamily === undefined) {
    throw new InvalidInputError(`${move}: no version family of this library has settings for ${formatVersion(to)}`);
  }
  if (cluster.parameterNames.versionFamily === undefined) {
    throw new InvalidInputError(
      `${move}, but cluster.parameterNames has no versionFamily: the nodes would start the new image with the ` +
      `old family's settings. Give the stack a VersionFamily parameter (Neo4jCluster has one) and name it in ` +
      'parameterNames.versionFamily, or upgrade within the family',
    );
  }
}
