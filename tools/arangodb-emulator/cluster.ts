import { Clock } from './clock';
import { ARANGOD_EXIT, ArangodExitCode } from './exit-codes';
import { ServerFaults } from './faults';
import { MaintenanceRequest, SupervisionMaintenance } from './maintenance';
import { autoUpgradeCheck, EmulatorInputError, parseVersion, startCheck, storeVersionOf } from './versions';

/** Roles as `/_admin/cluster/health` names them in ArangoDB 3.4 answers. */
export type ServerRole = 'Agent' | 'DBServer' | 'Coordinator';
export type ServerStatus = 'running' | 'stopped' | 'upgrading';

export interface EmulatedServer {
  readonly id: string;
  readonly role: ServerRole;
  /** "DBServer0001", "Coordinator0002"; agents have none, as in ArangoDB. */
  readonly shortName?: string;
  /** The binary (image) it last ran. */
  version: string;
  /** The data directory's VERSION (30302 for 3.3.2): the store format. */
  storeVersion: number;
  status: ServerStatus;
  /** Last heartbeat: now while running, the moment it went down otherwise. */
  lastSeenMs: number;
  /** Reads left before a restarted server reports in sync (Infinity: never). */
  outOfSyncReads: number;
  /** Agents: the last log index this agent acknowledged. */
  ackedIndex: number;
  faults: ServerFaults;
}

/** One thing that happened to the cluster, in order: what the rehearsal asserts the procedure's order from. */
export interface ClusterEvent {
  /** Epoch ms (the cluster's clock). */
  readonly at: number;
  readonly kind: 'stop' | 'auto-upgrade' | 'start' | 'maintenance-on' | 'maintenance-off' | 'store-restored';
  readonly serverId?: string;
  readonly role?: ServerRole;
  readonly version?: string;
  readonly exitCode?: number;
  /** Maintenance: the seconds it was set for; store-restored: the store version. */
  readonly value?: number;
  /** Who asked: 'api' (ArangoDB's HTTP API) or 'control' (the /_emulator API). */
  readonly via?: 'api' | 'control';
}

export interface ClusterShape {
  readonly agents: number;
  readonly dbServers: number;
  readonly coordinators: number;
  readonly version: string;
}

const ID_PREFIX: Record<ServerRole, string> = { Agent: 'AGNT', DBServer: 'PRMR', Coordinator: 'CRDN' };

function positiveCount(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new EmulatorInputError(`${field} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return value;
}

/** The cluster's state, without sockets: what the HTTP API reports and the control API changes. */
export class EmulatedCluster {
  readonly servers: EmulatedServer[] = [];
  readonly maintenance: SupervisionMaintenance;
  readonly clusterId = 'emulated-0000-4000-8000-arangodb000001';
  /** The agency's Raft commit index: every state change is one more committed entry. */
  commitIndex = 1;
  term = 1;
  private leader = '';
  /** Everything that happened, in order (GET /_emulator/events). */
  readonly events: ClusterEvent[] = [];

  constructor(shape: ClusterShape, readonly clock: Clock) {
    const store = storeVersionOf(parseVersion('version', shape.version));
    const counts: Array<[ServerRole, number]> = [
      ['Agent', positiveCount('agents', shape.agents)],
      ['DBServer', positiveCount('dbServers', shape.dbServers)],
      ['Coordinator', positiveCount('coordinators', shape.coordinators)],
    ];
    for (const [role, count] of counts) {
      for (let n = 1; n <= count; n++) {
        const num = String(n).padStart(4, '0');
        this.servers.push({
          id: `${ID_PREFIX[role]}-${num}`, role, shortName: role === 'Agent' ? undefined : `${role}${num}`,
          version: shape.version, storeVersion: store, status: 'running', lastSeenMs: clock.now(),
          outOfSyncReads: 0, ackedIndex: this.commitIndex, faults: {},
        });
      }
    }
    this.maintenance = new SupervisionMaintenance(clock);
  }

  private record(kind: ClusterEvent['kind'], server: EmulatedServer | undefined, extra: Partial<ClusterEvent> = {}): void {
    this.events.push({ at: this.clock.now(), kind, ...(server && { serverId: server.id, role: server.role }), ...extra });
  }

  /** Switches the supervision maintenance and records it. */
  setMaintenance(request: MaintenanceRequest, via: 'api' | 'control'): void {
    this.maintenance.apply(request);
    this.record(request.mode === 'on' ? 'maintenance-on' : 'maintenance-off', undefined, { via, ...(request.mode === 'on' && { value: request.seconds }) });
  }

  /** The data directory swapped for a copy at `storeVersion` (a volume restored from a snapshot), while stopped. */
  restoreStore(id: string, storeVersion: number): void {
    const server = this.get(id);
    if (!Number.isInteger(storeVersion) || storeVersion < 10000) throw new EmulatorInputError(`storeVersion must be a VERSION number like 30323, got ${JSON.stringify(storeVersion)}`);
    if (server.status !== 'stopped') throw new EmulatorInputError(`${id} is ${server.status}: its data directory can only be swapped while it is stopped`);
    server.storeVersion = storeVersion;
    this.record('store-restored', server, { value: storeVersion });
  }

  get(id: string): EmulatedServer {
    const server = this.servers.find((s) => s.id === id);
    if (!server) throw new EmulatorInputError(`no server with id ${JSON.stringify(id)}; servers: ${this.servers.map((s) => s.id).join(', ')}`);
    return server;
  }

  ofRole(role: ServerRole): EmulatedServer[] {
    return this.servers.filter((s) => s.role === role);
  }

  inSync(server: EmulatedServer): boolean {
    return server.status === 'running' && server.outOfSyncReads === 0;
  }

  /** One more committed agency entry; agents in sync acknowledge it. */
  commit(): void {
    this.commitIndex++;
    for (const agent of this.ofRole('Agent')) if (this.inSync(agent)) agent.ackedIndex = this.commitIndex;
  }

  /** A poll of the agency config or inventory: restarted servers of that role catch up by one read. */
  noteSyncRead(role: ServerRole): void {
    for (const server of this.ofRole(role)) {
      if (server.status !== 'running' || server.outOfSyncReads === 0) continue;
      server.outOfSyncReads--; // Infinity stays Infinity: 'forever'
      if (server.outOfSyncReads === 0) server.ackedIndex = this.commitIndex;
    }
  }

  /** The agency leader: the first running agent, if a majority of agents runs; '' otherwise. */
  leaderId(): string {
    const agents = this.ofRole('Agent');
    const running = agents.filter((a) => a.status === 'running');
    const leader = running.length > agents.length / 2 ? running[0].id : '';
    if (leader !== this.leader) {
      this.leader = leader;
      if (leader) this.term++;
    }
    return leader;
  }

  stop(id: string): void {
    const server = this.get(id);
    if (server.status !== 'running') return;
    server.status = 'stopped';
    server.lastSeenMs = this.clock.now();
    this.record('stop', server);
    this.commit();
  }

  /** Starts the one-off auto-upgrade run; EXIT_COULD_NOT_LOCK while the server still holds its data directory. */
  beginAutoUpgrade(id: string, version: string): ArangodExitCode {
    const server = this.get(id);
    parseVersion('version', version);
    if (server.status !== 'stopped') return ARANGOD_EXIT.EXIT_COULD_NOT_LOCK;
    server.status = 'upgrading';
    return ARANGOD_EXIT.EXIT_SUCCESS;
  }

  /** Ends the run: the exit code, and on success the store rewritten in `version`'s format. */
  finishAutoUpgrade(id: string, version: string): number {
    const server = this.get(id);
    const binary = parseVersion('version', version);
    server.status = 'stopped';
    const exitCode = server.faults.autoUpgradeExitCode ?? autoUpgradeCheck(binary, server.storeVersion);
    if (exitCode === ARANGOD_EXIT.EXIT_SUCCESS) server.storeVersion = storeVersionOf(binary);
    this.record('auto-upgrade', server, { version, exitCode });
    return exitCode;
  }

  /** A normal start with `version`; refused (server stays stopped) when the store needs an upgrade or is newer. */
  start(id: string, version: string): ArangodExitCode {
    const server = this.get(id);
    const binary = parseVersion('version', version);
    if (server.status === 'running' && server.version === version) return ARANGOD_EXIT.EXIT_SUCCESS;
    if (server.status !== 'stopped') return ARANGOD_EXIT.EXIT_COULD_NOT_LOCK;
    const exitCode = startCheck(binary, server.storeVersion);
    if (exitCode !== ARANGOD_EXIT.EXIT_SUCCESS) {
      this.record('start', server, { version, exitCode });
      return exitCode;
    }
    const outOfSync = server.faults.outOfSyncAfterRestart ?? 0;
    Object.assign(server, {
      status: 'running', version, lastSeenMs: this.clock.now(), outOfSyncReads: outOfSync === 'forever' ? Infinity : outOfSync,
    });
    this.record('start', server, { version, exitCode });
    this.commit();
    return exitCode;
  }

  /** Consumes one planned 503 of a coordinator; true when this call must be refused. */
  takeUnavailableCall(server: EmulatedServer): boolean {
    const left = server.faults.unavailableCalls ?? 0;
    if (left <= 0) return false;
    server.faults = { ...server.faults, unavailableCalls: left - 1 };
    return true;
  }
}
