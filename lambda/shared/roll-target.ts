import { ClusterContext } from './context';
import { InvalidInputError, PreconditionFailedError } from './errors';
import { optionalString, show } from './input-checks';

/** Where a roll or a replacement of servers ends: forward the upgrade's target, back the pre-upgrade record. */
export interface RollTargetInput {
  /** Forward: the image every server runs at the end. Exactly one of image and previousParameters. */
  readonly image?: string;
  /** Back: the pre-upgrade parameter record (CloudFormation keys); the image is its DockerImage, the family its VersionFamily. */
  readonly previousParameters?: Record<string, string>;
  /** Forward: the settings family every server runs at the end (the plan's `toSettingsFamily`). */
  readonly versionFamily?: string;
}

/** The image the servers end on: `image` forward, the recorded DockerImage back. */
export function targetImage(input: RollTargetInput, cluster: ClusterContext, params: Record<string, string>): string {
  const image = optionalString(input.image, 'image');
  const previous = input.previousParameters;
  if ((image === undefined) === (previous === undefined)) {
    throw new InvalidInputError(`give exactly one of image and previousParameters, got image ${show(image)} and previousParameters ${show(previous)}`);
  }
  if (image !== undefined) {
    if (image === '') throw new InvalidInputError('image must be a Docker image reference, got ""');
    return image;
  }
  const key = cluster.parameterNames.dockerImage;
  const recorded = typeof previous === 'object' && previous !== null ? previous[key] : undefined;
  if (typeof recorded !== 'string' || recorded === '') {
    throw new InvalidInputError(`previousParameters.${key} must be the pre-upgrade image, got ${show(recorded)} (stack now has ${show(params[key])})`);
  }
  return recorded;
}

/**
 * The settings family the servers end on: `versionFamily` forward, the recorded VersionFamily back; undefined
 * when the stack has no VersionFamily parameter. A change of family needs every server's own family parameter.
 */
export function targetFamily(
  input: RollTargetInput, cluster: ClusterContext, params: Record<string, string>, perServerFamilies: boolean,
): string | undefined {
  const key = cluster.parameterNames.versionFamily;
  if (key === undefined) return undefined;
  const family = input.previousParameters ? input.previousParameters[key] : optionalString(input.versionFamily, 'versionFamily');
  if (family === undefined || family === '') return undefined;
  if (family !== params[key] && !perServerFamilies) {
    throw new PreconditionFailedError(
      `the roll changes the settings family from ${params[key]} to ${family}, and the servers have no server<N>VersionFamily parameter ` +
      '(Neo4jCluster discoveryVersion: DiscoveryVersion.V2 gives them): VersionFamily would restart every server at once');
  }
  return family;
}
