/**
 * The Bolt seam of the replacing world for a Neo4j 4.4 causal cluster (the 5.x one: member-bolt.ts): the
 * handlers (cluster-membership's wait-joined / wait-left, the health gate) connect to the cluster's Bolt
 * URI unchanged. `CALL dbms.cluster.overview()` and `SHOW DATABASES` are answered by the emulator's causal
 * model (SIMULATED) after it was brought to the world's real state (CausalMemberCluster.sync); every other
 * statement goes to a REAL server: the leader's. Its agent reports the 4.4 version of the image that server
 * plays (SIMULATED: a 5.26 stand-in runs, neo4j-player.ts versionFor).
 */
import { BoltClient, BoltConnect, connectBolt } from '../../../lambda/shared/bolt';
import { causalBolt } from '../../neo4j-cluster-emulator';
import { imageVersion } from '../neo4j-player';
import { asEnterprise } from '../rolling/cluster-answers';
import { CausalMemberCluster } from './causal-member-cluster';
import { MemberBoltOptions } from './member-bolt';

const MEMBERSHIP = /^\s*(CALL\s+dbms\.cluster\.overview\s*\(|SHOW\s+DATABASES?\b)/i;

export interface CausalMemberBoltOptions extends MemberBoltOptions {
  /** The image server `index` plays (its agent reports that image's version). */
  readonly imageOf: (index: number) => string | undefined;
}

export function causalMemberConnect(cluster: CausalMemberCluster, options: CausalMemberBoltOptions): BoltConnect {
  return (_uri, credentials, boltOptions) => {
    const clients = new Map<number, BoltClient>();
    const target = (): number => {
      const index = cluster.writer() ?? cluster.hosting()[0];
      if (index === undefined) throw Object.assign(new Error('no member hosts neo4j online'), { name: 'Neo4jError', code: 'ServiceUnavailable' });
      return index;
    };
    const real = (index: number): BoltClient => {
      let c = clients.get(index);
      if (!c) { c = connectBolt(options.realUri(index), credentials, boltOptions); clients.set(index, c); }
      return c;
    };
    return {
      async serverInfo() {
        const index = target();
        const info = await real(index).serverInfo();
        const image = options.imageOf(index);
        const version = image && imageVersion(image);
        if (version) options.note('causal-version');
        return { ...info, address: cluster.addressOf(index) ?? info.address, ...(version && { agent: `Neo4j/${version}` }) };
      },
      async query(cypher, params, database, access) {
        if (!MEMBERSHIP.test(cypher)) return asEnterprise(cypher, await real(target()).query(cypher, params, database, access), () => options.note('edition'));
        await options.sync();
        options.note('causal-members');
        options.note('causal-leader');
        return causalBolt(cluster.emulator).query(cypher, params, database, access);
      },
      async close() {
        await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
      },
    };
  };
}
