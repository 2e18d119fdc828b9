/**
 * The one real Neo4j the health gates talk to. It "plays" the image the stack's DockerImage parameter
 * names: an image whose tag is a version tools/neo4j-embedded can run is played by exactly that version;
 * otherwise by the embedded version in the same position (older image -> NEO4J_LTS_VERSION, newer ->
 * NEO4J_NEWEST_VERSION), which the report flags as a version mismatch.
 *
 * Switching to a newer version restarts the server on the SAME data directory: Neo4j upgrades the store
 * for real. A switch back to an older version is never played (a store cannot be downgraded; no gate
 * reads a rolled-back cluster): the report records the image as not played.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { NEO4J_EMBEDDED_VERSIONS, NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION, Neo4jServer, startNeo4j } from '../neo4j-embedded';

export interface PlayedImage {
  readonly image: string;
  /** The embedded version that plays it, or null when it is not played. */
  readonly version: string | null;
  readonly exactMatch: boolean;
  readonly at: string;
  /** What happened: first start, restart on the same store (upgrade), already running, not played. */
  readonly action: 'started' | 'restarted-same-store' | 'already-running' | 'not-played';
  readonly durationMs: number;
  readonly note?: string;
}

export interface Neo4jPlayerOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly password: string;
  readonly log: (line: string) => void;
}

/** The version part of a `repo:tag` image (`neo4j:5.26.30-enterprise` -> `5.26.30`). */
export function imageVersion(image: string): string | undefined {
  const tag = /:([^@:/]+)(@.*)?$/.exec(image)?.[1];
  return tag ? /^v?(\d+\.\d+(?:\.\d+)?)/.exec(tag)?.[1] : undefined;
}

function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export class Neo4jPlayer {
  public readonly played: PlayedImage[] = [];
  private server: Neo4jServer | undefined;
  private serverVersion: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** Marker rows written before the first upgrade, read back after each restart. */
  public seededNodes = 0;
  public readonly storeChecks: Array<{ version: string; markerNodes: number; at: string }> = [];

  constructor(private readonly options: Neo4jPlayerOptions) {}

  get boltUri(): string { return `bolt://127.0.0.1:${this.options.port}`; }
  get runningVersion(): string | undefined { return this.serverVersion; }

  /** Which embedded version plays `image`. */
  public static versionFor(image: string): { version: string; exact: boolean } {
    const v = imageVersion(image);
    if (v && (NEO4J_EMBEDDED_VERSIONS as readonly string[]).includes(v)) return { version: v, exact: true };
    if (v && compare(v, NEO4J_LTS_VERSION) <= 0) return { version: NEO4J_LTS_VERSION, exact: false };
    return { version: NEO4J_NEWEST_VERSION, exact: false };
  }

  /** Makes the server play `image` (serialized: concurrent callers wait for one switch). */
  public play(image: string): Promise<PlayedImage> {
    const next = this.chain.then(() => this.playNow(image));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async playNow(image: string): Promise<PlayedImage> {
    const t0 = Date.now();
    const { version, exact } = Neo4jPlayer.versionFor(image);
    const record = (action: PlayedImage['action'], playedBy: string | null, note?: string): PlayedImage => {
      const p: PlayedImage = { image, version: playedBy, exactMatch: exact, at: new Date().toISOString(), action, durationMs: Date.now() - t0, ...(note && { note }) };
      this.played.push(p);
      this.options.log(`neo4j: ${image} ${action}${playedBy ? ` (real Neo4j ${playedBy}${exact ? '' : ', NOT the image\'s version'})` : ''} in ${(p.durationMs / 1000).toFixed(1)} s${note ? ` - ${note}` : ''}`);
      return p;
    };
    if (this.serverVersion === version) return record('already-running', version);
    if (this.serverVersion && compare(version, this.serverVersion) < 0) {
      return record('not-played', null, `the store is already at ${this.serverVersion}; Neo4j stores cannot be downgraded`);
    }
    const restart = this.server !== undefined;
    if (this.server) {
      await this.server.stop();
      this.server = undefined;
    }
    fs.mkdirSync(this.options.dataDir, { recursive: true });
    this.server = await startNeo4j({ version, dataDir: this.options.dataDir, password: this.options.password, port: this.options.port });
    this.serverVersion = this.server.version;
    if (!restart) await this.seed();
    const markers = await this.countMarkers();
    this.storeChecks.push({ version: this.server.version, markerNodes: markers, at: new Date().toISOString() });
    const note = `store holds ${markers} of ${this.seededNodes} marker nodes written at ${this.played[0]?.version ?? version}`;
    if (markers !== this.seededNodes) throw new Error(`Neo4j ${version} on ${this.options.dataDir}: ${note}`);
    return record(restart ? 'restarted-same-store' : 'started', this.server.version, note);
  }

  private async session<T>(work: (s: ReturnType<ReturnType<typeof neo4j.driver>['session']>) => Promise<T>): Promise<T> {
    const driver = neo4j.driver(this.boltUri, neo4j.auth.basic('neo4j', this.options.password), { disableLosslessIntegers: true });
    try {
      const s = driver.session();
      try { return await work(s); } finally { await s.close(); }
    } finally {
      await driver.close();
    }
  }

  private async seed(): Promise<void> {
    const existing = await this.countMarkers();
    if (existing > 0) {
      this.seededNodes = existing;
      return;
    }
    await this.session((s) => s.run('UNWIND range(1, 100) AS i CREATE (:RehearsalMarker {i: i, createdBy: $v})', { v: this.serverVersion }));
    this.seededNodes = 100;
  }

  private countMarkers(): Promise<number> {
    return this.session(async (s) => Number((await s.run('MATCH (n:RehearsalMarker) RETURN count(n) AS c')).records[0].get('c')));
  }

  public async stop(): Promise<void> {
    await this.chain.catch(() => undefined);
    if (this.server) await this.server.stop();
    this.server = undefined;
    this.serverVersion = undefined;
  }

  public static dataDirUnder(dir: string): string {
    return path.join(dir, 'neo4j');
  }
}
