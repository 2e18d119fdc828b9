import { ArangoCall, arangoGet } from '../shared/arango-http';
import { coordinatorsOf } from '../shared/arango-coordinators';
import { HealthGateError } from '../shared/errors';
import { PlannedServer, RoleOrderedContext } from '../shared/role-ordered-context';

type Json = Record<string, unknown>;

/** The first coordinator that answers `path` (a stopped or busy one is skipped). */
async function fromAnyCoordinator(call: ArangoCall, cluster: RoleOrderedContext, path: string): Promise<Json> {
  const failures: string[] = [];
  for (const c of coordinatorsOf(cluster)) {
    try {
      return await arangoGet(call, c.endpoint, path);
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  throw new HealthGateError(`no coordinator answered ${path}: ${failures.join('; ') || 'the cluster has no coordinators'}`);
}

async function runsVersion(call: ArangoCall, server: PlannedServer, toVersion: string): Promise<void> {
  const version = (await arangoGet(call, server.endpoint, '/_api/version')).version;
  if (version !== toVersion) throw new HealthGateError(`${server.serverId} runs ${String(version)}, not ${toVersion}`);
}

/** Seed 003 step 4: every agent in the agency configuration, and every one in sync with the leader's commit index. */
export async function agencyInSync(call: ArangoCall, cluster: RoleOrderedContext, server: PlannedServer, toVersion: string): Promise<string> {
  await runsVersion(call, server, toVersion);
  const agents = cluster.servers.filter((s) => s.role === server.role);
  const leaderId = String((await arangoGet(call, server.endpoint, '/_api/agency/config')).leaderId ?? '');
  const leader = agents.find((a) => a.serverId === leaderId);
  if (!leader) throw new HealthGateError(`the agency has no leader among ${agents.map((a) => a.serverId).join(', ')} (leaderId ${JSON.stringify(leaderId)})`);
  const config = await arangoGet(call, leader.endpoint, '/_api/agency/config');
  const active = ((config.configuration as Json | undefined)?.active ?? []) as string[];
  const missing = agents.filter((a) => !active.includes(a.serverId)).map((a) => a.serverId);
  if (missing.length > 0) throw new HealthGateError(`agents not in the agency configuration: ${missing.join(', ')}`);
  const acked = (config.lastAcked ?? {}) as Record<string, { lastAckedIndex?: number }>;
  const behind = agents.filter((a) => acked[a.serverId]?.lastAckedIndex !== config.commitIndex).map((a) => a.serverId);
  if (behind.length > 0) throw new HealthGateError(`agents not in sync with commit index ${String(config.commitIndex)}: ${behind.join(', ')}`);
  return `${agents.length} agents in the configuration and in sync (leader ${leaderId}, commit index ${String(config.commitIndex)})`;
}

function healthOf(health: Json, server: PlannedServer): Json {
  const entry = ((health.Health ?? {}) as Record<string, Json>)[server.serverId];
  if (!entry) throw new HealthGateError(`${server.serverId} is not in the cluster health`);
  return entry;
}

function good(entry: Json, server: PlannedServer, toVersion: string): void {
  if (entry.Status !== 'GOOD') throw new HealthGateError(`${server.serverId} is ${String(entry.Status)} in the cluster health, not GOOD`);
  if (entry.Version !== toVersion) throw new HealthGateError(`${server.serverId} reports ${String(entry.Version)} in the cluster health, not ${toVersion}`);
}

/** The DB server is GOOD on the new version, and every collection's shards are ready and in sync. */
export async function dbServerHealthy(call: ArangoCall, cluster: RoleOrderedContext, server: PlannedServer, toVersion: string): Promise<string> {
  good(healthOf(await fromAnyCoordinator(call, cluster, '/_admin/cluster/health'), server), server, toVersion);
  const collections = ((await fromAnyCoordinator(call, cluster, '/_api/replication/clusterInventory')).collections ?? []) as Json[];
  const lagging = collections.filter((c) => c.isReady !== true || c.allInSync !== true)
    .map((c) => String((c.parameters as Json | undefined)?.name ?? '?'));
  if (lagging.length > 0) throw new HealthGateError(`shards not in sync yet: ${lagging.join(', ')}`);
  return `${server.serverId} GOOD on ${toVersion}, ${collections.length} collection(s) in sync`;
}

/** The coordinator answers on the new version and is GOOD in its own health answer. */
export async function coordinatorAnswering(call: ArangoCall, _cluster: RoleOrderedContext, server: PlannedServer, toVersion: string): Promise<string> {
  await runsVersion(call, server, toVersion);
  good(healthOf(await arangoGet(call, server.endpoint, '/_admin/cluster/health'), server), server, toVersion);
  return `${server.serverId} answers on ${toVersion} and is GOOD`;
}

export const GATES: Record<string, typeof agencyInSync> = {
  'agency-in-sync': agencyInSync,
  'db-server-healthy-shards-in-sync': dbServerHealthy,
  'coordinator-answering': coordinatorAnswering,
};
