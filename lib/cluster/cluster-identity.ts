import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';

/**
 * Tag key of a cluster's identity: on its instances (member discovery, volume attachment), its data
 * volumes, its snapshots and the clones and restores made from them. One key, one value per cluster.
 */
export const CLUSTER_IDENTITY_TAG = 'neo4j-upgrades:cluster';

/** Tag values (and SSM path segments): letters, digits and `._:/=+@-`, at most 128 characters here. */
const IDENTITY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/=+@-]{0,127}$/;

/**
 * The default identity: `<stack name>/<8 hex of the construct path>`. A stack name is unique per account
 * and region, and the hash tells clusters of one stack apart, so two clusters in one region never share it.
 * It follows the construct path: moving the construct changes it (pin `clusterIdentity` to move one).
 */
export function defaultClusterIdentity(cluster: Construct): string {
  return `${Stack.of(cluster).stackName}/${cluster.node.addr.slice(2, 10)}`;
}

/** Refuses an identity that is not a usable tag value and lock path segment. */
export function validateClusterIdentity(prop: string, identity: string | undefined): void {
  if (identity === undefined || Token.isUnresolved(identity)) return;
  if (!IDENTITY_PATTERN.test(identity) || identity.includes('//')) {
    throw new Neo4jUpgradesValidationError(prop, `'${identity}'`,
      'must be 1 to 128 letters, digits and ._:/=+@- starting with a letter or digit, without "//" (a tag value and a path in the lock parameter name)');
  }
}

/**
 * IAM condition on a volume's tags that makes it this cluster's: its Environment, and its identity (or no
 * identity tag at all, where the cluster adopts untagged volumes or has no identity itself).
 */
export function ownVolumeCondition(environmentName: string, identity: string | undefined, adoptUntagged: boolean) {
  const identityKey = `aws:ResourceTag/${CLUSTER_IDENTITY_TAG}`;
  const environment = { 'aws:ResourceTag/Environment': environmentName };
  if (identity === undefined) return { StringEquals: environment, Null: { [identityKey]: 'true' } };
  if (adoptUntagged) return { StringEquals: environment, StringEqualsIfExists: { [identityKey]: identity } };
  return { StringEquals: { ...environment, [identityKey]: identity } };
}
