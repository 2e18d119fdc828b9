/**
 * The Bolt seam: the database connection a handler gets (its `connect` dep), played by the harness.
 * Health gates talk to the real local Neo4j through it, with what a standalone Community server cannot
 * answer added: Enterprise membership (SHOW SERVERS, SHOW DATABASES per member), the leader's address and
 * the edition the image names. The validator and the Cypher migrations get the real driver, unchanged.
 */
import * as path from 'node:path';
import type { Driver } from 'neo4j-driver';
import { BoltConnect, connectBolt } from '../../lambda/shared/bolt';
import { WAIT_COMPLETION } from './adaptations';
import { WaitEpisode } from './wait-episodes';
import { World } from './world';
import { hidingWorkload } from './workload/hidden-from-validator';

/** The Enterprise cluster a health gate would see, derived from moto's Auto Scaling state and the modes. */
export interface SimulatedCluster {
  readonly members: Array<{ id: string; address: string; role: 'primary' | 'secondary'; writer: boolean }>;
  readonly leaderAddress: string;
  /** The edition the image names (the embedded server is Community). */
  readonly edition?: string;
  /** The gate's wait, while its modelled completion lies ahead: the last member is not yet Available. */
  readonly wait?: WaitEpisode;
}

const isLocal = (a: unknown) => typeof a === 'string' && /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(a);

/** A BoltConnect to the real local Neo4j that also answers what only an Enterprise cluster can. */
export function simulatedConnect(world: World, cluster: SimulatedCluster): BoltConnect {
  return (uri, credentials, options) => {
    const real = connectBolt(uri, credentials, options);
    return {
      async serverInfo() {
        const info = await real.serverInfo();
        if (!isLocal(info.address)) return info;
        world.note('leader');
        return { ...info, address: cluster.leaderAddress };
      },
      async query(cypher, params, database) {
        if (/^\s*SHOW\s+SERVERS\b/i.test(cypher)) {
          world.note('membership');
          const starting = cluster.wait?.pending() ? cluster.members.length - 1 : -1;
          if (starting >= 0) world.note(WAIT_COMPLETION);
          return cluster.members.map((m, i) => ({
            name: m.id, address: m.address, state: 'Enabled', health: i === starting ? 'Unavailable' : 'Available',
            hosting: ['neo4j', 'system'], requestedHosting: ['neo4j', 'system'],
          }));
        }
        const rows = await real.query(cypher, params, database);
        if (/^\s*SHOW\s+DATABASES\b/i.test(cypher)) {
          world.note('membership');
          return cluster.members.flatMap((m) => rows.map((row) => ({
            ...row,
            address: m.address,
            role: m.role,
            writer: row.writer === true && m.writer,
          })));
        }
        return rows.map((row) => {
          const out = { ...row };
          if (isLocal(out.address)) {
            out.address = cluster.leaderAddress;
            world.note('leader');
          }
          if (cluster.edition && /dbms\.components/i.test(cypher) && String(out.edition).toLowerCase() === 'community' && cluster.edition !== 'community') {
            out.edition = cluster.edition;
            world.note('edition');
          }
          return out;
        });
      },
      close: () => real.close(),
    };
  };
}

/** The `connect` dep of a handler that talks to Neo4j (undefined for the others: their real default). */
export async function boltSeamFor(
  handler: string, payload: Record<string, unknown>, world: World, parameterNames: Record<string, string>, root: string, say: (line: string) => void,
  wait?: WaitEpisode,
): Promise<unknown> {
  // A world that answers the cluster's Bolt itself (the per-server worlds) answers the membership handler too.
  if (handler === 'health-gate' || handler === 'cluster-membership') {
    const own = world.gateConnect();
    if (own) return own;
    if (handler === 'cluster-membership') return undefined;
    // The edition the nodes' image names (what the stack runs now), never the gate's own expectation.
    const image = String((await world.parameters())[parameterNames.dockerImage ?? 'DockerImage'] ?? '');
    const edition = /-(enterprise|community)\b/.exec(image.split('@')[0].split(':').pop() ?? '')?.[1];
    const members = await world.members(parameterNames);
    const expected = String(payload.expectedVersion ?? '');
    const numeric = (v: string) => v.split('.').map(Number).join('.');
    if (expected && world.neo4j?.runningVersion && numeric(expected) !== numeric(world.neo4j.runningVersion)) {
      say(`  (health gate expects Neo4j ${expected}; the real Neo4j runs ${world.neo4j.runningVersion})`);
    }
    return simulatedConnect(world, { ...members, ...(edition && { edition }), wait });
  }
  if (handler === 'write-freeze') return world.writeFreezeConnect();
  if (handler === 'validate-migration' || handler === 'run-migrations') {
    // The validator and the Cypher migrations use the real local Neo4j with the validator's driver; the
    // validator does not see the client workload's writes (workload/hidden-from-validator.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { connect } = require(path.join(root, 'validator', 'connect')) as { connect: (...a: unknown[]) => Driver };
    return handler === 'validate-migration' ? hidingWorkload(connect, world) : connect;
  }
  return undefined;
}
