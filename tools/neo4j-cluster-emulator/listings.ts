import { EmulatedCluster } from './emulated-cluster';
import { EmulatedServer } from './server-model';

type Row = Record<string, unknown>;

/** `SHOW SERVERS` columns without YIELD (operations manual, "Monitor servers"). */
export const SHOW_SERVERS_DEFAULT = ['name', 'address', 'state', 'health', 'hosting'];
/** `SHOW DATABASES` columns without YIELD (the ones this emulator answers). */
export const SHOW_DATABASES_DEFAULT = ['name', 'type', 'address', 'role', 'writer', 'requestedStatus', 'currentStatus', 'statusMessage'];

/** Every `SHOW SERVERS` row with every column this emulator knows (`YIELD *`). */
export function serverRows(cluster: EmulatedCluster): Row[] {
  return cluster.servers.map((server) => {
    const runs = server.state !== 'Dropped';
    return {
      serverId: server.serverId,
      name: server.name,
      address: server.address,
      state: server.state,
      health: server.health,
      hosting: runs && server.health === 'Available' ? ['system', ...server.copies.keys()].sort() : [],
      requestedHosting: runs ? ['system', ...server.allocated.keys()].sort() : [],
    };
  });
}

/** Every `SHOW DATABASES` row (one per database copy a server runs or is allocated) with every known column. */
export function databaseRows(cluster: EmulatedCluster): Row[] {
  return cluster.servers.filter((s) => s.state !== 'Dropped').flatMap((server) => [
    copyRow(server, 'system', 'system', 'primary', 'online'),
    ...cluster.copiesOf(server).map(([name, copy, allocated]) =>
      copyRow(server, name, 'standard', copy?.mode ?? allocated ?? 'primary', copy?.status ?? 'starting')),
  ]);
}

function copyRow(server: EmulatedServer, name: string, type: string, role: string, status: string): Row {
  const known = server.health === 'Available';
  return {
    name,
    type,
    address: server.address,
    role: known ? role : 'unknown',
    writer: false,
    requestedStatus: 'online',
    currentStatus: known ? status : 'unknown',
    statusMessage: known ? '' : 'Server is unavailable',
    serverID: server.serverId,
  };
}

/** The rows with only the YIELDed columns (or the defaults); an unknown column is Neo4j's syntax error. */
export function project(rows: Row[], yielded: string | undefined, defaults: readonly string[], all: readonly string[]): Row[] {
  const columns = yielded === undefined ? defaults : yielded.trim() === '*' ? all : yielded.split(',').map((c) => c.trim());
  const unknown = columns.filter((c) => !all.includes(c));
  if (unknown.length > 0) {
    throw Object.assign(new Error(`Variable \`${unknown[0]}\` not defined`), { name: 'Neo4jError', code: 'Neo.ClientError.Statement.SyntaxError' });
  }
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])));
}
