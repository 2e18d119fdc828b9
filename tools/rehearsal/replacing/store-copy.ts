/**
 * SIMULATED: the store copy Neo4j clustering does when a database is allocated to a new member. Community
 * has no clustering, so the harness copies the data the rehearsal checks (the marker nodes written before
 * the upgrade, the client's writes) from the current members' REAL stores into the new member's REAL
 * Neo4j, over Bolt (a running store's files cannot be copied consistently). Only `neo4j` is real.
 */
import neo4j, { Record as Neo4jRecord } from 'neo4j-driver';
import { WORKLOAD_LABEL } from '../workload/client-workload';
import { ServerSet } from '../rolling/server-set';
import { StoreCopy } from './member-cluster';

const MARKER = 'RehearsalMarker';

/** What one copy moved (the report's per-server figures). */
export interface CopyRecord {
  readonly to: number;
  readonly from: readonly number[];
  readonly markers: number;
  readonly writes: number;
  readonly durationMs: number;
}

async function run<T>(uri: string, password: string, cypher: string, params: Record<string, unknown>, pick: (r: Neo4jRecord) => T): Promise<T[]> {
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', password), { disableLosslessIntegers: true });
  try {
    const session = driver.session();
    try {
      return (await session.run(cypher, params)).records.map(pick);
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
}

/** The store copy of `neo4j` between the set's real servers; each copy recorded in `records`. */
export function storeCopy(servers: ServerSet, password: string, records: CopyRecord[]): StoreCopy {
  return async (from, to, database) => {
    if (database !== 'neo4j') return; // only neo4j is real; other databases have nothing to copy
    if (from.length === 0) throw new Error(`no current member hosts ${database} online to copy it from`);
    const t0 = Date.now();
    const markers = new Map<number, string>();
    const writes = new Set<number>();
    for (const i of from) {
      const uri = servers.boltUri(i);
      for (const m of await run(uri, password, `MATCH (n:${MARKER}) RETURN n.i AS i, n.createdBy AS v`, {}, (r) => [Number(r.get('i')), String(r.get('v'))] as const)) markers.set(m[0], m[1]);
      for (const s of await run(uri, password, `MATCH (w:${WORKLOAD_LABEL}) RETURN w.seq AS seq`, {}, (r) => Number(r.get('seq')))) writes.add(s);
    }
    const target = servers.boltUri(to);
    await run(target, password, `UNWIND $m AS m MERGE (n:${MARKER} {i: m.i}) SET n.createdBy = m.v`, { m: [...markers].map(([i, v]) => ({ i, v })) }, () => 0);
    await run(target, password, `UNWIND $s AS s MERGE (:${WORKLOAD_LABEL} {seq: s})`, { s: [...writes] }, () => 0);
    // Read back from the target's real store; the player checks this count at every later restart of it.
    const [held] = await run(target, password, `MATCH (n:${MARKER}) WHERE n.i IN $i RETURN count(n) AS c`, { i: [...markers.keys()] }, (r) => Number(r.get('c')));
    if (held !== markers.size) throw new Error(`server ${to} holds ${held} of the ${markers.size} marker nodes copied`);
    const [total] = await run(target, password, `MATCH (n:${MARKER}) RETURN count(n) AS c`, {}, (r) => Number(r.get('c')));
    servers.server(to).player.seededNodes = total;
    records.push({ to, from: [...from], markers: markers.size, writes: writes.size, durationMs: Date.now() - t0 });
  };
}
