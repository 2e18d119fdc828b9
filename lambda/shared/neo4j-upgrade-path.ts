import { Neo4jVersion, compareVersions, formatVersion } from './image-reference';

/**
 * Which in-place Neo4j upgrades the staged procedure may attempt: the store on the data volume is
 * opened by the new binaries, so the path must be one Neo4j supports for a whole DBMS.
 *
 * Rules (Neo4j upgrade and migration guide, "Supported upgrade and migration paths"):
 * - no downgrades, ever;
 * - generations 3 -> 4 -> 5 -> calendar (2025.x, 2026.x, ...) are never skipped;
 * - 3.x -> 4: only from 3.5, and only to 4.0 (the sequential DBMS path is 3.5 -> 4.0 -> 4.1 -> ... -> 4.4;
 *   a direct 3.5 -> 4.x is a `neo4j-admin copy` migration of one database, which this procedure is not);
 * - within 4.x: one minor at a time (4.0 -> 4.1 -> ... -> 4.4), patches freely;
 * - 4 -> 5: only from 4.4;
 * - within 5.x: any later 5.x;
 * - 5 -> calendar: only from 5.26 or later;
 * - within calendar versions: any later one.
 */
export type UpgradeKind = 'same' | 'patch' | 'minor' | 'major';

export type UpgradePathResult =
  | { readonly ok: true; readonly kind: UpgradeKind; readonly warnings: string[] }
  | { readonly ok: false; readonly reason: string };

/** 3, 4, 5, or 6 for calendar versions (2025.x and later). */
export function generation(v: Neo4jVersion): number {
  return v.major >= 2025 ? 6 : v.major;
}

/** The family label used by ClusterContext.versionFamily: '3.5', '4.4', '5', '2025' (or e.g. '4.2'). */
export function versionFamily(v: Neo4jVersion): string {
  if (v.major >= 2025) return '2025';
  if (v.major >= 5) return String(v.major);
  return `${v.major}.${v.minor}`;
}

export function checkUpgradePath(from: Neo4jVersion, to: Neo4jVersion): UpgradePathResult {
  const f = formatVersion(from);
  const t = formatVersion(to);
  const cmp = compareVersions(to, from);
  if (cmp < 0) return { ok: false, reason: `${t} is older than the running ${f}: Neo4j does not support downgrades` };
  if (cmp === 0) return { ok: true, kind: 'same', warnings: [] };

  const gf = generation(from);
  const gt = generation(to);
  const refuse = (why: string) => ({ ok: false as const, reason: `${f} -> ${t}: ${why}` });
  if (gt - gf > 1) {
    return refuse(`skips a major version; upgrade to ${nextStop(from)} first`);
  }
  const latestPatch = `make sure ${f} is the latest ${from.major}.${from.minor} patch before a major upgrade`;
  if (gt !== gf) {
    if (gf === 3) {
      if (from.minor !== 5) return refuse('3.x upgrades to 4 only from 3.5; upgrade to 3.5 first');
      if (to.minor !== 0) return refuse('an in-place upgrade from 3.5 lands on 4.0 (then 4.1, ... 4.4 one minor at a time); upgrade to 4.0 first');
      return { ok: true, kind: 'major', warnings: [latestPatch] };
    }
    if (gf === 4) {
      if (from.minor !== 4) return refuse(`4.x upgrades to 5 only from 4.4; upgrade to ${nextStop(from)} first`);
      return {
        ok: true,
        kind: 'major',
        warnings: [latestPatch, '4.4 -> 5 is an offline store migration (neo4j-admin database migrate) that 5.x does not do at start-up'],
      };
    }
    if (gf === 5) {
      if (from.minor < 26) return refuse('calendar versions are reached only from 5.26; upgrade to 5.26 first');
      return { ok: true, kind: 'major', warnings: [] };
    }
  }
  if (gf === 4 && to.minor - from.minor > 1) {
    return refuse(`4.x upgrades one minor version at a time; upgrade to ${nextStop(from)} first`);
  }
  return { ok: true, kind: to.minor !== from.minor || to.major !== from.major ? 'minor' : 'patch', warnings: [] };
}

/** The next version the sequential path must visit after `from` (for messages). */
function nextStop(from: Neo4jVersion): string {
  switch (generation(from)) {
    case 3: return from.minor < 5 ? '3.5' : '4.0';
    case 4: return from.minor < 4 ? `4.${from.minor + 1}` : '5.26';
    case 5: return from.minor < 26 ? '5.26' : 'a calendar version (2025.x)';
    default: return 'a later calendar version';
  }
}
