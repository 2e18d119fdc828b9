/**
 * The Bolt seam of the replacing world (as rolling/cluster-answers.ts is the fixed roll's): the handlers
 * (cluster-membership, health-gate) connect to the cluster's Bolt URI unchanged. Server management
 * (SHOW SERVERS, SHOW DATABASES, ENABLE SERVER, DEALLOCATE DATABASES FROM SERVER, DROP SERVER) is answered by
 * the emulator (SIMULATED) after it was brought to the world's real state (MemberCluster.sync); SHOW
 * DATABASES gets the columns a real 5.x cluster adds (`writer` on the simulated leader's copy,
 * `lastCommittedTxn` converged: Community has no replication). Every other statement goes to a REAL server:
 * the writer's.
 */
import { BoltClient, BoltConnect, connectBolt } from '../../../lambda/shared/bolt';
import { emulatedBolt } from '../../neo4j-cluster-emulator';
import { SHOW_DATABASES_DEFAULT, databaseRows, project } from '../../neo4j-cluster-emulator/listings';
import { CONVERGED_TXN, asEnterprise } from '../rolling/cluster-answers';
import { MemberCluster } from './member-cluster';

export const REPLACING_SIMULATED = {
  servers: {
    what: 'SHOW SERVERS / SHOW DATABASES / ENABLE SERVER / DEALLOCATE DATABASES FROM SERVER / DROP SERVER answered by tools/neo4j-cluster-emulator, driven by the real servers (discovered once their Neo4j is up, Unavailable or gone once it stops)',
    why: 'Neo4j Community has no clustering: server management is the emulator\'s model of the documented API',
  },
  'store-copy': {
    what: 'the store copy of a database allocated to a new member: the harness copies the marker nodes and the client\'s writes from the current members into the new member\'s real Neo4j before the emulator lets the copy come online; and replication: a member that stops for good first has its client writes copied to the members that remain',
    why: 'no replication between Community servers',
  },
  edition: {
    what: 'dbms.components() edition community reported as enterprise',
    why: 'the embedded Neo4j is Community; the version it reports is real',
  },
  leader: {
    what: 'the writer of neo4j: the lowest-numbered server hosting it online, kept while it does; lastCommittedTxn converged on every copy',
    why: 'no Raft between Community servers',
  },
  'causal-members': {
    what: 'Neo4j 4.4: CALL dbms.cluster.overview() and 4.4 SHOW DATABASES answered by the causal model of tools/neo4j-cluster-emulator, driven by the real servers (a member discovered once its Neo4j is up, its copies starting until the store copy is done, gone from both listings once its process stops)',
    why: 'Neo4j Community has no clustering, and the 4.4 image is played by a 5.26 stand-in',
  },
  'causal-leader': {
    what: 'Neo4j 4.4: the leader of each database: the first core running it online, kept while it runs (the emulator\'s election)',
    why: 'no Raft between Community servers',
  },
  'causal-version': {
    what: 'Neo4j 4.4: the agent a server reports (Neo4j/<version>) is the version of the 4.4 image it plays, not the real 5.26 stand-in\'s',
    why: 'no embedded 4.4 Neo4j: neo4j-player.ts plays a 4.4 image with the 5.26 LTS',
  },
} as const;

export type ReplacingSimulatedKey = keyof typeof REPLACING_SIMULATED;

const MANAGEMENT = /^\s*(SHOW\s+SERVERS?|SHOW\s+DATABASES?|ENABLE\s+SERVER|DEALLOCATE\s+DATABASES?|DROP\s+SERVER)\b/i;
const SHOW_DATABASES = /^\s*SHOW\s+DATABASES?(?:\s+YIELD\s+(.+?))?\s*$/is;
const COMMANDED: Array<[RegExp, 'enabled' | 'deallocated' | 'dropped']> = [
  [/^\s*ENABLE\s+SERVER\s+'((?:[^'\\]|\\.)*)'/i, 'enabled'],
  [/^\s*DEALLOCATE\s+DATABASES?\s+FROM\s+SERVERS?\s+'((?:[^'\\]|\\.)*)'/i, 'deallocated'],
  [/^\s*DROP\s+SERVER\s+'((?:[^'\\]|\\.)*)'/i, 'dropped'],
];

export interface MemberBoltOptions {
  /** Brings the cluster to the world's real state (MemberCluster.sync with the servers' addresses and liveness). */
  readonly sync: () => Promise<void>;
  /** The Bolt URI of server `index`'s real Neo4j. */
  readonly realUri: (index: number) => string;
  readonly note: (key: ReplacingSimulatedKey) => void;
}

/** SHOW DATABASES rows with the writer and a converged lastCommittedTxn, projected to the YIELDed columns. */
export function showDatabases(cluster: MemberCluster, yielded: string | undefined): Array<Record<string, unknown>> {
  const writer = cluster.writer();
  const writerAddress = writer === undefined ? undefined : cluster.addressOf(writer);
  const rows = databaseRows(cluster.emulator).map((r) => ({
    ...r,
    writer: r.name !== 'system' && r.address === writerAddress && r.currentStatus === 'online',
    lastCommittedTxn: r.currentStatus === 'online' ? CONVERGED_TXN : null,
  }));
  return project(rows, yielded, [...SHOW_DATABASES_DEFAULT, 'lastCommittedTxn'], [...SHOW_DATABASES_DEFAULT, 'serverID', 'lastCommittedTxn']);
}

export function memberConnect(cluster: MemberCluster, options: MemberBoltOptions): BoltConnect {
  return (_uri, credentials, boltOptions) => {
    const emulated = emulatedBolt(cluster.emulator);
    const clients = new Map<number, BoltClient>();
    const real = (): BoltClient => {
      const index = cluster.writer() ?? cluster.hosting()[0];
      if (index === undefined) throw Object.assign(new Error('no server hosts neo4j online'), { name: 'Neo4jError', code: 'ServiceUnavailable' });
      let c = clients.get(index);
      if (!c) { c = connectBolt(options.realUri(index), credentials, boltOptions); clients.set(index, c); }
      return c;
    };
    return {
      async serverInfo() {
        const client = real();
        const info = await client.serverInfo();
        const writer = cluster.writer();
        return { ...info, address: (writer !== undefined && cluster.addressOf(writer)) || info.address };
      },
      async query(cypher, params, database, access) {
        if (!MANAGEMENT.test(cypher)) return asEnterprise(cypher, await real().query(cypher, params, database, access), () => options.note('edition'));
        await options.sync();
        options.note('servers');
        const show = SHOW_DATABASES.exec(cypher);
        if (show) {
          options.note('leader');
          return showDatabases(cluster, show[1]);
        }
        const rows = await emulated.query(cypher, params, database, access);
        for (const [pattern, what] of COMMANDED) {
          const m = pattern.exec(cypher);
          if (m) cluster.commanded(what, m[1].replace(/\\(.)/g, '$1'));
        }
        return rows;
      },
      async close() {
        await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
      },
    };
  };
}
