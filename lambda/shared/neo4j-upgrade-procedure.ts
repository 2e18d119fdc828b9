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
 * Discovery protocol version each settings family (the VersionFamily parameter's ids) configures: this
 * library's 5.x family sets `dbms.cluster.discovery.endpoints` (discovery v1); the 2025.x family
 * `dbms.cluster.endpoints` (v2, the only one calendar versions have).
 */
const DISCOVERY_OF_SETTINGS_FAMILY: Readonly<Record<string, 'v1' | 'v2'>> = { '5': 'v1', '2025': 'v2' };

export function rollingSupport(from: Neo4jVersion, to: Neo4jVersion, kind: UpgradeKind, fromSettingsFamily: string): RollingSupport {
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
    const discovery = DISCOVERY_OF_SETTINGS_FAMILY[fromSettingsFamily];
    if (discovery !== 'v2') {
      return offline(
        `5.26 rolls to calendar versions only on discovery v2, and the cluster runs settings family ${fromSettingsFamily || 'unknown'} ` +
        `(discovery ${discovery ?? 'unknown'}: dbms.cluster.discovery.endpoints), which ${formatVersion(to)} removed; ` +
        'move the cluster to discovery v2 first or upgrade offline');
    }
    return rolling('5.26 on discovery v2 rolls to calendar versions one server at a time');
  }
  return rolling('calendar versions upgrade to later calendar versions one server at a time');
}
