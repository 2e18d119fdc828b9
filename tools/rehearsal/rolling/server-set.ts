/**
 * One REAL embedded Neo4j per server of the per-server layout: each its own store directory and Bolt port,
 * each a Neo4jPlayer (neo4j-player.ts), so rolling a server restarts THAT server's Neo4j on its own store
 * at the version that plays the new image (a real restart, a real store upgrade, marker nodes checked).
 * Records when each server went down and came back up (the report's per-server figures and the
 * "at most one down at a time" check).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../free-port';
import { Neo4jPlayer, PlayedImage } from '../neo4j-player';

/** One server's outage: the real Neo4j stopped at `downAt` and answered again at `upAt` (ms). */
export interface Outage {
  readonly server: number;
  /** The image it was asked to play (set again when a stopped server starts). */
  image: string;
  readonly downAt: number;
  upAt?: number;
  /** The player's record of the restart (absent while it runs). */
  played?: PlayedImage;
  error?: string;
}

export interface RollingServer {
  /** 1-based, as in `<prefix>Server<N>Image`. */
  readonly index: number;
  /** Its Neo4j; a new one when the server starts on another store (the offline upgrade's copy). */
  player: Neo4jPlayer;
  readonly port: number;
  /** The store it runs on (the volume its node claimed). */
  dataDir: string;
  /** The image it plays now (the last one it was asked to play). */
  image: string;
}

export class ServerSet {
  public readonly outages: Outage[] = [];
  /** Servers that joined after the start (a cluster's new members), when their Neo4j answered. */
  public readonly joined: Array<{ server: number; image: string; at: number }> = [];
  /** Servers retired for good (their instance terminated), when their Neo4j stopped; a slot a new member reuses leaves it. */
  public readonly retired: Array<{ server: number; at: number }> = [];
  /** Every retirement of the run, reused slots' included (the report's). */
  public readonly retirements: Array<{ server: number; at: number }> = [];
  /** Servers whose first start is in progress (not up yet). */
  private readonly starting = new Set<number>();

  private constructor(
    private readonly all: RollingServer[], private readonly log: (line: string) => void, private readonly password: string,
  ) {}

  /** Every server ever started, retired ones included. */
  public get servers(): readonly RollingServer[] {
    return this.all;
  }

  /** Starts `count` servers in parallel, each on its own store under `dir`, playing `image`. */
  public static async start(count: number, image: string, dir: string, password: string, log: (line: string) => void): Promise<ServerSet> {
    const servers: RollingServer[] = [];
    for (let index = 1; index <= count; index++) {
      const dataDir = path.join(dir, `server-${index}`, 'neo4j');
      fs.mkdirSync(dataDir, { recursive: true });
      const port = await freePort();
      // The rollback returns a server to the previous patch on the store the new one ran on: played for real.
      const player = new Neo4jPlayer({ dataDir, port, password, log: (l) => log(`server ${index} ${l}`), playsPatchDowngrades: true });
      servers.push({ index, player, port, dataDir, image });
    }
    const set = new ServerSet(servers, log, password);
    try {
      await Promise.all(servers.map((s) => s.player.play(image)));
    } catch (e) {
      await set.stop();
      throw e;
    }
    return set;
  }

  public server(index: number): RollingServer {
    const s = this.servers.find((x) => x.index === index);
    if (!s) throw new Error(`no server ${index} (the world runs ${this.servers.length})`);
    return s;
  }

  /** Whether a server runs in the slot (started, its instance not retired), up or not. */
  public has(index: number): boolean {
    return this.all.some((s) => s.index === index) && !this.retired.some((r) => r.server === index);
  }

  /** Whether the server's Neo4j is up (started, not retired, no outage in progress). */
  public isUp(index: number): boolean {
    if (!this.all.some((s) => s.index === index) || this.starting.has(index) || this.retired.some((r) => r.server === index)) return false;
    return !this.outages.some((o) => o.server === index && o.upAt === undefined);
  }

  /**
   * A new member: an instance in slot `index` claimed a volume (`dataDir`: fresh, or a clone) and its task
   * starts a real Neo4j playing `image` on its own port. Not up (and not an outage) until it answers. Its
   * store gets no marker nodes of its own (`seedsMarkers`: false): its data arrives by the store copy.
   */
  public async join(index: number, image: string, dataDir: string): Promise<RollingServer> {
    if (this.all.some((s) => s.index === index && !this.retired.some((r) => r.server === index))) throw new Error(`server ${index} already runs`);
    fs.mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    const player = new Neo4jPlayer({ dataDir, port, password: this.password, log: (l) => this.log(`server ${index} ${l}`), seedsMarkers: false });
    const server: RollingServer = { index, player, port, dataDir, image };
    const at = this.all.findIndex((s) => s.index === index);
    if (at >= 0) this.all.splice(at, 1);
    this.retired.splice(0, this.retired.length, ...this.retired.filter((r) => r.server !== index));
    this.all.push(server);
    this.starting.add(index);
    this.log(`server ${index}: a new member's task starts (image ${image}) on ${dataDir}`);
    try {
      await player.play(image);
      this.joined.push({ server: index, image, at: Date.now() });
      this.log(`server ${index}: up at ${player.runningVersion} (a new member, its store empty until the copy)`);
    } finally {
      this.starting.delete(index);
    }
    return server;
  }

  /** The server's instance is terminated: its Neo4j stops for good (its store, the volume, is kept). */
  public async retire(index: number): Promise<void> {
    if (this.retired.some((r) => r.server === index)) return;
    this.log(`server ${index}: its instance is terminated; the real Neo4j stops for good (store ${this.server(index).dataDir} kept)`);
    await this.server(index).player.stop();
    const at = Date.now();
    this.retired.push({ server: index, at });
    this.retirements.push({ server: index, at });
  }

  /** Servers down now. */
  public down(): number[] {
    return this.servers.map((s) => s.index).filter((i) => !this.isUp(i));
  }

  public boltUri(index: number): string {
    return this.server(index).player.boltUri;
  }

  /**
   * What ECS does when the server's service gets a task definition with another image: its task stops, the
   * new one starts on the same instance and volume. Here: the real Neo4j stops and starts at the version
   * that plays `image`, on its own store. A start that fails leaves the server down (as ECS would retry).
   */
  public async roll(index: number, image: string): Promise<Outage> {
    const s = this.server(index);
    const outage: Outage = { server: index, image, downAt: Date.now() };
    this.outages.push(outage);
    s.image = image;
    this.log(`server ${index}: its service's task is replaced (image ${image}); the real Neo4j restarts on ${s.dataDir}`);
    try {
      outage.played = await s.player.play(image);
      outage.upAt = Date.now();
      this.log(`server ${index}: up at ${s.player.runningVersion} after ${((outage.upAt - outage.downAt) / 1000).toFixed(1)} s`);
    } catch (e) {
      outage.error = (e as Error).message.slice(0, 500);
      throw e;
    }
    return outage;
  }

  /**
   * The offline upgrade's stop: the server's instance is gone (scaled in), so its Neo4j stops and stays down;
   * its store is kept. The outage ends at startServer.
   */
  public async stopServer(index: number): Promise<Outage> {
    const s = this.server(index);
    const outage: Outage = { server: index, image: s.image, downAt: Date.now() };
    this.outages.push(outage);
    this.log(`server ${index}: its instance is gone; the real Neo4j stops (store ${s.dataDir} kept)`);
    await s.player.stop();
    return outage;
  }

  /**
   * A node claimed the server's volume again and its task starts: the real Neo4j starts at the version that
   * plays `image` on `dataDir` (another directory than before: the volume is another one, e.g. a copy), and
   * the server's open outage ends (one is opened when it was up: a restart).
   */
  public async startServer(index: number, image: string, dataDir: string): Promise<Outage> {
    const s = this.server(index);
    let outage = this.outages.find((o) => o.server === index && o.upAt === undefined);
    if (!outage) {
      outage = { server: index, image, downAt: Date.now() };
      this.outages.push(outage);
    }
    outage.image = image;
    s.image = image;
    if (dataDir !== s.dataDir) {
      await s.player.stop();
      s.player = new Neo4jPlayer({ dataDir, port: s.port, password: this.password, log: (l) => this.log(`server ${index} ${l}`) });
      s.dataDir = dataDir;
    }
    this.log(`server ${index}: its task starts (image ${image}) on ${dataDir}`);
    try {
      outage.played = await s.player.play(image);
      outage.upAt = Date.now();
    } catch (e) {
      outage.error = (e as Error).message.slice(0, 500);
      throw e;
    }
    return outage;
  }

  /** The largest number of servers down at the same moment. */
  public maxDownAtOnce(now = Date.now()): number {
    return maxDownAtOnce(this.outages, now);
  }

  public async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.player.stop().catch(() => undefined)));
  }
}

/**
 * The largest number of servers down at one moment (an outage still running ends at `now`). Outages of the
 * SAME server may overlap (a rollback replaces a task whose start is still in progress): one server down.
 */
export function maxDownAtOnce(outages: ReadonlyArray<Pick<Outage, 'downAt' | 'upAt'> & { server?: number }>, now = Date.now()): number {
  const edges = outages.flatMap((o, i) => {
    const server = o.server ?? -1 - i;
    return [{ t: o.downAt, d: 1, server }, { t: o.upAt ?? now, d: -1, server }];
  }).sort((a, b) => a.t - b.t || a.d - b.d);
  const open = new Map<number, number>();
  let max = 0;
  for (const e of edges) {
    open.set(e.server, (open.get(e.server) ?? 0) + e.d);
    max = Math.max(max, [...open.values()].filter((n) => n > 0).length);
  }
  return max;
}
