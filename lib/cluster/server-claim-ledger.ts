import { createHash } from 'node:crypto';
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { defaultClusterIdentity } from './cluster-identity';

/**
 * The SSM path of a per-server cluster's server-number ledger: claim-server-number.sh creates one
 * parameter `<path>/<server>/<generation>` per claim, never overwritten (the create is the atomic claim).
 *
 * `/neo4j-upgrades/<identity>/servers-claimed`, the identity made a single safe path segment: SSM names
 * allow only letters, digits and `_.-/`, and a path at most 15 levels deep, while an identity may hold `/`
 * (the default does) and `:=+@`. Those become `-`, and the identity's hash is appended so two identities
 * that differ only there never share a ledger. An identity unknown at synth (a token) falls back to the
 * default identity's form, which is unique in the region too.
 */
export function serverClaimParameterPrefix(cluster: Construct, identity: string): string {
  const known = Token.isUnresolved(identity) ? defaultClusterIdentity(cluster) : identity;
  const safe = known.replace(/[^A-Za-z0-9_.-]/g, '-');
  const segment = safe === known ? known : `${safe}-${createHash('sha256').update(known).digest('hex').slice(0, 8)}`;
  return `/neo4j-upgrades/${segment}/servers-claimed`;
}
