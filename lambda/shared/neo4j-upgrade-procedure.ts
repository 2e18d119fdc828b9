import { Neo4jVersion, formatVersion } from './image-reference';
import { UpgradeKind, generation } from './neo4j-upgrade-path';

/**
 * Which procedure an upgrade path allows (seed 001, Neo4j's "Upgrade a cluster" chapters): a rolling
 * upgrade (one server at a time, the cluster stays available) only where the new version runs in the same
 * cluster as the old one on the same store format; otherwise the offline upgrade. The path itself is
 * checked first (neo4j-upgrade-path.ts).
 */
export type UpgradeProcedure = 'rolling' | 'offline';
export const UPGRADE_PROCEDURES: readonly UpgradeProcedure[] = ['rolling', 'offline'];

export interface RollingSupport {
  readonly rolling: boolean;
  /** Why, as a sentence for the plan and the refusal. */
  readonly reason: string;
}

/**
 * Discovery service a settings family (the VersionFamily parameter's ids) runs: the 2025.x family only v2
 * (`dbms.cluster.endpoints`); the 5.x family v1 (`dbms.cluster.discovery.endpoints`) unless the stack's
 * DiscoveryVersion parameter (Neo4jCluster `discoveryVersion: DiscoveryVersion.V2`) says V2.
 */
function discoveryOf(settingsFamily: string, discoveryVersion: string | undefined): 'v1' | 'v2' | undefined {
  if (settingsFamily === '2025') return 'v2';
  if (settingsFamily === '5') return discoveryVersion === 'V2' ? 'v2' : 'v1';
  return undefined;
}

/**
 * @param fromSettingsFamily the VersionFamily parameter's value (or the family of the running version)
 * @param discoveryVersion the DiscoveryVersion parameter's value, undefined when the stack has none
 */
export function rollingSupport(
  from: Neo4jVersion, to: Neo4jVersion, kind: UpgradeKind, fromSettingsFamily: string, discoveryVersion?: string,
): RollingSupport {
  const path = `${formatVersion(from)} -> ${formatVersion(to)}`;
  const offline = (why: string) => ({ rolling: false, reason: `${path}: ${why}` });
  const rolling = (why: string) => ({ rolling: true, reason: `${path}: ${why}` });
  if (kind === 'same') return rolling('the same version: each server restarts on its own store');
  const gf = generation(from);
  const gt = generation(to);
  if (gf === 3) {
    return offline(gt === 4
      ? '3.5 -> 4.0 changes the store format (dbms.allow_upgrade on one server, the others receive its store)'
      : 'Neo4j 3.5 High Availability clusters have no rolling upgrade');
  }
  if (gf === 4) {
    return gt === 5
      ? offline('4.4 -> 5 changes the store format (neo4j-admin database migrate on one server, the others receive its store)')
      : rolling('4.x patch and minor upgrades keep the store format: servers of both versions run in one cluster');
  }
  if (gf === 5 && gt === 5) return rolling('5.x upgrades to any later 5.x one server at a time');
  if (gf === 5) {
    const discovery = discoveryOf(fromSettingsFamily, discoveryVersion);
    if (discovery !== 'v2') {
      return offline(
        `5.26 rolls to calendar versions only on discovery v2, and the cluster runs settings family ${fromSettingsFamily || 'unknown'} ` +
        `on discovery ${discovery ?? 'unknown'} (DiscoveryVersion parameter ${discoveryVersion ?? 'absent'}: dbms.cluster.discovery.endpoints), ` +
        `which ${formatVersion(to)} removed; move the cluster to discovery v2 first (Neo4jCluster discoveryVersion: DiscoveryVersion.V2) or upgrade offline`);
    }
    return rolling('5.26 on discovery v2 rolls to calendar versions one server at a time');
  }
  return rolling('calendar versions upgrade to later calendar versions one server at a time');
}
