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

/** `hashRelationships` on a worker thread connected with `connection`; progress comes back as counts. */
export function hashRelationshipsInThread(connection: ThreadConnection, o: RelationshipPassOptions): Promise<Record<string, GroupDigest>> {
  const { onProgress, ...plain } = o;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) fn();
      settled = true;
    };
    const worker = new Worker(BOOT, { eval: true, workerData: { kind: WORKER_KIND, entry: __filename, connection, options: plain } });
    worker.on('message', (m: Message) => {
      if (m.type === 'progress') onProgress?.(m.done);
      else if (m.type === 'done') settle(() => resolve(m.digests));
      else settle(() => reject(Object.assign(new Error(m.message), { name: m.name, code: m.code })));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`relationship pass thread exited (code ${code}) before its result`))));
  });
}

async function workerMain(): Promise<void> {
  const port = parentPort!;
  const { connection, options } = workerData as { connection: ThreadConnection; options: RelationshipPassOptions };
  const driver = connect(connection.uri, connection.credentials, connection.config);
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
