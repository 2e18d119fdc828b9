import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Credentials } from './connect';
import { connect } from './connect';
import type { RelationshipPassOptions } from './relationship-pass';
import { hashRelationships } from './relationship-pass';
import type { GroupDigest } from './snapshot';

/**
 * The relationship pass in a worker thread with its own driver, so that the node pass (on the caller's
 * thread) and the relationship pass decode and hash on two cores.
 *
 * Why: in the full pass the client is one JavaScript thread doing the driver's decoding (~27 us per
 * entity) and the canonical encoding and SHA-256 (~8 us); a Driver cannot cross threads, so the worker
 * connects again with the same coordinates. Only plain data crosses: the options, progress counts and
 * the finished group digests (sums are order-independent, so the checksums do not depend on where
 * they are computed).
 */
export interface ThreadConnection {
  /** The same server and database as the caller's driver (never logged or recorded). */
  readonly uri: string;
  readonly credentials: Credentials;
  /** Driver configuration; structured-cloneable only (no resolver, logger or other functions). */
  readonly config?: Record<string, unknown>;
}

const WORKER_KIND = 'validator-relationship-pass';

// A script, not a file: this module's own file (compiled JavaScript, a bundle, or TypeScript under
// ts-node or jest) is required in the worker, and its last lines start the pass there. TypeScript (dev
// and tests only) is transpiled with esbuild, a devDependency: ts-node's compiler cost seconds per pass.
const BOOT = `const { workerData } = require('node:worker_threads');
if (/\\.ts$/.test(workerData.entry)) {
  const { transformSync } = require('esbuild');
  const fs = require('node:fs');
  require.extensions['.ts'] = (m, file) => m._compile(transformSync(fs.readFileSync(file, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: file }).code, file);
}
require(workerData.entry);`;

type Message =
  | { readonly type: 'progress'; readonly done: number }
  | { readonly type: 'done'; readonly digests: Record<string, GroupDigest> }
  | { readonly type: 'error'; readonly name: string; readonly message: string; readonly code?: string };

/**
 * `hashRelationships` on a worker thread connected with its own driver; progress comes back as counts.
 * Started ahead of its pass: loading its modules and creating its driver
 * (about 0.5 s of CPU, seconds of wall time on a busy machine) overlap the caller's own set-up queries.
 * `run` once; `discard` a thread that will not run (it is terminated), harmless after `run`.
 */
export class RelationshipThread {
  static start(connection: ThreadConnection): RelationshipThread {
    return new RelationshipThread(connection);
  }

  private readonly worker: Worker;
  private onMessage: (m: Message) => void = () => undefined;
  private failure: Error | undefined;
  private onFailure: (err: Error) => void = (err) => (this.failure ??= err);
  private started = false;

  private constructor(connection: ThreadConnection) {
    this.worker = new Worker(BOOT, { eval: true, workerData: { kind: WORKER_KIND, entry: __filename, connection } });
    this.worker.on('message', (m: Message) => this.onMessage(m));
    this.worker.on('error', (err) => this.onFailure(err));
    this.worker.on('exit', (code) => this.onFailure(new Error(`relationship pass thread exited (code ${code}) before its result`)));
  }

  run(o: RelationshipPassOptions): Promise<Record<string, GroupDigest>> {
    if (this.started) throw new Error('a relationship pass thread runs one pass');
    this.started = true;
    const { onProgress, ...plain } = o;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (!settled) fn();
        settled = true;
      };
      if (this.failure) return reject(this.failure);
      this.onFailure = (err) => settle(() => reject(err));
      this.onMessage = (m) => {
        if (m.type === 'progress') onProgress?.(m.done);
        else if (m.type === 'done') settle(() => resolve(m.digests));
        else settle(() => reject(Object.assign(new Error(m.message), { name: m.name, code: m.code })));
      };
      this.worker.postMessage({ type: 'run', options: plain });
    });
  }

  /** Terminates the thread if it never ran a pass (a capture that failed before its relationship pass). */
  async discard(): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.worker.terminate();
    }
  }
}

async function workerMain(): Promise<void> {
  const port = parentPort!;
  const { connection } = workerData as { connection: ThreadConnection };
  const driver = connect(connection.uri, connection.credentials, connection.config);
  const { options } = await new Promise<{ options: RelationshipPassOptions }>((resolve) => port.once('message', resolve));
  try {
    const digests = await hashRelationships(driver, { ...options, onProgress: (done) => port.postMessage({ type: 'progress', done }) });
    port.postMessage({ type: 'done', digests });
  } catch (err) {
    const e = err as { name?: string; message?: string; code?: string };
    port.postMessage({ type: 'error', name: e.name ?? 'Error', message: e.message ?? String(err), code: e.code });
  } finally {
    await driver.close();
  }
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === WORKER_KIND) void workerMain();
