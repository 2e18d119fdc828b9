import { ClusterContext, TAG_KEYS } from './context';
import { TagMap } from './ec2-tags';

/** What decides whether a volume or snapshot is the cluster's, besides its Name/Environment tags. */
export type ClusterOwner = Pick<ClusterContext, 'clusterIdentity' | 'adoptUntaggedVolumes'>;

/**
 * True when `tags` make the resource this cluster's: it carries the cluster's identity, or carries no
 * identity at all and the cluster adopts untagged volumes or has no identity itself (it predates them).
 * Another cluster's identity is never ours, whatever the Name and Environment say.
 */
export function ownedBy(tags: TagMap, cluster: ClusterOwner): boolean {
  const identity = tags[TAG_KEYS.cluster];
  if (identity === undefined) return cluster.clusterIdentity === undefined || cluster.adoptUntaggedVolumes === true;
  return identity === cluster.clusterIdentity;
}

/** The identity tag a volume or snapshot the cluster creates (or renames, adopting it) carries. */
export function identityTag(cluster: ClusterOwner): TagMap {
  return cluster.clusterIdentity === undefined ? {} : { [TAG_KEYS.cluster]: cluster.clusterIdentity };
}

/** `Environment=x, cluster=y` or `..., no cluster identity`: how messages name the cluster's pool. */
export function describeOwner(cluster: ClusterOwner): string {
  if (cluster.clusterIdentity === undefined) return `without a ${TAG_KEYS.cluster} tag`;
  return `${TAG_KEYS.cluster}=${cluster.clusterIdentity}${cluster.adoptUntaggedVolumes ? ' or untagged' : ''}`;
}
