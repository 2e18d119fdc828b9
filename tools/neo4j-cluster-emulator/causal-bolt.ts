import { BoltClient, BoltConnect } from '../../lambda/shared/bolt';
import { CausalCluster } from './causal-cluster';
import { EmulatedBoltOptions, modelBolt, neo4jError } from './emulated-bolt';
import { project } from './listings';

type Row = Record<string, unknown>;

/** `dbms.cluster.overview()` columns (4.x). */
export const OVERVIEW_COLUMNS = ['id', 'addresses', 'databases', 'groups'];
/** 4.4 `SHOW DATABASES` columns, all shown without YIELD. */
export const CAUSAL_SHOW_DATABASES_COLUMNS = ['name', 'aliases', 'access', 'address', 'role', 'requestedStatus', 'currentStatus', 'error', 'default', 'home'];

const OVERVIEW = /^\s*CALL\s+dbms\.cluster\.overview\(\s*\)(?:\s+YIELD\s+(.+?))?\s*$/is;
const SHOW_DATABASES = /^\s*SHOW\s+DATABASES?(?:\s+YIELD\s+(.+?))?\s*$/is;

/** One overview row per running member: its addresses, and its role (upper case) for each database it runs online. */
export function overviewRows(cluster: CausalCluster): Row[] {
  return cluster.members.map((member) => {
    const host = member.address.replace(/:\d+$/, '');
    const databases: Record<string, string> = {};
    for (const db of cluster.databases) {
      const role = cluster.roleOf(member, db);
      if (role) databases[db] = role;
    }
    return { id: member.id, addresses: [`bolt://${member.address}`, `http://${host}:7474`, `https://${host}:7473`], databases, groups: [] };
  });
}

/** One 4.4 `SHOW DATABASES` row per database copy on a running member; roles lower case, `unknown` while starting or unreachable. */
export function causalDatabaseRows(cluster: CausalCluster): Row[] {
  const defaultDatabase = cluster.databases.find((d) => d !== 'system');
  return cluster.databases.flatMap((name) => cluster.members.map((member) => {
    const status = member.reachable ? member.copies.get(name)?.status ?? 'starting' : 'unknown';
    return {
      name, aliases: [], access: 'read-write', address: member.address,
      role: (member.reachable && cluster.roleOf(member, name)?.toLowerCase()) || 'unknown',
      requestedStatus: 'online', currentStatus: status, error: member.reachable ? '' : 'emulator: member unreachable',
      default: name === defaultDatabase, home: name === defaultDatabase,
    };
  }));
}

/**
 * SIMULATED. A BoltClient answering what a Neo4j 4.4 causal cluster member answers about the cluster:
 * `CALL dbms.cluster.overview()` (any database) and `SHOW DATABASES` (on `system`), each with an optional
 * `YIELD` of columns (no WHERE / RETURN). Each statement is one step of the cluster's time; any other
 * statement is a syntax error (4.4 has no server-management commands).
 */
export function causalBolt(cluster: CausalCluster, options: EmulatedBoltOptions = {}): BoltClient {
  const info = { address: cluster.members[0]?.address ?? '', agent: options.agent ?? 'Neo4j/4.4.40', protocolVersion: '4.4' };
  return modelBolt(cluster, info, (cypher, database) => answer(cluster, cypher, database), options);
}

/** A BoltConnect whose every connection reaches `cluster` (the handler's `connect` dependency). */
export function causalConnect(cluster: CausalCluster, options: EmulatedBoltOptions = {}): BoltConnect {
  return () => causalBolt(cluster, options);
}

function answer(cluster: CausalCluster, cypher: string, database: string | undefined): Row[] {
  const overview = OVERVIEW.exec(cypher);
  if (overview) return project(overviewRows(cluster), overview[1], OVERVIEW_COLUMNS, OVERVIEW_COLUMNS);
  const show = SHOW_DATABASES.exec(cypher);
  if (!show) throw neo4jError('Neo.ClientError.Statement.SyntaxError', `emulator: statement not understood: ${cypher}`);
  if (database !== 'system') {
    throw neo4jError('Neo.ClientError.Statement.UnsupportedAdministrationCommand', `This is an administration command and it should be executed against the system database: ${cypher}`);
  }
  return project(causalDatabaseRows(cluster), show[1], CAUSAL_SHOW_DATABASES_COLUMNS, CAUSAL_SHOW_DATABASES_COLUMNS);
}
