import {
  DatabaseCopy, EmulatedDatabase, EmulatedServer, HostingMode, REFUSED, ServerHealth, ServerManagementError,
} from './server-model';

export interface EmulatedClusterOptions {
  /** Looks (statements) a new database copy stays `starting` before it is online (the store copy). Default 2. */
  readonly copyStartLooks?: number;
}

/** What a server is started with: the address it advertises for Bolt (`SHOW SERVERS` `address`). */
export interface ServerStart {
  readonly address: string;
}

/**
 * SIMULATED. A Neo4j 5.x cluster's servers and allocations (see server-model.ts). Time advances by
 * `look()`, which the Bolt stand-in calls once per statement: a starting copy comes online after
 * `copyStartLooks` looks; a copy no longer allocated stops once every allocated copy of its database is
 * online (the manual: a deallocating primary keeps its copy until the replacement has started); a
 * Deallocating server that runs nothing but `system` becomes Deallocated.
 */
export class EmulatedCluster {
  readonly servers: EmulatedServer[] = [];
  readonly databases = new Map<string, EmulatedDatabase>();
  private readonly copyStartLooks: number;
  /** `address/database` pairs whose copies never leave `starting` (holdStarting). */
  private readonly stuck = new Set<string>();
  private nextId = 0;

  constructor(options: EmulatedClusterOptions = {}) {
    this.copyStartLooks = options.copyStartLooks ?? 2;
  }

  /**
   * A formed cluster: `addresses.length` Enabled servers, each database allocated (and online) on the
   * first `primaries` of them in primary mode and the next `secondaries` in secondary mode.
   */
  static formed(addresses: readonly string[], databases: readonly EmulatedDatabase[], options: EmulatedClusterOptions = {}): EmulatedCluster {
    const cluster = new EmulatedCluster(options);
    for (const address of addresses) cluster.start({ address }).state = 'Enabled';
    for (const db of databases) {
      if (db.primaries + db.secondaries > addresses.length) {
        throw new Error(`emulator: database ${db.name} needs ${db.primaries + db.secondaries} servers, the cluster has ${addresses.length}`);
      }
      cluster.databases.set(db.name, db);
      cluster.servers.forEach((server, i) => {
        const mode: HostingMode | undefined = i < db.primaries ? 'primary' : i < db.primaries + db.secondaries ? 'secondary' : undefined;
        if (!mode) return;
        server.allocated.set(db.name, mode);
        server.copies.set(db.name, { mode, status: 'online', startsIn: 0, stuck: false });
      });
    }
    return cluster;
  }

  /** A server process started and discovered: Free, with a generated id that is also its first name. */
  start(start: ServerStart): EmulatedServer {
    if (this.servers.some((s) => s.address === start.address)) throw new Error(`emulator: a server at ${start.address} is already running`);
    const serverId = `${(this.nextId++).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    const server: EmulatedServer = {
      serverId, name: serverId, address: start.address, state: 'Free', health: 'Available', allocated: new Map(), copies: new Map(),
    };
    this.servers.push(server);
    return server;
  }

  /** The server's process exits: a Dropped server leaves the listing, any other one turns Unavailable. */
  stopProcess(address: string): void {
    const server = this.byAddress(address);
    if (server.state === 'Dropped') this.servers.splice(this.servers.indexOf(server), 1);
    else server.health = 'Unavailable';
  }

  setHealth(address: string, health: ServerHealth): void {
    this.byAddress(address).health = health;
  }

  /** World fault: every copy of `database` this server is given stays `starting`. */
  holdStarting(address: string, database: string): void {
    this.stuck.add(`${address}/${database}`);
    const copy = this.byAddress(address).copies.get(database);
    if (copy) copy.stuck = true;
  }

  byAddress(address: string): EmulatedServer {
    const server = this.servers.find((s) => s.address === address);
    if (!server) throw new Error(`emulator: no server at ${address}`);
    return server;
  }

  /** `ENABLE SERVER`: Free (or Cordoned) to Enabled; an Enabled server is left as it is. */
  enable(nameOrId: string): void {
    const server = this.named(nameOrId);
    if (server.state === 'Enabled') return;
    if (server.state !== 'Free' && server.state !== 'Cordoned') {
      throw new ServerManagementError(REFUSED, `Server '${nameOrId}' cannot be enabled: it is ${server.state}`);
    }
    server.state = 'Enabled';
  }

  /**
   * `DEALLOCATE DATABASES FROM SERVER[S]`: each server Deallocating, each of its databases allocated to
   * another Enabled, Available server that does not hold it (the one with the fewest allocations first).
   * Refused as a whole, nothing changed, when a database finds no such server.
   */
  deallocate(namesOrIds: readonly string[]): void {
    const leaving = namesOrIds.map((n) => this.named(n));
    for (const server of leaving) {
      if (server.state !== 'Enabled' && server.state !== 'Cordoned') {
        throw new ServerManagementError(REFUSED, `Could not deallocate server '${server.name}': it is ${server.state}`);
      }
    }
    const moves: [EmulatedServer, string, HostingMode][] = [];
    const planned = new Map<EmulatedServer, Set<string>>();
    for (const server of leaving) {
      for (const [database, mode] of server.allocated) {
        const target = this.servers
          .filter((s) => !leaving.includes(s) && s.state === 'Enabled' && s.health === 'Available')
          .filter((s) => !s.allocated.has(database) && !planned.get(s)?.has(database))
          .sort((a, b) => (a.allocated.size + (planned.get(a)?.size ?? 0)) - (b.allocated.size + (planned.get(b)?.size ?? 0)))[0];
        if (!target) {
          throw new ServerManagementError(REFUSED,
            `Could not deallocate server(s) ${leaving.map((s) => `'${s.name}'`).join(', ')}: no server can take database ${database}`);
        }
        moves.push([target, database, mode]);
        planned.set(target, new Set([...(planned.get(target) ?? []), database]));
      }
    }
    for (const server of leaving) {
      server.state = 'Deallocating';
      server.allocated.clear();
    }
    for (const [target, database, mode] of moves) {
      target.allocated.set(database, mode);
      target.copies.set(database, { mode, status: 'starting', startsIn: this.copyStartLooks, stuck: this.stuck.has(`${target.address}/${database}`) });
    }
  }

  /** `DROP SERVER`: only a server that hosts nothing but `system` and is Free or Deallocated. */
  drop(nameOrId: string): void {
    const server = this.named(nameOrId);
    if ((server.state !== 'Deallocated' && server.state !== 'Free') || server.copies.size > 0) {
      throw new ServerManagementError(REFUSED, `Cannot drop server '${server.name}': it is ${server.state}` +
        (server.copies.size > 0 ? ` and hosts ${[...server.copies.keys()].join(', ')}` : ''));
    }
    server.state = 'Dropped';
  }

  /** One step of time (the Bolt stand-in calls it once per statement, before answering). */
  look(): void {
    for (const server of this.servers) {
      for (const copy of server.copies.values()) {
        if (copy.status === 'starting' && !copy.stuck && server.health === 'Available' && --copy.startsIn <= 0) copy.status = 'online';
      }
    }
    for (const server of this.servers) {
      for (const [database, copy] of server.copies) {
        if (server.allocated.has(database)) continue;
        // A primary stays until every allocated copy of its database runs; a secondary goes at once.
        if (copy.mode === 'secondary' || this.allocatedCopiesOnline(database)) server.copies.delete(database);
      }
      if (server.state === 'Deallocating' && server.copies.size === 0) server.state = 'Deallocated';
    }
  }

  private allocatedCopiesOnline(database: string): boolean {
    return this.servers.every((s) => !s.allocated.has(database) || s.copies.get(database)?.status === 'online');
  }

  /** A server by name or id, as the commands take it; Neo4j refuses an unknown one. */
  named(nameOrId: string): EmulatedServer {
    const server = this.servers.find((s) => s.serverId === nameOrId || s.name === nameOrId);
    if (!server) throw new ServerManagementError(REFUSED, `Server '${nameOrId}' does not exist`);
    return server;
  }

  /** The copies `SHOW DATABASES` lists: `system` on every server, then every user database copy. */
  copiesOf(server: EmulatedServer): [string, DatabaseCopy | undefined, HostingMode | undefined][] {
    const names = new Set([...server.allocated.keys(), ...server.copies.keys()]);
    return [...names].sort().map((name) => [name, server.copies.get(name), server.allocated.get(name)]);
  }
}
