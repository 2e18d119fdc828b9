/**
 * The Bolt seam of the per-server world: what the health gate reads about the cluster. The questions only
 * an Enterprise cluster can answer (SHOW SERVERS, SHOW DATABASES across servers, dbms.cluster.overview())
 * are answered from the cluster state (cluster-state.ts, SIMULATED) plus each server's liveness and each
 * up server's OWN real SHOW DATABASES (its databases' real currentStatus: a database that is still
 * `starting` or stopped on a real server shows so). lastCommittedTxn is copied from the leader to every up
 * server (replication is simulated: writes land on the leader's store only); Community answers null for it,
 * so the copied id is then CONVERGED_TXN. Every other query goes to a
 * real server: the one the URI names if it names one, else the leader.
 */
import { BoltConnect, BoltClient, connectBolt } from '../../../lambda/shared/bolt';
import { ClusterState } from './cluster-state';
import { ServerSet } from './server-set';

export const ROLLING_SIMULATED = {
  membership: {
    what: 'health-gate SHOW SERVERS / SHOW DATABASES / dbms.cluster.overview(): one member per server of the layout, Available while its real Neo4j is up, roles from the layout, each up server\'s databases with their real status from its own Neo4j, a down server\'s as unknown',
    why: 'Neo4j Community has no clustering: membership and roles are the world\'s state, liveness and database status are real',
  },
  leader: {
    what: 'leader: the layout\'s first primary, re-elected (lowest-numbered primary up) when it goes down',
    why: 'no Raft between Community servers',
  },
  replication: {
    what: 'SHOW DATABASES lastCommittedTxn: the leader\'s value on every up server (converged); Community reports null there, so the value is the world\'s CONVERGED_TXN',
    why: 'no replication between Community servers; each store only holds what was written to it, and Community has no lastCommittedTxn',
  },
  edition: {
    what: 'dbms.components() edition community reported as enterprise',
    why: 'the embedded Neo4j is Community; the version it reports is real',
  },
} as const;

export type RollingSimulatedKey = keyof typeof ROLLING_SIMULATED;

const DATABASES = ['neo4j', 'system'];
/** The id every up server reports when the leader's real one is null (Community): all converged, no lag. */
export const CONVERGED_TXN = 0;

/** dbms.components() rows of the Community servers reported as enterprise (`noted` once per such row); other rows as they are. */
export function asEnterprise(cypher: string, rows: Array<Record<string, unknown>>, noted: () => void): Array<Record<string, unknown>> {
  if (!/dbms\.components/i.test(cypher)) return rows;
  return rows.map((r) => {
    if (String(r.edition).toLowerCase() !== 'community') return r;
    noted();
    return { ...r, edition: 'enterprise' };
  });
}

function portOf(uri: string): number | undefined {
  const m = /:(\d+)\/?$/.exec(uri);
  return m ? Number(m[1]) : undefined;
}

/**
 * `addresses`: each server's advertised address (its instance's private IP in a deployed cluster, so the
 * procedure finds the leader's instance), while the real Neo4j behind it listens on its own local port.
 */
export function clusterConnect(
  servers: ServerSet, cluster: ClusterState, addresses: () => Promise<Map<number, string>>, note: (key: RollingSimulatedKey) => void,
): BoltConnect {
  return (uri, credentials, options) => {
    const clients = new Map<number, BoltClient>();
    const client = (index: number) => {
      let c = clients.get(index);
      if (!c) { c = connectBolt(servers.boltUri(index), credentials, options); clients.set(index, c); }
      return c;
    };
    const named = servers.servers.find((s) => s.port === portOf(uri))?.index;
    const target = () => named ?? cluster.leader() ?? servers.servers[0].index;
    let known = new Map<number, string>();
    const look = async () => { known = await addresses(); };
    const address = (index: number) => known.get(index) ?? `127.0.0.1:${servers.server(index).port}`;
    const leader = () => cluster.leader();

    const showServers = async () => {
      note('membership');
      await look();
      return cluster.layout.map((s) => {
        const up = servers.isUp(s.index);
        return { name: `server-${s.index}`, address: address(s.index), state: 'Enabled', health: up ? 'Available' : 'Unavailable', hosting: up ? DATABASES : [], requestedHosting: DATABASES };
      });
    };

    const showDatabases = async (cypher: string, params: Record<string, unknown> | undefined) => {
      note('membership');
      await look();
      const lead = leader();
      const perServer = await Promise.all(cluster.layout.map(async (s): Promise<Array<Record<string, unknown>>> => {
        const down = () => DATABASES.map((name) => ({
          name, address: address(s.index), role: 'unknown', writer: false, currentStatus: 'unknown', requestedStatus: 'online', statusMessage: 'Server is unavailable',
        }));
        if (!servers.isUp(s.index)) return down();
        try {
          const rows = await client(s.index).query(cypher, params, 'system');
          return rows.map((r) => ({ ...r, address: address(s.index), role: r.name === 'system' ? (s.index === lead ? 'primary' : s.role) : s.role, writer: s.index === lead && r.writer === true }));
        } catch {
          return down(); // stopped between the liveness look and the query
        }
      }));
      const leaderTxn = new Map<string, unknown>();
      const leaderRows = lead === undefined ? [] : perServer[cluster.layout.findIndex((s) => s.index === lead)];
      // Community answers lastCommittedTxn with null (a cluster column): the converged id is then the world's.
      for (const r of leaderRows) if ('lastCommittedTxn' in r) leaderTxn.set(String(r.name), typeof r.lastCommittedTxn === 'number' ? r.lastCommittedTxn : CONVERGED_TXN);
      if (leaderTxn.size > 0) note('replication');
      return perServer.flat().map((r) => (leaderTxn.has(String(r.name)) && r.currentStatus !== 'unknown' ? { ...r, lastCommittedTxn: leaderTxn.get(String(r.name)) } : r));
    };

    const overview = async () => {
      note('membership');
      await look();
      const lead = leader();
      return cluster.upServers().map((i) => ({
        id: `server-${i}`, addresses: [`bolt://${address(i)}`],
        databases: Object.fromEntries(DATABASES.map((d) => [d, i === lead ? 'LEADER' : cluster.role(i) === 'primary' ? 'FOLLOWER' : 'READ_REPLICA'])),
        role: i === lead ? 'LEADER' : cluster.role(i) === 'primary' ? 'FOLLOWER' : 'READ_REPLICA', groups: [],
      }));
    };

    return {
      async serverInfo() {
        const info = await client(target()).serverInfo();
        await look();
        return { ...info, address: address(target()) };
      },
      async query(cypher, params, database) {
        if (/^\s*SHOW\s+SERVERS\b/i.test(cypher)) return showServers();
        if (/^\s*SHOW\s+DATABASES\b/i.test(cypher)) return showDatabases(cypher, params);
        if (/dbms\.cluster\.overview/i.test(cypher)) return overview();
        return asEnterprise(cypher, await client(target()).query(cypher, params, database), () => note('edition'));
      },
      async close() {
        await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
      },
    };
  };
}
