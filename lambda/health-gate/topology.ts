import { BoltClient, boltErrorCode } from '../shared/bolt';
import { hostPortOf } from '../shared/bolt-address';
import { Neo4jVersion } from '../shared/image-reference';

/**
 * Cluster membership as one Neo4j server reports it over Bolt, per version family:
 * - 3.x HA: the JMX bean "High Availability" (dbms.queryJmx), InstancesInCluster;
 * - 3.5 causal and 4.x: `CALL dbms.cluster.overview()`, plus `SHOW DATABASES` statuses (4.x);
 * - 5.x and calendar versions: `SHOW SERVERS` and `SHOW DATABASES`, with Neo4j's rolling-upgrade gate
 *   (no server whose hosting differs from requestedHosting, no database whose currentStatus differs from
 *   requestedStatus).
 * A server without clustering (Community, or Enterprise in SINGLE mode) is `standalone`: one member that
 * is its own leader.
 */
export type TopologyKind = 'ha' | 'causal' | 'servers' | 'standalone';

export interface TopologyMember {
  /** Instance id (HA), member id (causal), server name (5.x), or 'standalone'. */
  readonly id: string;
  /** host:port as the cluster reports it (Bolt where known, else the cluster address). */
  readonly address: string;
  /** master / slave (HA), LEADER / FOLLOWER / READ_REPLICA (causal), primary / secondary (5.x). */
  readonly role: string;
}

export interface Topology {
  readonly kind: TopologyKind;
  /** How it was read, for messages: `SHOW SERVERS`, `dbms.cluster.overview()`, ... */
  readonly via: string;
  /** Members that count: alive and available (HA), discovered (causal), Enabled and Available (5.x). */
  readonly members: TopologyMember[];
  /** Leaders (HA master, causal LEADER of the database, 5.x writer of the database) among all servers. */
  readonly leaders: TopologyMember[];
  /** Findings that fail the gate, each a sentence. */
  readonly problems: string[];
  /** Findings that do not fail it (e.g. dead HA instances the cluster still lists). */
  readonly notes: string[];
  /** SHOW DATABASES rows (one per database and server) where the family has it, else []. */
  readonly databases: Row[];
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** The host of `host:port` or `[v6]:port`. */
export function hostOf(address: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(address);
  if (v6) return v6[1];
  return address.replace(/:\d+$/, '');
}

function preferredAddress(uris: string[]): string {
  const pick = uris.find((u) => /^bolt/i.test(u)) ?? uris.find((u) => /^ha:/i.test(u)) ?? uris[0] ?? '';
  return hostPortOf(pick);
}

/** The feature does not exist on this server: no such procedure, or an admin command Community lacks. */
export function isUnsupported(err: unknown): boolean {
  return boltErrorCode(err) === 'Neo.ClientError.Procedure.ProcedureNotFound' ||
    /Unsupported administration command/i.test(err instanceof Error ? err.message : '');
}

function standalone(via: string, address: string, leader: boolean, problems: string[] = [], databases: Row[] = []): Topology {
  const self = { id: 'standalone', address, role: 'standalone' };
  return { kind: 'standalone', via, members: [self], leaders: leader ? [self] : [], problems, notes: [], databases };
}

export async function readTopology(bolt: BoltClient, version: Neo4jVersion, database: string, selfAddress: string): Promise<Topology> {
  if (version.major >= 5) return readServers(bolt, database, selfAddress);
  if (version.major === 4) {
    const databases = await bolt.query('SHOW DATABASES', {}, 'system');
    const causal = await readOverview(bolt, database, databaseProblems(databases, database));
    if (causal) return { ...causal, databases };
    const leader = databases.some((d) => d.name === database && ['standalone', 'leader'].includes(str(d.role).toLowerCase()));
    return standalone('SHOW DATABASES (no dbms.cluster.overview: not clustered)', selfAddress, leader, databaseProblems(databases, database), databases);
  }
  const ha = await readHa(bolt);
  if (ha) return ha;
  const causal = await readOverview(bolt, database, []);
  if (causal) return causal;
  return standalone('dbms.queryJmx (no High Availability bean) and no dbms.cluster.overview: not clustered', selfAddress, true);
}

/** 3.x HA: the "High Availability" JMX bean, or undefined when the server is not in HA mode. */
async function readHa(bolt: BoltClient): Promise<Topology | undefined> {
  const rows = await bolt.query("CALL dbms.queryJmx('org.neo4j:name=High Availability,*') YIELD attributes RETURN attributes");
  if (rows.length === 0) return undefined;
  const attributes = (rows[0].attributes ?? {}) as Record<string, { value?: unknown }>;
  const instances = attributes.InstancesInCluster?.value;
  if (!Array.isArray(instances)) {
    throw new Error('the High Availability JMX bean has no InstancesInCluster list');
  }
  const members: TopologyMember[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  for (const entry of instances) {
    const p = (entry as { properties?: Row } | null)?.properties;
    if (!p) throw new Error(`the High Availability JMX bean lists an instance without properties: ${JSON.stringify(entry)}`);
    const member = { id: str(p.instanceId), address: preferredAddress(strings(p.uris)), role: str(p.haRole) };
    const label = `HA instance ${member.id} (${member.address || 'no address'}, ${member.role || 'no role'})`;
    if (p.alive !== true) notes.push(`${label} is not alive and does not count as a member`);
    else if (p.available !== true) problems.push(`${label} is alive but not available`);
    else members.push(member);
  }
  const leaders = members.filter((m) => m.role.toLowerCase() === 'master');
  return { kind: 'ha', via: 'dbms.queryJmx High Availability InstancesInCluster', members, leaders, problems, notes, databases: [] };
}

/** 3.5 causal and 4.x: the cluster overview, or undefined when the procedure does not exist. */
async function readOverview(bolt: BoltClient, database: string, problems: string[]): Promise<Topology | undefined> {
  let rows: Row[];
  try {
    rows = await bolt.query('CALL dbms.cluster.overview()');
  } catch (err) {
    if (isUnsupported(err)) return undefined;
    throw err;
  }
  const members = rows.map((r) => {
    // 4.x: databases {name: role}; 3.5: role.
    const roles = r.databases as Record<string, unknown> | undefined;
    const role = roles ? str(roles[database]) || 'not hosting' : str(r.role);
    return { id: str(r.id), address: preferredAddress(strings(r.addresses)), role };
  });
  const leaders = members.filter((m) => m.role.toUpperCase() === 'LEADER');
  return { kind: 'causal', via: 'dbms.cluster.overview()', members, leaders, problems, notes: [], databases: [] };
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
}

/**
 * Databases not at their requested status on some server (a database still `starting`, or one that failed
 * to start, is never ready), the gate's database requested offline somewhere (it must serve), and the
 * gate's database missing, as sentences.
 */
function databaseProblems(databases: Row[], database: string): string[] {
  const problems = databases
    .filter((d) => str(d.currentStatus) !== str(d.requestedStatus))
    .map((d) => {
      const why = str(d.statusMessage ?? d.error);
      return `database ${str(d.name)} on ${str(d.address) || 'unknown address'} is ${str(d.currentStatus)}, requested ${str(d.requestedStatus)}${why ? ` (${why})` : ''}`;
    });
  for (const d of databases.filter((r) => r.name === database && str(r.requestedStatus) !== 'online')) {
    problems.push(`database ${database} on ${str(d.address) || 'unknown address'} is requested ${str(d.requestedStatus)}: the gate's database must be online`);
  }
  if (!databases.some((d) => d.name === database)) problems.push(`database ${database} does not exist`);
  return problems;
}

/** 5.x and calendar versions: SHOW SERVERS and SHOW DATABASES on the system database. */
async function readServers(bolt: BoltClient, database: string, selfAddress: string): Promise<Topology> {
  const databases = await bolt.query(
    'SHOW DATABASES YIELD name, address, role, writer, currentStatus, requestedStatus, statusMessage, lastCommittedTxn', {}, 'system');
  const problems = databaseProblems(databases, database);
  const writers = databases.filter((d) => d.name === database && d.writer === true);
  let servers: Row[];
  try {
    servers = await bolt.query('SHOW SERVERS YIELD name, address, state, health, hosting, requestedHosting', {}, 'system');
  } catch (err) {
    if (!isUnsupported(err)) throw err;
    const address = str(writers[0]?.address) || selfAddress;
    return standalone('SHOW DATABASES (SHOW SERVERS unsupported: not clustered)', address, writers.length === 1, problems, databases);
  }
  const members: TopologyMember[] = [];
  for (const s of servers) {
    const member = { id: str(s.name), address: str(s.address), role: '' };
    if (s.state !== 'Enabled' || s.health !== 'Available') {
      const hint = s.state === 'Free' ? ': run ENABLE SERVER' : '';
      problems.push(`server ${member.id} (${member.address}) is ${str(s.state)} and ${str(s.health)}${hint}`);
    } else {
      members.push(member);
    }
    if (!sameSet(strings(s.hosting), strings(s.requestedHosting))) {
      problems.push(
        `server ${member.id} (${member.address}) hosts [${strings(s.hosting).join(', ')}] ` +
        `but is requested to host [${strings(s.requestedHosting).join(', ')}]`,
      );
    }
  }
  const roleAt = (address: string) => str(databases.find((d) => d.name === database && d.address === address)?.role);
  const withRoles = members.map((m) => ({ ...m, role: roleAt(m.address) || 'not hosting' }));
  const leaders = writers.map((w) => {
    const server = servers.find((s) => s.address === w.address);
    return { id: str(server?.name) || str(w.address), address: str(w.address), role: `${str(w.role)} (writer)` };
  });
  return { kind: 'servers', via: 'SHOW SERVERS and SHOW DATABASES', members: withRoles, leaders, problems, notes: [], databases };
}
