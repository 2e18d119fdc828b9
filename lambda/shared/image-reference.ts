/**
 * Container image references (`[registry/]repository[:tag][@digest]`) and the Neo4j version their tag
 * carries (`3.5.35-enterprise`, `5.26.2`, `2025.10.1-enterprise-ubi9`, `v4.4.40`).
 */
export interface ImageReference {
  /** Everything before the tag and digest, e.g. `123.dkr.ecr.eu-west-1.amazonaws.com/neo4j`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>` */
  readonly digest?: string;
}

export interface Neo4jVersion {
  readonly major: number;
  readonly minor: number;
  /** Undefined for floating tags like `5.26` or `5.26-enterprise`. */
  readonly patch?: number;
  /** From a `-enterprise` / `-community` suffix; undefined when the tag does not say. */
  readonly edition?: 'enterprise' | 'community';
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d+)?$/;
const VERSION_TAG = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([A-Za-z0-9_.-]+))?$/;

/** Parses an image reference; returns undefined when it is not a valid reference. */
export function parseImageReference(ref: string): ImageReference | undefined {
  if (typeof ref !== 'string' || ref.trim() !== ref || ref === '') return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (!isRepository(rest)) return undefined;
  return { repository: rest, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

function isRepository(repository: string): boolean {
  const parts = repository.split('/');
  const first = parts[0];
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry && !REGISTRY.test(first)) return false;
  const path = hasRegistry ? parts.slice(1) : parts;
  return path.length > 0 && path.every((p) => PATH_COMPONENT.test(p));
}

/** The Neo4j version a tag names, or undefined when the tag carries none (`latest`, `prod`). */
export function neo4jVersionFromTag(tag: string | undefined): Neo4jVersion | undefined {
  const m = tag === undefined ? null : VERSION_TAG.exec(tag);
  if (!m) return undefined;
  const suffix = (m[4] ?? '').toLowerCase().split(/[-_.]/);
  const edition = suffix.includes('enterprise') ? 'enterprise' : suffix.includes('community') ? 'community' : undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    ...(m[3] !== undefined && { patch: Number(m[3]) }),
    ...(edition && { edition }),
  };
}

/** Parses `5.26.2` (or a tag) into a version; undefined when it is not one. */
export function parseNeo4jVersion(text: string): Neo4jVersion | undefined {
  return neo4jVersionFromTag(text);
}

/** Negative when a < b, 0 when equal, positive when a > b. A missing patch counts as 0. */
export function compareVersions(a: Neo4jVersion, b: Neo4jVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0);
}

/** `5.26.2` (no edition): the form the upgrade plan reports. */
export function formatVersion(v: Neo4jVersion): string {
  return v.patch === undefined ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}.${v.patch}`;
}
