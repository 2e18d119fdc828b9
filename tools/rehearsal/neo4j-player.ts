/**
 * The one real Neo4j the health gates talk to. It "plays" the image the stack's DockerImage parameter
 * names: an image whose tag is a version tools/neo4j-embedded can run is played by exactly that version;
 * otherwise by the embedded version in the same position (older image -> NEO4J_LTS_VERSION, newer ->
 * NEO4J_NEWEST_VERSION), which the report flags as a version mismatch.
 *
 * Switching to a newer version restarts the server on the SAME data directory: Neo4j upgrades the store
 * for real. A switch back to an older version is not played (a store cannot be downgraded; no gate
 * reads a rolled-back cluster): the report records the image as not played; except, with
 * `playsPatchDowngrades`, an older patch of the same minor (the rolling rollback), played for real.
 *
 * The server starts with the settings the container would start with (node-settings.ts), with Neo4j's
 * strict config validation on: a setting the running version does not know fails the start as it would
 * on AWS. Enterprise clustering settings (discovery, mode constraint) cannot take effect on Community:
 * those the version knows are checked by name and value only (enterprise-settings.ts) and reported so.
 * Data directory, Bolt port and auth stay the harness's. Settings are applied when the version the image
 * is played by is the image's own; a stand-in version would refuse another version's settings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { NEO4J_EMBEDDED_VERSIONS, NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION, Neo4jServer, startNeo4j } from '../neo4j-embedded';
import { splitEnterpriseSettings } from '../neo4j-embedded/enterprise-settings';
import { compareNeo4jVersions } from '../neo4j-embedded/versions';

/** The settings a node's container hands Neo4j, and where they came from (for the report). */
export interface ContainerSettings {
  readonly settings: Readonly<Record<string, string>>;
  /** e.g. `VersionFamily=2025 Mode=HA` */
  readonly source: string;
}

export interface PlayedSettings {
  readonly source: string;
  /** Given to the real server, with strict config validation on. */
  readonly applied: Record<string, string>;
  /** Enterprise clustering settings: checked by name (known to this version) and value only. */
  readonly checkedByNameOnly: Record<string, string>;
  /** Left to the harness: data directory, ports, auth. */
  readonly harnessOwned: string[];
}

/** Settings the harness owns on the embedded server (it runs many nodes' roles on one local port). */
const HARNESS_OWNED = /^(server\.directories\.|server\.bolt\.|server\.https?\.|server\.default_listen_address$|dbms\.security\.auth_enabled$|server\.memory\.pagecache\.size$)/;

export interface PlayedImage {
  readonly image: string;
  /** The embedded version that plays it, or null when it is not played. */
  readonly version: string | null;
  readonly exactMatch: boolean;
  readonly at: string;
  /** What happened: first start, restart on the same store (upgrade), already running, not played, start refused. */
  readonly action: 'started' | 'restarted-same-store' | 'already-running' | 'not-played' | 'failed-to-start';
  readonly durationMs: number;
  readonly note?: string;
  /** The container's settings the server started with (absent: none given, or not the image's version). */
  readonly settings?: PlayedSettings;
}

export interface Neo4jPlayerOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly password: string;
  readonly log: (line: string) => void;
  /**
   * Play a switch back to an older patch of the store's major.minor for real (the rolling procedure's
   * rollback): the real Neo4j decides whether it opens the store, a refusal is reported as failed-to-start.
   * Default: never played, as any other downgrade.
   */
  readonly playsPatchDowngrades?: boolean;
  /**
   * Write the marker nodes into an empty store at the first start. false: a cluster's new member, whose data
   * arrives by the store copy (the replacing rehearsal sets `seededNodes` once it is copied). Default true.
   */
  readonly seedsMarkers?: boolean;
}

/** The version part of a `repo:tag` image (`neo4j:5.26.30-enterprise` -> `5.26.30`). */
export function imageVersion(image: string): string | undefined {
  const tag = /:([^@:/]+)(@.*)?$/.exec(image)?.[1];
  return tag ? /^v?(\d+\.\d+(?:\.\d+)?)/.exec(tag)?.[1] : undefined;
}

export class Neo4jPlayer {
  public readonly played: PlayedImage[] = [];
  private server: Neo4jServer | undefined;
  private serverVersion: string | undefined;
  /** The newest version that opened the store (a store cannot go back). */
  private storeVersion: string | undefined;
  private serverSettings: string | undefined;
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
    if (v && compareNeo4jVersions(v, NEO4J_LTS_VERSION) <= 0) return { version: NEO4J_LTS_VERSION, exact: false };
    return { version: NEO4J_NEWEST_VERSION, exact: false };
  }

  /** Makes the server play `image` (serialized: concurrent callers wait for one switch). */
  public play(image: string, container?: ContainerSettings): Promise<PlayedImage> {
    const next = this.chain.then(() => this.playNow(image, container));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async playNow(image: string, container: ContainerSettings | undefined): Promise<PlayedImage> {
    const t0 = Date.now();
    const { version, exact } = Neo4jPlayer.versionFor(image);
    let settings: PlayedSettings | undefined;
    let refusal: Error | undefined;
    try {
      settings = exact && container ? Neo4jPlayer.settingsFor(version, container) : undefined;
    } catch (e) {
      refusal = e as Error;
    }
    const settingsNote = container && !exact ? `the container's settings are not applied: ${version} stands in for the image's version` : undefined;
    const record = (action: PlayedImage['action'], playedBy: string | null, note?: string): PlayedImage => {
      const notes = [note, settingsNote].filter(Boolean).join('; ');
      const p: PlayedImage = {
        image, version: playedBy, exactMatch: exact, at: new Date().toISOString(), action, durationMs: Date.now() - t0,
        ...(notes && { note: notes }), ...(settings && { settings }),
      };
      this.played.push(p);
      this.options.log(`neo4j: ${image} ${action}${playedBy ? ` (real Neo4j ${playedBy}${exact ? '' : ', NOT the image\'s version'})` : ''} in ${(p.durationMs / 1000).toFixed(1)} s${notes ? ` - ${notes}` : ''}`);
      if (settings) {
        this.options.log(`neo4j: settings from ${settings.source}: applied with strict validation ${JSON.stringify(settings.applied)}; ` +
          `checked by name only (Enterprise clustering) ${JSON.stringify(settings.checkedByNameOnly)}`);
      }
      return p;
    };
    if (refusal) {
      record('failed-to-start', null, refusal.message);
      throw refusal;
    }
    // Which settings the server runs with, by name: a value that differs only per node (the advertised
    // address of whichever node plays the master) is no reason to restart the one shared server, which
    // parallel fault runs use at the same time; another family's settings differ by name and do restart it.
    const settingsKey = JSON.stringify(Object.keys(settings?.applied ?? {}).sort());
    if (this.serverVersion === version && this.serverSettings === settingsKey) return record('already-running', version);
    if (this.storeVersion && compareNeo4jVersions(version, this.storeVersion) < 0 && !this.patchDowngrade(version, this.storeVersion)) {
      return record('not-played', null, `the store is already at ${this.storeVersion}; Neo4j stores cannot be downgraded`);
    }
    const restart = this.storeVersion !== undefined;
    if (this.server) {
      await this.server.stop();
      this.server = undefined;
      this.serverVersion = undefined;
    }
    fs.mkdirSync(this.options.dataDir, { recursive: true });
    try {
      this.server = await startNeo4j({
        version, dataDir: this.options.dataDir, password: this.options.password, port: this.options.port,
        ...(settings && { settings: settings.applied }),
      });
    } catch (e) {
      // As on AWS: the node's Neo4j does not come up (ECS would stop the task); nothing answers on Bolt.
      record('failed-to-start', null, (e as Error).message.slice(0, 2000));
      throw e;
    }
    this.serverVersion = this.server.version;
    this.serverSettings = settingsKey;
    if (!this.storeVersion || compareNeo4jVersions(this.server.version, this.storeVersion) > 0) this.storeVersion = this.server.version;
    if (!restart && this.options.seedsMarkers !== false) await this.seed();
    const markers = await this.countMarkers();
    this.storeChecks.push({ version: this.server.version, markerNodes: markers, at: new Date().toISOString() });
    const note = `store holds ${markers} of ${this.seededNodes} marker nodes written at ${this.played[0]?.version ?? version}`;
    if (markers !== this.seededNodes) throw new Error(`Neo4j ${version} on ${this.options.dataDir}: ${note}`);
    return record(restart ? 'restarted-same-store' : 'started', this.server.version, note);
  }

  private patchDowngrade(version: string, storeVersion: string): boolean {
    const minor = (v: string) => v.split('.').slice(0, 2).join('.');
    return this.options.playsPatchDowngrades === true && minor(version) === minor(storeVersion);
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

  /**
   * Which of the container's settings the embedded server gets: Enterprise clustering settings that
   * `version` knows are checked by name and value only; an invalid value is refused here; everything else,
   * including Enterprise settings `version` does NOT know, goes to the real server, whose strict validation
   * refuses an unknown name as Enterprise would.
   */
  public static settingsFor(version: string, container: ContainerSettings): PlayedSettings {
    const harnessOwned = Object.keys(container.settings).filter((n) => HARNESS_OWNED.test(n));
    const own = Object.fromEntries(Object.entries(container.settings).filter(([n]) => !HARNESS_OWNED.test(n)));
    const split = splitEnterpriseSettings(version, own);
    const invalid = split.refused.filter((r) => !r.reason.includes('does not know'));
    if (invalid.length > 0) {
      throw new Error(`Neo4j ${version} would refuse the container's settings (${container.source}): ${invalid.map((r) => r.reason).join('; ')}`);
    }
    const unknown = Object.fromEntries(split.refused.map((r) => [r.name, r.value]));
    return { source: container.source, applied: { ...split.forServer, ...unknown }, checkedByNameOnly: split.checkedByName, harnessOwned };
  }

  public static dataDirUnder(dir: string): string {
    return path.join(dir, 'neo4j');
  }
}
