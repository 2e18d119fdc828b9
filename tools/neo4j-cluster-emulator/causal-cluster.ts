/**
 * SIMULATED. A Neo4j 4.4 causal cluster as the operations manual describes it ("Clustering", "Monitoring
 * a cluster"): members discovered through `causal_clustering.initial_discovery_members`, each CORE or
 * READ_REPLICA; every member hosts every database (`system` and the user databases); one LEADER per
 * database among the cores that run it, the other cores FOLLOWER, read replicas READ_REPLICA. There are
 * no server states and no allocation commands: a member joins when its process starts (after a store
 * copy) and leaves when it stops. Community Neo4j has no clustering: this model stands in for it, it is no
 * evidence of Neo4j's timings.
 */

export type CausalMode = 'CORE' | 'READ_REPLICA';
/** The overview's role of a member for one database (upper case; SHOW DATABASES lists it lower case). */
export type CausalRole = 'LEADER' | 'FOLLOWER' | 'READ_REPLICA';

/** One database copy a member runs: `starting` during the store copy, then `online`. */
export interface CausalCopy {
  status: 'starting' | 'online';
  /** Looks (statements) left before a starting copy is online. */
  startsIn: number;
  /** A world fault: this copy never leaves `starting`. */
  stuck: boolean;
}

export interface CausalMember {
  /** The member id (a UUID in Neo4j), as `dbms.cluster.overview()` lists it. */
  readonly id: string;
  /** The advertised Bolt address, `host:port`. */
  readonly address: string;
  readonly mode: CausalMode;
  /**
   * False: the process hangs (world fault). Discovery still lists the member, but its copies report
   * `unknown` in SHOW DATABASES and make no progress.
   */
  reachable: boolean;
  /** Every database's copy on this member, `system` included. */
  readonly copies: Map<string, CausalCopy>;
}

export interface CausalClusterOptions {
  /** Looks (statements) a new member's copies stay `starting` (the store copy) before they are online. Default 2. */
  readonly copyStartLooks?: number;
}

/** What a member is started with: its advertised Bolt address and its mode (default CORE). */
export interface CausalStart {
  readonly address: string;
  readonly mode?: CausalMode;
}

/**
 * SIMULATED. The members of a 4.4 causal cluster and the leader of each database. Time advances by
 * `look()`, which the Bolt stand-in calls once per statement: a starting copy comes online after
 * `copyStartLooks` looks; a database without a running leader gets one among its online cores.
 */
export class CausalCluster {
  readonly members: CausalMember[] = [];
  /** Every database, `system` first. */
  readonly databases: string[];
  /** The leader's member id by database. */
  readonly leaders = new Map<string, string>();
  private readonly copyStartLooks: number;
  /** `address/database` pairs whose copies never leave `starting` (holdStarting). */
  private readonly stuck = new Set<string>();
  private nextId = 0;

  constructor(userDatabases: readonly string[], options: CausalClusterOptions = {}) {
    this.databases = ['system', ...userDatabases.filter((d) => d !== 'system')];
    this.copyStartLooks = options.copyStartLooks ?? 2;
  }

  /** A formed cluster: the cores (then the read replicas) running every database online; the first core leads each. */
  static formed(cores: readonly string[], userDatabases: readonly string[], options: CausalClusterOptions & { readReplicas?: readonly string[] } = {}): CausalCluster {
    const cluster = new CausalCluster(userDatabases, options);
    const started = [
      ...cores.map((address) => cluster.start({ address })),
      ...(options.readReplicas ?? []).map((address) => cluster.start({ address, mode: 'READ_REPLICA' })),
    ];
    for (const member of started) for (const copy of member.copies.values()) copy.status = 'online';
    cluster.elect();
    return cluster;
  }

  /** A member process started and discovered: listed at once, its copies `starting` for the store copy. */
  start(start: CausalStart): CausalMember {
    if (this.members.some((m) => m.address === start.address)) throw new Error(`emulator: a member at ${start.address} is already running`);
    const id = `${(this.nextId++).toString(16).padStart(8, '0')}-0000-4000-8000-000000000044`;
    const copies = new Map(this.databases.map((db): [string, CausalCopy] =>
      [db, { status: 'starting', startsIn: this.copyStartLooks, stuck: this.stuck.has(`${start.address}/${db}`) }]));
    const member: CausalMember = { id, address: start.address, mode: start.mode ?? 'CORE', reachable: true, copies };
    this.members.push(member);
    return member;
  }

  /** The member's process exits: it leaves the overview and SHOW DATABASES at once; a database it led elects another core. */
  stopProcess(address: string): void {
    const member = this.byAddress(address);
    this.members.splice(this.members.indexOf(member), 1);
    for (const [db, leader] of [...this.leaders]) if (leader === member.id) this.leaders.delete(db);
    this.elect();
  }

  /** World fault: the member hangs (false) or answers again (true); see CausalMember.reachable. */
  setReachable(address: string, reachable: boolean): void {
    this.byAddress(address).reachable = reachable;
  }

  /** World fault: the member's copy of `database` never comes online (now, or when the member starts later). */
  holdStarting(address: string, database: string): void {
    this.stuck.add(`${address}/${database}`);
    const copy = this.members.find((m) => m.address === address)?.copies.get(database);
    if (copy) copy.stuck = true;
  }

  byAddress(address: string): CausalMember {
    const member = this.members.find((m) => m.address === address);
    if (!member) throw new Error(`emulator: no member at ${address}`);
    return member;
  }

  /** The member's role for a database it runs online; undefined while its copy is starting. */
  roleOf(member: CausalMember, database: string): CausalRole | undefined {
    if (member.copies.get(database)?.status !== 'online') return undefined;
    if (member.mode === 'READ_REPLICA') return 'READ_REPLICA';
    return this.leaders.get(database) === member.id ? 'LEADER' : 'FOLLOWER';
  }

  /** One step of time (the Bolt stand-in calls it once per statement, before answering). */
  look(): void {
    for (const member of this.members) {
      for (const copy of member.copies.values()) {
        if (copy.status === 'starting' && !copy.stuck && member.reachable && --copy.startsIn <= 0) copy.status = 'online';
      }
    }
    this.elect();
  }

  /** A database whose leader is gone gets the first core running it online. */
  private elect(): void {
    for (const db of this.databases) {
      if (this.leaders.has(db)) continue;
      const core = this.members.find((m) => m.mode === 'CORE' && m.copies.get(db)?.status === 'online');
      if (core) this.leaders.set(db, core.id);
    }
  }
}
