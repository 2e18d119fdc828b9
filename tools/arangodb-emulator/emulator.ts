import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { arangoApi } from './arango-api';
import { RootAuth } from './auth';
import { Clock, systemClock } from './clock';
import { EmulatedCluster } from './cluster';
import { controlApi } from './control-api';
import { ARANGOD_EXIT, exitCodeName } from './exit-codes';
import { ServerFaults, validateFaults } from './faults';
import { closeServer, listen } from './http';
import { EmulatorInputError } from './versions';

export interface ArangoEmulatorOptions {
  /** @default 3 */
  readonly agents?: number;
  /** @default 3 */
  readonly dbServers?: number;
  /** @default 2 */
  readonly coordinators?: number;
  /** Version every server runs, and its store format, at the start. @default '3.3.23' */
  readonly version?: string;
  /** @default '' (ArangoDB's default root password) */
  readonly rootPassword?: string;
  /** The deployment's JWT secret: agents and DB servers only accept superuser tokens signed with it
   *  (`superuserJwt`). @default random */
  readonly jwtSecret?: string;
  /** @default 'community' */
  readonly license?: 'community' | 'enterprise';
  /** @default the system clock */
  readonly clock?: Clock;
  /** Faults by server id, e.g. { 'PRMR-0002': { autoUpgradeExitCode: 10 } }. */
  readonly faults?: Record<string, ServerFaults>;
  /** Supervision maintenance already on at the start, lapsing after this many seconds. @default off */
  readonly maintenanceOnForSeconds?: number;
  /** How long an auto-upgrade run takes; its status reads 'upgrading' meanwhile. @default 0 */
  readonly autoUpgradeMs?: number;
}

/** What a process run reports: the exit code arangod would end with (0 for a start that now serves). */
export interface RunResult {
  readonly exitCode: number;
  readonly exitCodeName: string;
  readonly status: string;
  readonly storeVersion: number;
}

/**
 * The emulated cluster with one HTTP listener per server on 127.0.0.1: a stopped server really refuses
 * connections, and each server keeps its port across restarts, as an ECS task keeps its service address.
 * The control API (`/_emulator/...`) has its own listener so it is never mistaken for a server.
 */
export class ArangoEmulator {
  private readonly listeners = new Map<string, http.Server>();
  private readonly ports = new Map<string, number>();
  private control!: http.Server;
  controlUrl = '';

  /** `jwtSecret`: what the servers check superuser tokens against (the procedure signs with it). */
  private constructor(readonly cluster: EmulatedCluster, private readonly auth: RootAuth,
    private readonly options: ArangoEmulatorOptions, readonly jwtSecret: string) {}

  static async start(options: ArangoEmulatorOptions = {}): Promise<ArangoEmulator> {
    const clock = options.clock ?? systemClock;
    const jwtSecret = options.jwtSecret ?? crypto.randomBytes(32).toString('hex');
    const cluster = new EmulatedCluster({
      agents: options.agents ?? 3, dbServers: options.dbServers ?? 3, coordinators: options.coordinators ?? 2,
      version: options.version ?? '3.3.23',
    }, clock);
    for (const [id, faults] of Object.entries(options.faults ?? {})) cluster.get(id).faults = validateFaults(`faults.${id}`, faults);
    const seconds = options.maintenanceOnForSeconds;
    if (seconds !== undefined) {
      if (!Number.isInteger(seconds) || seconds < 1) throw new EmulatorInputError(`maintenanceOnForSeconds must be a whole number >= 1, got ${JSON.stringify(seconds)}`);
      cluster.setMaintenance({ mode: 'on', seconds }, 'control');
    }
    const emulator = new ArangoEmulator(cluster, new RootAuth(options.rootPassword ?? '', jwtSecret, clock), options, jwtSecret);
    for (const server of cluster.servers) await emulator.open(server.id);
    emulator.control = http.createServer(controlApi(emulator));
    emulator.controlUrl = `http://127.0.0.1:${await listen(emulator.control)}`;
    return emulator;
  }

  /** http://127.0.0.1:PORT of a server (stable across restarts). */
  url(id: string): string {
    this.cluster.get(id);
    return `http://127.0.0.1:${this.ports.get(id)}`;
  }

  /** The endpoint as ArangoDB writes it (tcp://127.0.0.1:PORT). */
  endpoint(id: string): string {
    return `tcp://127.0.0.1:${this.ports.get(id)}`;
  }

  private async open(id: string): Promise<void> {
    const listener = http.createServer(arangoApi({
      cluster: this.cluster, auth: this.auth, license: this.options.license ?? 'community', endpointOf: (other) => this.endpoint(other),
    }, this.cluster.get(id)));
    this.ports.set(id, await listen(listener, this.ports.get(id) ?? 0));
    this.listeners.set(id, listener);
  }

  private result(id: string, exitCode: number): RunResult {
    const server = this.cluster.get(id);
    return { exitCode, exitCodeName: exitCodeName(exitCode), status: server.status, storeVersion: server.storeVersion };
  }

  /** Stops the server process (idempotent). */
  async stop(id: string): Promise<RunResult> {
    this.cluster.stop(id);
    const listener = this.listeners.get(id);
    if (listener) await closeServer(listener);
    this.listeners.delete(id);
    return this.result(id, ARANGOD_EXIT.EXIT_SUCCESS);
  }

  /** Runs `version` once with `--database.auto-upgrade=true` on the server's data directory. */
  async autoUpgrade(id: string, version: string): Promise<RunResult> {
    const locked = this.cluster.beginAutoUpgrade(id, version);
    if (locked !== ARANGOD_EXIT.EXIT_SUCCESS) return this.result(id, locked);
    await new Promise((resolve) => setTimeout(resolve, this.options.autoUpgradeMs ?? 0));
    return this.result(id, this.cluster.finishAutoUpgrade(id, version));
  }

  /** Starts the server normally with `version`; a refusal leaves it stopped with arangod's exit code. */
  async start(id: string, version: string): Promise<RunResult> {
    const exitCode = this.cluster.start(id, version);
    if (exitCode === ARANGOD_EXIT.EXIT_SUCCESS && !this.listeners.has(id)) await this.open(id);
    return this.result(id, exitCode);
  }

  setFaults(id: string, faults: unknown): ServerFaults {
    const server = this.cluster.get(id);
    server.faults = validateFaults(`faults of ${id}`, faults);
    return server.faults;
  }

  /** Everything the control API reports: servers with their state and faults, maintenance and its expiry. */
  snapshot(): unknown {
    const until = this.cluster.maintenance.until;
    return {
      servers: this.cluster.servers.map((s) => ({
        id: s.id, role: s.role, shortName: s.shortName, version: s.version, storeVersion: s.storeVersion, status: s.status,
        inSync: this.cluster.inSync(s), url: this.url(s.id), faults: s.faults,
      })),
      maintenance: until === undefined ? { active: false } : { active: true, until: new Date(until).toISOString() },
      commitIndex: this.cluster.commitIndex,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values(), this.control].map((l) => closeServer(l)));
    this.listeners.clear();
  }
}
