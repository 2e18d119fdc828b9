/**
 * The write freeze on Community (SIMULATED): embedded Community has no `ALTER DATABASE ... SET ACCESS`.
 * Enterprise keeps a database's access mode in the system database, i.e. in every server's store, so it
 * travels with every copy of a store. The harness keeps it the same way: a file in the store's `data/`
 * (the container's /data), which every copy the harness makes (snapshot-time copies, the copies to the
 * other servers, a rollback's restores: store-volumes.ts) carries along.
 * - `accessSeam`: the write-freeze handler's Bolt seam. `CALL dbms.components()` answers the running
 *   servers' version, `SHOW DATABASES` one row per server that is up and database (`system`, `neo4j`) with
 *   the access its store holds, and `ALTER DATABASE x SET ACCESS ...` writes it into every running server's
 *   store (Enterprise: the system database's leader commits it and every member applies it; a server down at
 *   that moment is not changed here, where Enterprise would catch it up when it rejoins).
 * - `refusesWrites`: whether a server's store holds `neo4j` READ ONLY: the client workload's writes to it are
 *   refused as Neo4j refuses them (never acknowledged; the client retries).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Driver } from 'neo4j-driver';
import type { ServerSet } from '../rolling/server-set';

export const ACCESS_FILE = 'rehearsal-database-access.json';
/** The user databases of the rehearsal's servers (the workload's and the markers' database). */
const USER_DATABASES = ['neo4j'];

export const ACCESS_SIMULATED = {
  key: 'offline-write-freeze',
  what: 'ALTER DATABASE ... SET ACCESS READ ONLY / READ WRITE and SHOW DATABASES\' access: kept per store in a file of its data directory (copied with every store copy); writes to a READ ONLY database refused',
  why: 'Neo4j Community has no ALTER DATABASE; Enterprise keeps the access mode in the system database, in every server\'s store',
};

type Access = 'read-only' | 'read-write';

function accessFile(storeDir: string): string {
  return path.join(storeDir, 'data', ACCESS_FILE);
}

/** The access of every user database this store holds (read-write unless set otherwise). */
export function storeAccess(storeDir: string): Record<string, Access> {
  const file = accessFile(storeDir);
  const set = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Access> : {};
  return Object.fromEntries(USER_DATABASES.map((db) => [db, set[db] ?? 'read-write']));
}

function setStoreAccess(storeDir: string, database: string, access: Access): void {
  fs.mkdirSync(path.join(storeDir, 'data'), { recursive: true });
  fs.writeFileSync(accessFile(storeDir), JSON.stringify({ ...storeAccess(storeDir), [database]: access }));
}

/** Why a write to `neo4j` on this store is refused, or undefined when the database takes writes. */
export function refusesWrites(storeDir: string): string | undefined {
  return storeAccess(storeDir).neo4j === 'read-only'
    ? 'Neo.ClientError.General.ForbiddenOnReadOnlyDatabase: database neo4j is READ ONLY (the write freeze, SIMULATED)'
    : undefined;
}

const record = (o: Record<string, unknown>) => ({ get: (k: string) => o[k], has: (k: string) => k in o, toObject: () => o });

/** The write-freeze handler's `connect`: answers on the servers that are up, from and into their stores. */
export function accessSeam(servers: ServerSet, note: () => void): () => Driver {
  return () => ({
    executeQuery: async (cypher: string) => {
      const up = servers.servers.filter((s) => servers.isUp(s.index));
      if (up.length === 0) throw Object.assign(new Error('no server is up (write freeze seam)'), { code: 'ServiceUnavailable' });
      note();
      if (/^CALL dbms\.components\(\)/.test(cypher)) return { records: [record({ version: up[0].player.runningVersion ?? '' })] };
      if (cypher === 'SHOW DATABASES') {
        return {
          records: up.flatMap((s) => [
            record({ name: 'system', type: 'system', access: 'read-write', address: `server-${s.index}` }),
            ...Object.entries(storeAccess(s.dataDir)).map(([name, access]) => record({ name, type: 'standard', access, address: `server-${s.index}` })),
          ]),
        };
      }
      const alter = /^ALTER DATABASE `([^`]+)` SET ACCESS (READ ONLY|READ WRITE)( WAIT)?$/.exec(cypher);
      if (!alter) throw new Error(`the write freeze seam answers only dbms.components, SHOW DATABASES and ALTER DATABASE ... SET ACCESS, got ${cypher}`);
      for (const s of up) setStoreAccess(s.dataDir, alter[1], alter[2] === 'READ ONLY' ? 'read-only' : 'read-write');
      return { records: [] };
    },
    close: async () => undefined,
  }) as unknown as Driver;
}
