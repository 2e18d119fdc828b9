/**
 * A real Neo4j server for tests and local rehearsals, without Docker: embedded Neo4j Community
 * (`org.neo4j:neo4j` from Maven Central) with the Bolt connector on 127.0.0.1, auth enabled.
 *
 * Per version, the jars are resolved once with Maven (`dependency:build-classpath`, so they live in the
 * local Maven repository) and the launcher (src/main/java/.../Launcher.java) is compiled once with javac
 * against them; both are cached under ~/.cache/cdk-neo4j-ecs-upgrades/neo4j-<version>/ (override with
 * NEO4J_EMBEDDED_CACHE). The JDK is chosen per version: the smallest installed Java that the version
 * supports (5.x: 17+, 2025.x and later: 21+).
 *
 * Community has no clustering: a server started here is a standalone server.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import { freePort } from '../free-port';

/** Newest 5.26 LTS patch on Maven Central; runs on Java 17. */
export const NEO4J_LTS_VERSION = '5.26.30';
/** Newest calendar-versioned release on Maven Central; needs Java 21+ (runs here on Temurin 25). */
export const NEO4J_NEWEST_VERSION = '2026.08.1';
/**
 * An older 5.26 patch release on Maven Central (Java 17): the rolling rehearsal's starting version, so that
 * its roll to NEO4J_LTS_VERSION is a patch upgrade within 5.26 (same discovery, a rollable pair).
 */
export const NEO4J_LTS_OLDER_PATCH_VERSION = '5.26.25';
export const NEO4J_EMBEDDED_VERSIONS = [NEO4J_LTS_OLDER_PATCH_VERSION, NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION] as const;

export const NEO4J_EMBEDDED_USER = 'neo4j';
export const NEO4J_EMBEDDED_DEFAULT_PASSWORD = 'embedded-test-password';

const TOOL_DIR = __dirname;
const POM = path.join(TOOL_DIR, 'pom.xml');
const LAUNCHER_SOURCE = path.join(TOOL_DIR, 'src', 'main', 'java', 'io', 'github', 'cdkneo4j', 'embedded', 'Launcher.java');
const LAUNCHER_CLASS = 'io.github.cdkneo4j.embedded.Launcher';
const READY = 'NEO4J_EMBEDDED_READY ';
const FAILED = 'NEO4J_EMBEDDED_FAILED ';

export interface StartNeo4jOptions {
  /** Neo4j version (Maven Central `org.neo4j:neo4j`). Default NEO4J_LTS_VERSION. */
  version?: string;
  /** Home directory of the server (data/, logs/). Default: a new temporary directory, removed on stop. */
  dataDir?: string;
  /** Password for user `neo4j`, at least 8 characters. Default NEO4J_EMBEDDED_DEFAULT_PASSWORD. */
  password?: string;
  /** Bolt port on 127.0.0.1. Default: a free port (retried if another process takes it first). */
  port?: number;
  /** JDK to run this version with. Default: chosen per version (see javaCandidates). */
  javaHome?: string;
  /** Default ~/.cache/cdk-neo4j-ecs-upgrades, or NEO4J_EMBEDDED_CACHE. */
  cacheDir?: string;
  /** Maven executable. Default `mvn` on PATH. */
  mvn?: string;
  /** JVM heap in MiB. Default 512. */
  heapMb?: number;
  /** Page cache in MiB. Default 64. */
  pageCacheMb?: number;
  /**
   * Run the JVM with its default JIT and collector (C2 and, on a server-class machine, G1), as a production
   * server does, instead of C1 only with the serial collector (quicker start, slower long queries). For
   * benchmarks. Default false.
   */
  fullJit?: boolean;
  /** How long to wait for Bolt after the JVM starts. Default 180 s, or NEO4J_EMBEDDED_START_TIMEOUT_MS (a loaded machine). */
  startTimeoutMs?: number;
  /**
   * Settings to start with (name -> value, as in neo4j.conf), checked by Neo4j's strict config validation:
   * an unknown name or a bad value fails the start. Data directory, Bolt address and auth stay the
   * launcher's. Default: none.
   */
  settings?: Readonly<Record<string, string>>;
}

export interface Neo4jServer {
  /** bolt://127.0.0.1:PORT */
  readonly boltUri: string;
  readonly host: string;
  readonly port: number;
  /** The version the server reports over Bolt (agent `Neo4j/<version>`), e.g. '5.26.30'. */
  readonly version: string;
  /** 'community' */
  readonly edition: string;
  readonly dataDir: string;
  readonly user: string;
  readonly password: string;
  /** java.version of the JVM that runs the server. */
  readonly javaVersion: string;
  readonly timings: Neo4jStartTimings;
  /** The launcher's stdout and stderr so far (Neo4j's own logs are in <dataDir>/logs). */
  log(): string;
  /** Shuts the server down cleanly (SIGTERM, then SIGKILL after 60 s). Safe to call twice. */
  stop(): Promise<void>;
}

export interface Neo4jStartTimings {
  /** Resolving jars and compiling the launcher (0-ish when cached). */
  readonly prepareMs: number;
  /** Whether this start ran Maven (first start of a version on this machine). */
  readonly resolved: boolean;
  /** JVM start until Bolt answered with authentication. */
  readonly startMs: number;
  readonly totalMs: number;
}

export interface PreparedNeo4j {
  readonly version: string;
  readonly javaHome: string;
  readonly javaMajor: number;
  /** Classpath for `java -cp`: launcher classes plus the resolved jars. */
  readonly classpath: string;
  readonly resolved: boolean;
  readonly prepareMs: number;
}

/** Thrown when something needed to run Neo4j is missing; the message says what to install. */
export class Neo4jEmbeddedSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Neo4jEmbeddedSetupError';
  }
}

/** Minimum Java major version for a Neo4j version: 5.x runs on 17, calendar versions (2025.01+) need 21. */
export function requiredJavaMajor(version: string): number {
  const major = Number(version.split('.')[0]);
  if (!Number.isInteger(major) || major < 5) {
    throw new Neo4jEmbeddedSetupError(`Neo4j ${version} is not supported by tools/neo4j-embedded (5.x and 2025.x or later only)`);
  }
  return major >= 2025 ? 21 : 17;
}

export function defaultCacheDir(): string {
  return process.env.NEO4J_EMBEDDED_CACHE ?? path.join(os.homedir(), '.cache', 'cdk-neo4j-ecs-upgrades');
}

interface Jdk { home: string; major: number }

/** JDK homes to consider, most explicit first: NEO4J_EMBEDDED_JAVA_HOME, JAVA_HOME, `java` on PATH, /usr/lib/jvm/*. */
export function javaCandidates(): string[] {
  const homes: string[] = [];
  for (const env of ['NEO4J_EMBEDDED_JAVA_HOME', 'JAVA_HOME']) {
    if (process.env[env]) homes.push(process.env[env] as string);
  }
  const which = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    try {
      homes.push(path.dirname(path.dirname(fs.realpathSync(which.stdout.trim()))));
    } catch {
      // dangling link: ignore
    }
  }
  for (const root of ['/usr/lib/jvm', '/usr/local/lib/jvm', '/opt/java', '/Library/Java/JavaVirtualMachines']) {
    if (!fs.existsSync(root)) continue;
    for (const name of fs.readdirSync(root).sort()) {
      const home = path.join(root, name);
      homes.push(fs.existsSync(path.join(home, 'Contents', 'Home')) ? path.join(home, 'Contents', 'Home') : home);
    }
  }
  return [...new Set(homes.map((h) => path.resolve(h)))];
}

function jdkAt(home: string): Jdk | undefined {
  if (!fs.existsSync(path.join(home, 'bin', 'java')) || !fs.existsSync(path.join(home, 'bin', 'javac'))) return undefined;
  let versionText = '';
  const release = path.join(home, 'release');
  if (fs.existsSync(release)) {
    versionText = /JAVA_VERSION="([^"]+)"/.exec(fs.readFileSync(release, 'utf8'))?.[1] ?? '';
  }
  if (!versionText) {
    const r = spawnSync(path.join(home, 'bin', 'java'), ['-version'], { encoding: 'utf8' });
    versionText = /version "([^"]+)"/.exec(r.stderr ?? '')?.[1] ?? '';
  }
  const major = Number(versionText.startsWith('1.') ? versionText.split('.')[1] : versionText.split(/[.+-]/)[0]);
  return Number.isInteger(major) && major > 0 ? { home, major } : undefined;
}

/** The JDK (java + javac) to run `version` with: the smallest installed major it supports. */
export function chooseJdk(version: string, javaHome?: string, candidates: string[] = javaCandidates()): Jdk {
  const need = requiredJavaMajor(version);
  if (javaHome) {
    const jdk = jdkAt(path.resolve(javaHome));
    if (!jdk) throw new Neo4jEmbeddedSetupError(`javaHome ${javaHome} is not a JDK (needs bin/java and bin/javac)`);
    if (jdk.major < need) {
      throw new Neo4jEmbeddedSetupError(`Neo4j ${version} needs Java ${need}+, but javaHome ${javaHome} is Java ${jdk.major}`);
    }
    return jdk;
  }
  const jdks = candidates.map(jdkAt).filter((j): j is Jdk => j !== undefined);
  // Prefer the explicit override, then the smallest major that is new enough (the best-tested one).
  const override = process.env.NEO4J_EMBEDDED_JAVA_HOME && jdkAt(path.resolve(process.env.NEO4J_EMBEDDED_JAVA_HOME));
  if (override && override.major >= need && candidates.includes(override.home)) return override;
  const fit = jdks.filter((j) => j.major >= need).sort((a, b) => a.major - b.major)[0];
  if (!fit) {
    const found = jdks.map((j) => `${j.home} (Java ${j.major})`).join(', ') || 'none';
    throw new Neo4jEmbeddedSetupError(
      `Neo4j ${version} needs a JDK ${need} or newer (java and javac); found: ${found}. ` +
        (need <= 17
          ? 'Install one (e.g. apt-get install openjdk-17-jdk-headless) or set NEO4J_EMBEDDED_JAVA_HOME.'
          : `Install one (Eclipse Temurin ${need}+, or openjdk-${need}-jdk-headless where the distribution has it; ` +
            'Debian 12 does not) under /usr/lib/jvm or set NEO4J_EMBEDDED_JAVA_HOME.'),
    );
  }
  return fit;
}

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) fs.rmSync(lockDir, { recursive: true, force: true }); // left by a killed run
      if (Date.now() > deadline) throw new Neo4jEmbeddedSetupError(`timed out waiting for lock ${lockDir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d.toString(); });
    child.stderr.on('data', (d) => { output += d.toString(); });
    child.on('error', (error) => resolve({ code: null, output, error }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function classpathComplete(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const entries = fs.readFileSync(file, 'utf8').trim().split(path.delimiter).filter(Boolean);
  return entries.length > 0 && entries.every((e) => fs.existsSync(e));
}

/**
 * Resolves `org.neo4j:neo4j:<version>` with Maven and compiles the launcher against it, once per version
 * (cached; concurrent callers wait on a lock). Needs `mvn` and Maven Central on the first call.
 */
export async function prepareNeo4j(opts: Pick<StartNeo4jOptions, 'version' | 'javaHome' | 'cacheDir' | 'mvn'> = {}): Promise<PreparedNeo4j> {
  const t0 = Date.now();
  const version = opts.version ?? NEO4J_LTS_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Neo4jEmbeddedSetupError(`Neo4j version must look like 5.26.30 or 2026.08.1, got '${version}'`);
  const jdk = chooseJdk(version, opts.javaHome);
  const dir = path.join(opts.cacheDir ?? defaultCacheDir(), `neo4j-${version}`);
  fs.mkdirSync(dir, { recursive: true });
  const classpathFile = path.join(dir, 'classpath.txt');
  const source = fs.readFileSync(LAUNCHER_SOURCE);
  const classesDir = path.join(dir, `launcher-${sha(source)}-java${jdk.major}`);
  let resolved = false;

  if (!classpathComplete(classpathFile) || !fs.existsSync(path.join(classesDir, '.complete'))) {
    await withLock(path.join(dir, '.lock'), async () => {
      if (!classpathComplete(classpathFile)) {
        resolved = true;
        const mvn = opts.mvn ?? 'mvn';
        const tmp = `${classpathFile}.${process.pid}.tmp`;
        const r = await run(mvn, [
          '-B', '-q', '-f', POM, `-Dneo4j.version=${version}`,
          'dependency:build-classpath', '-Dmdep.includeScope=runtime', `-Dmdep.outputFile=${tmp}`,
        ], process.env);
        if (r.error) {
          throw new Neo4jEmbeddedSetupError(
            `Maven ('${mvn}') could not be run (${r.error.message}). tools/neo4j-embedded resolves Neo4j from Maven Central ` +
              'with Maven: install Maven 3.8+ (e.g. apt-get install maven) and put mvn on PATH.',
          );
        }
        if (r.code !== 0 || !fs.existsSync(tmp)) {
          throw new Neo4jEmbeddedSetupError(
            `Maven could not resolve org.neo4j:neo4j:${version} (exit ${r.code}). Maven Central must be reachable ` +
              `(or the jars already in the local Maven repository) and the version must exist there. Maven said:\n${r.output.slice(-3000)}`,
          );
        }
        fs.renameSync(tmp, classpathFile);
      }
      if (!fs.existsSync(path.join(classesDir, '.complete'))) {
        fs.rmSync(classesDir, { recursive: true, force: true });
        fs.mkdirSync(classesDir, { recursive: true });
        const cp = fs.readFileSync(classpathFile, 'utf8').trim();
        const r = await run(path.join(jdk.home, 'bin', 'javac'), [
          '-proc:none', '--release', '17', '-nowarn', '-d', classesDir, '-cp', cp, LAUNCHER_SOURCE,
        ], process.env);
        if (r.code !== 0) {
          throw new Neo4jEmbeddedSetupError(`javac (${jdk.home}) failed to compile the launcher for Neo4j ${version}:\n${r.output.slice(-3000)}`);
        }
        fs.writeFileSync(path.join(classesDir, '.complete'), new Date().toISOString());
      }
    });
  }
  const classpath = [classesDir, fs.readFileSync(classpathFile, 'utf8').trim()].join(path.delimiter);
  return { version, javaHome: jdk.home, javaMajor: jdk.major, classpath, resolved, prepareMs: Date.now() - t0 };
}


interface Launched {
  child: ChildProcess;
  ready: { version: string; edition: string; java: string };
  log: () => string;
}

class AddressInUse extends Error {}

function launch(prepared: PreparedNeo4j, dataDir: string, port: number, password: string, opts: StartNeo4jOptions): Promise<Launched> {
  // C1 only: no C2 compiler threads competing for CPU during start-up on small machines; tests run short queries.
  // A benchmark's long scans want the JVM's defaults (C2, its default collector), as a production server runs.
  const jitArgs = opts.fullJit ? [] : ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];
  const jvmArgs = [`-Xmx${opts.heapMb ?? 512}m`, ...jitArgs, '-Dfile.encoding=UTF-8'];
  if (prepared.javaMajor >= 21) jvmArgs.push('--enable-native-access=ALL-UNNAMED');
  if (prepared.javaMajor >= 24) jvmArgs.push('--sun-misc-unsafe-memory-access=allow');
  const settingsArgs = opts.settings ? ['--settings', writeSettingsFile(opts.settings)] : [];
  const child = spawn(path.join(prepared.javaHome, 'bin', 'java'), [
    ...jvmArgs, '-cp', prepared.classpath, LAUNCHER_CLASS,
    '--data-dir', dataDir, '--port', String(port), '--host', '127.0.0.1', '--page-cache-mb', String(opts.pageCacheMb ?? 64),
    ...settingsArgs,
  ], { env: { ...process.env, NEO4J_EMBEDDED_PASSWORD: password }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.once('exit', () => { if (settingsArgs[1]) fs.rmSync(path.dirname(settingsArgs[1]), { recursive: true, force: true }); });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  const log = () => lines.join('\n');
  const startTimeoutMs = opts.startTimeoutMs ?? (Number(process.env.NEO4J_EMBEDDED_START_TIMEOUT_MS) || 180_000);
  return new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const settle = (f: () => void) => { if (!settled) { settled = true; clearTimeout(timer); f(); } };
    const timer = setTimeout(() => settle(() => {
      child.kill('SIGKILL');
      reject(new Error(`Neo4j ${prepared.version} did not start within ${startTimeoutMs / 1000} s (logs in ${dataDir}/logs):\n${log().slice(-3000)}`));
    }), startTimeoutMs);
    child.stderr!.on('data', keep);
    child.stdout!.on('data', (d: Buffer) => {
      keep(d);
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line.startsWith(READY)) {
          settle(() => resolve({ child, ready: JSON.parse(line.slice(READY.length)), log }));
        } else if (line.startsWith(FAILED)) {
          const failure = JSON.parse(line.slice(FAILED.length)) as { error: string; addressInUse: boolean };
          settle(() => reject(failure.addressInUse
            ? new AddressInUse(`port ${port} is in use`)
            : new Error(`Neo4j ${prepared.version} failed to start on ${dataDir}: ${failure.error}`)));
        }
      }
    });
    child.on('error', (e) => settle(() => reject(new Neo4jEmbeddedSetupError(`could not run ${prepared.javaHome}/bin/java: ${e.message}`))));
    child.on('exit', (code, signal) => settle(() => reject(new Error(
      `Neo4j ${prepared.version} exited before it was ready (code ${code}, signal ${signal}):\n${log().slice(-3000)}`,
    ))));
  });
}

/** A neo4j.conf-style file of the settings, in a temporary file the launcher reads at start. */
function writeSettingsFile(settings: Readonly<Record<string, string>>): string {
  for (const [name, value] of Object.entries(settings)) {
    if (!/^[A-Za-z0-9_.]+$/.test(name) || /[\r\n]/.test(value)) throw new Neo4jEmbeddedSetupError(`setting ${JSON.stringify(name)}=${JSON.stringify(value)} cannot be written to a config file`);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'neo4j-settings-')), 'neo4j.conf');
  fs.writeFileSync(file, Object.entries(settings).map(([name, value]) => `${name}=${value}`).join('\n') + '\n');
  return file;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', () => { clearTimeout(killer); resolve(); });
    child.kill('SIGTERM');
  });
}

/**
 * Starts embedded Neo4j `version` on `dataDir` and resolves when Bolt accepts the password. Throws
 * Neo4jEmbeddedSetupError when Java, Maven or Maven Central is missing. Starting a newer version on a data
 * directory written by an older one opens and upgrades that store (e.g. 5.26 -> 2026.x).
 */
export async function startNeo4j(opts: StartNeo4jOptions = {}): Promise<Neo4jServer> {
  const t0 = Date.now();
  const password = opts.password ?? NEO4J_EMBEDDED_DEFAULT_PASSWORD;
  if (password.length < 8) throw new Neo4jEmbeddedSetupError('password must have at least 8 characters (Neo4j default minimum)');
  const prepared = await prepareNeo4j(opts);
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = path.resolve(opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'neo4j-embedded-')));
  fs.mkdirSync(dataDir, { recursive: true });

  const tStart = Date.now();
  let launched: Launched | undefined;
  let port = opts.port ?? 0;
  for (let attempt = 1; !launched; attempt++) {
    port = opts.port ?? await freePort();
    try {
      launched = await launch(prepared, dataDir, port, password, opts);
    } catch (e) {
      if (!(e instanceof AddressInUse) || opts.port !== undefined || attempt >= 5) {
        if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  const { child, ready, log } = launched;
  const boltUri = `bolt://127.0.0.1:${port}`;
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    process.removeListener('exit', onExit);
    await stopChild(child);
    if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  })());

  let version: string;
  const driver = neo4j.driver(boltUri, neo4j.auth.basic(NEO4J_EMBEDDED_USER, password));
  try {
    const info = await driver.getServerInfo();
    await driver.verifyAuthentication();
    version = /^Neo4j\/(.+)$/.exec(info.agent ?? '')?.[1] ?? '';
    if (version !== ready.version) {
      throw new Error(`Bolt reports agent '${info.agent}' but the launcher reported Neo4j ${ready.version}`);
    }
  } catch (e) {
    await stop();
    throw new Error(`Neo4j ${prepared.version} started but Bolt at ${boltUri} failed verification: ${(e as Error).message}`, { cause: e });
  } finally {
    await driver.close();
  }

  const now = Date.now();
  return {
    boltUri,
    host: '127.0.0.1',
    port,
    version,
    edition: ready.edition,
    dataDir,
    user: NEO4J_EMBEDDED_USER,
    password,
    javaVersion: ready.java,
    timings: { prepareMs: prepared.prepareMs, resolved: prepared.resolved, startMs: now - tStart, totalMs: now - t0 },
    log,
    stop,
  };
}

/**
 * For local rehearsals: `npx ts-node tools/neo4j-embedded/index.ts [version] [dataDir]` starts a server,
 * prints its connection details as JSON and runs until Ctrl-C.
 */
if (require.main === module) {
  const [version, dataDir] = process.argv.slice(2);
  startNeo4j({ version, dataDir, password: process.env.NEO4J_PASSWORD }).then((s) => {
    console.log(JSON.stringify({ boltUri: s.boltUri, version: s.version, user: s.user, password: s.password, dataDir: s.dataDir, timings: s.timings }));
    const quit = () => { void s.stop().then(() => process.exit(0)); };
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
  }, (e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
