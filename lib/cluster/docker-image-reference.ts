import { Neo4jUpgradesValidationError } from '../errors';

/** A parsed Docker image reference: `repository[:tag][@digest]`. */
export interface DockerImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const REFERENCE = /^(?<repository>[a-z0-9]+(?:[._/:-][a-z0-9]+)*?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/**
 * Parses and checks an image reference: it must pin what it runs (a tag or a digest), and `latest`
 * is refused because an upgrade must know which version it starts from.
 */
export function parseDockerImageReference(prop: string, image: string): DockerImageReference {
  const match = REFERENCE.exec(image);
  if (!match?.groups) {
    throw new Neo4jUpgradesValidationError(prop, `'${image}'`, 'not a Docker image reference (repository[:tag][@digest])');
  }
  const { repository, tag, digest } = match.groups;
  if (!tag && !digest) {
    throw new Neo4jUpgradesValidationError(prop, `'${image}'`, 'the image has no tag or digest; pin the version it runs, e.g. neo4j:3.5.35-enterprise');
  }
  if (tag === 'latest') {
    throw new Neo4jUpgradesValidationError(prop, `'${image}'`, "the 'latest' tag does not say which version runs; an upgrade must know it");
  }
  return { repository, tag, digest };
}
