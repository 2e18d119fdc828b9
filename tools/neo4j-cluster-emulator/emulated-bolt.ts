import { BoltAccess, BoltClient, BoltConnect, BoltServerInfo } from '../../lambda/shared/bolt';
import { EmulatedCluster } from './emulated-cluster';
import { SHOW_DATABASES_DEFAULT, SHOW_SERVERS_DEFAULT, databaseRows, project, serverRows } from './listings';

type Row = Record<string, unknown>;

/** One statement the emulator received, for tests that check what a handler sent. */
export interface EmulatedStatement {
  readonly cypher: string;
  readonly database?: string;
  readonly access: BoltAccess;
}

export interface EmulatedBoltOptions {
  /** Agent the server reports. Default `Neo4j/5.26.30` (emulatedBolt), `Neo4j/4.4.40` (causalBolt). */
  readonly agent?: string;
  /** Every statement received, in order (appended to). */
  readonly statements?: EmulatedStatement[];
}

const QUOTED = String.raw`'((?:[^'\\]|\\.)*)'`;
const SHOW_SERVERS = /^\s*SHOW\s+SERVERS?(?:\s+YIELD\s+(.+?))?\s*$/is;
const SHOW_DATABASES = /^\s*SHOW\s+DATABASES?(?:\s+YIELD\s+(.+?))?\s*$/is;
const ENABLE = new RegExp(String.raw`^\s*ENABLE\s+SERVER\s+${QUOTED}\s*$`, 'is');
const DEALLOCATE = new RegExp(String.raw`^\s*DEALLOCATE\s+DATABASES?\s+FROM\s+SERVERS?\s+(${QUOTED}(?:\s*,\s*${QUOTED})*)\s*$`, 'is');
const DROP = new RegExp(String.raw`^\s*DROP\s+SERVER\s+${QUOTED}\s*$`, 'is');

/** An error as the driver raises Neo4j's: name Neo4jError with a status code. */
export function neo4jError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'Neo4jError', code });
}

const unquote = (text: string) => text.replace(/\\(.)/g, '$1');

/**
 * SIMULATED. A BoltClient answering the server-management statements of Neo4j 5.x on `system` from an
 * EmulatedCluster: `SHOW SERVERS` / `SHOW DATABASES` (optionally `YIELD` columns, no WHERE / RETURN),
 * `ENABLE SERVER 'x'`, `DEALLOCATE DATABASE[S] FROM SERVER[S] 'x'[, 'y']`, `DROP SERVER 'x'`. Each
 * statement is one step of the cluster's time. An administration command in a read session is refused as a
 * follower refuses it (`Neo.ClientError.Cluster.NotALeader`); any other statement is a syntax error.
 */
export function emulatedBolt(cluster: EmulatedCluster, options: EmulatedBoltOptions = {}): BoltClient {
  const info = { address: cluster.servers[0]?.address ?? '', agent: options.agent ?? 'Neo4j/5.26.30', protocolVersion: '5.8' };
  return modelBolt(cluster, info, (cypher, database, access) => answer(cluster, cypher, database, access), options);
}

/** A BoltClient over a model: each statement is recorded, then one look of the model's time, then answered. */
export function modelBolt(
  model: { look(): void }, info: BoltServerInfo,
  answerOf: (cypher: string, database: string | undefined, access: BoltAccess) => Row[], options: EmulatedBoltOptions,
): BoltClient {
  return {
    serverInfo: async () => info,
    query: async (cypher, _params, database, access = 'read') => {
      options.statements?.push({ cypher, ...(database !== undefined && { database }), access });
      model.look();
      return answerOf(cypher, database, access);
    },
    close: async () => undefined,
  };
}

/** A BoltConnect whose every connection reaches `cluster` (the handler's `connect` dependency). */
export function emulatedConnect(cluster: EmulatedCluster, options: EmulatedBoltOptions = {}): BoltConnect {
  return () => emulatedBolt(cluster, options);
}

function answer(cluster: EmulatedCluster, cypher: string, database: string | undefined, access: BoltAccess): Row[] {
  let m = SHOW_SERVERS.exec(cypher);
  if (m) {
    const rows = serverRows(cluster);
    return project(rows, m[1], SHOW_SERVERS_DEFAULT, Object.keys(rows[0] ?? {}));
  }
  m = SHOW_DATABASES.exec(cypher);
  if (m) {
    const rows = databaseRows(cluster);
    return project(rows, m[1], SHOW_DATABASES_DEFAULT, Object.keys(rows[0] ?? {}));
  }
  const enable = ENABLE.exec(cypher);
  const deallocate = DEALLOCATE.exec(cypher);
  const drop = DROP.exec(cypher);
  if (!enable && !deallocate && !drop) throw neo4jError('Neo.ClientError.Statement.SyntaxError', `emulator: statement not understood: ${cypher}`);
  if (database !== undefined && database !== 'system') {
    throw neo4jError('Neo.ClientError.Statement.UnsupportedAdministrationCommand', `This is an administration command and it should be executed against the system database: ${cypher}`);
  }
  if (access !== 'write') throw neo4jError('Neo.ClientError.Cluster.NotALeader', 'No write operations are allowed on this database. This is a read only Neo4j instance.');
  if (enable) cluster.enable(unquote(enable[1]));
  if (deallocate) cluster.deallocate([...deallocate[1].matchAll(new RegExp(QUOTED, 'g'))].map((q) => unquote(q[1])));
  if (drop) cluster.drop(unquote(drop[1]));
  return [];
}
