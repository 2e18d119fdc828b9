/**
 * Validator benchmark:
 * `npx ts-node bench/validator.bench.ts [--scale F | --nodes N --relationships N] [--rounds R] [--version V]`.
 *
 * Builds a graph (default 1,000,000 nodes, 2,000,000 relationships; `--scale 0.1` for a tenth, to
 * iterate; UNWIND batches) in one embedded server, then measures in the same run, `--rounds` times
 * (default 2), in alternating order (odd rounds reversed) so warm-up and load from other work on a
 * shared machine fall on both sides alike:
 * - the ceiling: raw Bolt streaming of `MATCH (n) RETURN n` and `MATCH ()-[r]->() RETURN r` at once,
 *   records discarded as the driver decodes them (as the validator takes them), on this thread; and
 *   the same with each stream on its own worker thread and driver (as many client threads as the
 *   validator's pass);
 * - the validator's full checksum pass (captureSnapshot, keys configured, which is also a full baseline
 *   capture) with the relationship pass on a second thread (`secondThread`), and on one thread;
 * - the ratios are total ceiling time over total validator time, three ways (2-thread pass vs the
 *   one-thread ceiling, vs the two-thread ceiling, and the one-thread pass vs the one-thread ceiling);
 *   client (this process, all threads) and server (the JVM) CPU seconds are given per pass: where the time goes;
 * - the quick baseline (counts, schema, sample);
 * - peak memory of this process (RSS sampled every 50 ms per phase, and resourceUsage().maxRSS), and the
 *   same full pass once more in a child process whose V8 old space is capped at 64 MiB: it completes, so
 *   the pass's memory does not grow with the graph (the higher RSS of the first pass is lazy GC).
 * Prints a table and one JSON line. `--pass-only` is the child's mode (URI and credentials from env).
 */
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import neo4j from 'neo4j-driver';
import type { Driver } from 'neo4j-driver';
import { NEO4J_LTS_VERSION, startNeo4j } from '../test/support/neo4j';
import { captureSnapshot } from '../validator/capture';
import { connect } from '../validator/connect';
import { progressBar } from '../validator/progress-bar';
import { forEachRecord } from '../validator/record-stream';
import type { Snapshot } from '../validator/snapshot';
import { serializeSnapshot } from '../validator/snapshot';

const KEYS = { Person: 'id', Company: 'id' };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Peak RSS while `fn` runs (sampled), and its wall time. */
async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMb: number }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = process.hrtime.bigint();
  try {
    const value = await fn();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, seconds, peakRssMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** CPU seconds used so far by this process and by the embedded server's JVM (a child; Linux /proc). */
function cpuSeconds(): { client: number; server: number } {
  const u = process.cpuUsage();
  let server = 0;
  try {
    const children = fs.readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const pid of children) {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('java')) continue;
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      server += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
    }
  } catch {
    server = NaN; // not Linux: no server figure
  }
  return { client: (u.user + u.system) / 1e6, server };
}

/** Runs fn and adds its wall time, client and server CPU seconds to `into`. */
async function timed<T>(into: { seconds: number; clientCpu: number; serverCpu: number }, fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMb: number }> {
  const before = cpuSeconds();
  const m = await measure(fn);
  const after = cpuSeconds();
  into.seconds += m.seconds;
  into.clientCpu += after.client - before.client;
  into.serverCpu += after.server - before.server;
  return m;
}

async function run(driver: Driver, cypher: string, params: Record<string, unknown> = {}): Promise<void> {
  const s = driver.session();
  try {
    await s.run(cypher, params);
  } finally {
    await s.close();
  }
}

/**
 * Streams a query and discards the records; returns how many arrived. Records are taken as the driver
 * decodes them (no async iterator), as the validator takes them (validator/record-stream.ts): the
 * ceiling pays no per-record cost the validator avoids.
 */
async function stream(driver: Driver, cypher: string): Promise<number> {
  const s = driver.session({ defaultAccessMode: 'READ', fetchSize: 2000 });
  let n = 0;
  try {
    await forEachRecord(s, cypher, {}, () => n++);
  } finally {
    await s.close();
  }
  return n;
}

// The same in a worker thread with its own driver: the ceiling with as many client threads as the
// validator's two-thread pass.
const STREAM_IN_THREAD = `const { workerData, parentPort } = require('node:worker_threads');
const neo4j = require(workerData.driverModule);
(async () => {
  const driver = neo4j.driver(workerData.uri, neo4j.auth.basic(workerData.user, workerData.password));
  const s = driver.session({ defaultAccessMode: 'READ', fetchSize: 2000 });
  let n = 0;
  await new Promise((resolve, reject) => s.run(workerData.cypher).subscribe({ onNext: () => n++, onCompleted: resolve, onError: reject }));
  await s.close();
  await driver.close();
  parentPort.postMessage(n);
})().catch((err) => { throw err; });`;

function streamInThread(server: { boltUri: string; user: string; password: string }, cypher: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(STREAM_IN_THREAD, {
      eval: true,
      workerData: { driverModule: require.resolve('neo4j-driver'), uri: server.boltUri, user: server.user, password: server.password, cypher },
    });
    w.on('message', resolve);
    w.on('error', reject);
    w.on('exit', (code) => reject(new Error(`stream thread exited with ${code}`)));
  });
}

async function build(driver: Driver, nodes: number, relationships: number, log: (line: string) => void): Promise<{ nodesSeconds: number; relationshipsSeconds: number }> {
  let bar = progressBar(process.stderr);
  await run(driver, 'CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE');
  await run(driver, 'CREATE CONSTRAINT company_id FOR (c:Company) REQUIRE c.id IS UNIQUE');
  await run(driver, 'CREATE INDEX person_name FOR (p:Person) ON (p.name)');
  let t = Date.now();
  const batch = 100_000;
  for (let lo = 0; lo < nodes; lo += batch) {
    const params = { lo: neo4j.int(lo), hi: neo4j.int(Math.min(lo + batch, nodes) - 1) };
    // 80% :Person, 10% :Person:Employee, 10% :Company; mixed property types
    await run(
      driver,
      'UNWIND range($lo, $hi) AS i WITH i WHERE i % 10 < 8 ' +
        'CREATE (:Person {id: i, name: "person " + i, score: toFloat(i) / 7, born: date({year: 1950 + i % 50, month: 1 + i % 12, day: 1 + i % 28}), tags: ["a", "b" + (i % 5)]})',
      params,
    );
    await run(
      driver,
      'UNWIND range($lo, $hi) AS i WITH i WHERE i % 10 = 8 ' +
        'CREATE (:Person:Employee {id: i, name: "employee " + i, badge: i * 3, since: datetime({epochSeconds: 1000000000 + i, timezone: "Europe/Berlin"})})',
      params,
    );
    await run(
      driver,
      'UNWIND range($lo, $hi) AS i WITH i WHERE i % 10 = 9 ' +
        'CREATE (:Company {id: i, name: "company " + i, location: point({longitude: i % 180, latitude: (i % 90) - 45}), active: i % 2 = 0})',
      params,
    );
    bar.update('build nodes', Math.min(lo + batch, nodes), nodes);
  }
  bar.done();
  const nodesSeconds = (Date.now() - t) / 1000;
  log(`nodes built in ${nodesSeconds.toFixed(1)} s`);
  t = Date.now();
  bar = progressBar(process.stderr); // its own rate
  const relBatch = 100_000;
  for (let lo = 0; lo < relationships; lo += relBatch) {
    const hi = Math.min(lo + relBatch, relationships) - 1;
    const type = (lo / relBatch) % 2 === 0 ? 'KNOWS' : 'WORKS_WITH';
    // fresh store: node ids are 0..nodes-1, so an id seek finds both ends
    await run(
      driver,
      'UNWIND range($lo, $hi) AS i MATCH (a) WHERE id(a) = i % $n MATCH (b) WHERE id(b) = (i * 7919 + 13) % $n ' +
        `CREATE (a)-[:${type} {since: i, weight: toFloat(i % 100) / 10}]->(b)`,
      { lo: neo4j.int(lo), hi: neo4j.int(hi), n: neo4j.int(nodes) },
    );
    bar.update('build relationships', hi + 1, relationships);
  }
  bar.done();
  const relationshipsSeconds = (Date.now() - t) / 1000;
  log(`relationships built in ${relationshipsSeconds.toFixed(1)} s`);
  return { nodesSeconds, relationshipsSeconds };
}

/** Child mode: one full checksum pass; prints {seconds, peakRssMb, entities} as JSON. */
async function passOnly(): Promise<void> {
  const driver = connect(process.env.BENCH_BOLT_URI as string, { username: process.env.BENCH_USER as string, password: process.env.BENCH_PASSWORD as string });
  try {
    const credentials = { username: process.env.BENCH_USER as string, password: process.env.BENCH_PASSWORD as string };
    const m = await measure(() => captureSnapshot(driver, { keys: KEYS, secondThread: { uri: process.env.BENCH_BOLT_URI as string, credentials } }));
    console.log(JSON.stringify({ seconds: m.seconds, peakRssMb: m.peakRssMb, entities: m.value.nodes.total + m.value.relationships.total }));
  } finally {
    await driver.close();
  }
}

/** Runs passOnly in `node --max-old-space-size=<mb>`. */
function cappedPass(boltUri: string, user: string, password: string, oldSpaceMb: number): Promise<{ seconds: number; peakRssMb: number; entities: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${oldSpaceMb}`, '-r', 'ts-node/register/transpile-only', __filename, '--pass-only'],
      { cwd: path.join(__dirname, '..'), env: { ...process.env, BENCH_BOLT_URI: boltUri, BENCH_USER: user, BENCH_PASSWORD: password }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string)) : reject(new Error(`capped pass exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--pass-only')) return passOnly();
  const scale = Number(arg('scale', '1'));
  const nodes = Number(arg('nodes', String(Math.round(1_000_000 * scale))));
  const relationships = Number(arg('relationships', String(Math.round(2_000_000 * scale))));
  const rounds = Number(arg('rounds', '2'));
  const version = arg('version', NEO4J_LTS_VERSION);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-bench-'));
  const log = (line: string) => process.stderr.write(line + '\n');
  log(`bench: Neo4j ${version}, ${nodes} nodes, ${relationships} relationships, ${os.cpus().length} CPUs, Node ${process.version}`);
  // fullJit: the JVM's default JIT and collector, as a production server runs (the test default is C1 only)
  const server = await startNeo4j({ version, dataDir, heapMb: 3072, pageCacheMb: 2048, fullJit: true, startTimeoutMs: 600_000 });
  const driver = connect(server.boltUri, { username: server.user, password: server.password });
  try {
    const built = await measure(() => build(driver, nodes, relationships, log));
    log(`built in ${built.seconds.toFixed(1)} s`);
    // Warm up: every record and property page into the page cache (server-side scans), and the query
    // plans and JIT on both sides (short streams), so no measured pass pays for the first touch.
    await run(driver, 'MATCH (n) RETURN sum(size(keys(properties(n))))');
    await run(driver, 'MATCH ()-[r]->() RETURN sum(size(keys(properties(r))))');
    await stream(driver, 'MATCH (n) RETURN n LIMIT 50000');
    await stream(driver, 'MATCH ()-[r]->() RETURN r LIMIT 50000');
    await captureSnapshot(driver, { keys: KEYS, partition: { index: 0, count: 50, strategy: 'internal-id' } });
    await captureSnapshot(driver, { keys: KEYS, partition: { index: 1, count: 50, strategy: 'internal-id' }, secondThread: { uri: server.boltUri, credentials: { username: server.user, password: server.password } } });

    const rawNodes = await measure(() => stream(driver, 'MATCH (n) RETURN n'));
    const rawRels = await measure(() => stream(driver, 'MATCH ()-[r]->() RETURN r'));
    const secondThread = { uri: server.boltUri, credentials: { username: server.user, password: server.password } };
    const acc = () => ({ seconds: 0, clientCpu: 0, serverCpu: 0, peakRssMb: 0, perRound: [] as number[] });
    // ceiling: raw `RETURN n` and `RETURN r` at once, on this thread / each on its own thread
    const rawBoth = acc();
    const rawThreads = acc();
    // validator: the full pass with the relationship pass on a second thread / on this thread only
    const full = acc();
    const single = acc();
    let snapshot = undefined as unknown as Snapshot;
    const bar = progressBar(process.stderr);
    const pass = (label: string, options: Parameters<typeof captureSnapshot>[1]) => async () => {
      const parts = new Map<string, number>();
      const onProgress = (p: { phase: string; done: number }) => {
        parts.set(p.phase, p.done);
        bar.update(label, [...parts.values()].reduce((x, y) => x + y, 0), nodes + relationships);
      };
      snapshot = await captureSnapshot(driver, { keys: KEYS, ...options, onProgress });
      bar.done();
      return snapshot;
    };
    for (let r = 0; r < rounds; r++) {
      const steps: [ReturnType<typeof acc>, () => Promise<unknown>][] = [
        [rawBoth, () => Promise.all([stream(driver, 'MATCH (n) RETURN n'), stream(driver, 'MATCH ()-[r]->() RETURN r')])],
        [full, pass(`validator, 2 threads, ${r + 1}/${rounds}`, { secondThread })],
        [rawThreads, () => Promise.all([streamInThread(server, 'MATCH (n) RETURN n'), streamInThread(server, 'MATCH ()-[r]->() RETURN r')])],
        [single, pass(`validator, 1 thread, ${r + 1}/${rounds}`, {})],
      ];
      if (r % 2 === 1) steps.reverse(); // alternate the order, so warm-up and load drift fall on both sides
      const seconds = new Map<ReturnType<typeof acc>, number>();
      for (const [into, fn] of steps) {
        const m = await timed(into, fn);
        into.peakRssMb = Math.max(into.peakRssMb, m.peakRssMb);
        seconds.set(into, m.seconds);
      }
      const s = (x: ReturnType<typeof acc>) => seconds.get(x) as number;
      full.perRound.push(round(s(rawBoth) / s(full)));
      rawThreads.perRound.push(round(s(rawThreads) / s(full)));
      single.perRound.push(round(s(rawBoth) / s(single)));
      log(
        `round ${r + 1}: ceiling ${s(rawBoth).toFixed(1)} s (2 threads ${s(rawThreads).toFixed(1)} s), validator 2 threads ${s(full).toFixed(1)} s, 1 thread ${s(single).toFixed(1)} s; ` +
          `ratios ${(s(rawBoth) / s(full)).toFixed(2)}, like-for-like threads ${(s(rawThreads) / s(full)).toFixed(2)}, one thread ${(s(rawBoth) / s(single)).toFixed(2)}`,
      );
    }
    const baselineFile = path.join(dataDir, 'baseline.json');
    const serialize = await measure(async () => fs.writeFileSync(baselineFile, serializeSnapshot(snapshot)));
    const quick = await measure(() => captureSnapshot(driver, { keys: KEYS, mode: 'quick', sampleSize: 100 }));
    const capped = await cappedPass(server.boltUri, server.user, server.password, 64);

    const entities = nodes + relationships;
    const rate = (x: { seconds: number }) => (entities * rounds) / x.seconds;
    const cpu = (x: { clientCpu: number; serverCpu: number }) => ({ client: round(x.clientCpu / rounds), server: round(x.serverCpu / rounds) });
    const results = {
      version,
      nodes: snapshot.nodes.total,
      relationships: snapshot.relationships.total,
      buildSeconds: round(built.seconds),
      buildNodesSeconds: round(built.value.nodesSeconds),
      buildRelationshipsSeconds: round(built.value.relationshipsSeconds),
      rawNodesPerSecond: Math.round(nodes / rawNodes.seconds),
      rawRelationshipsPerSecond: Math.round(relationships / rawRels.seconds),
      rawSequentialEntitiesPerSecond: Math.round(entities / (rawNodes.seconds + rawRels.seconds)),
      rawParallelEntitiesPerSecond: Math.round(rate(rawBoth)),
      rawParallelTwoThreadsEntitiesPerSecond: Math.round(rate(rawThreads)),
      rounds,
      validatorSeconds: round(full.seconds / rounds),
      validatorEntitiesPerSecond: Math.round(rate(full)),
      validatorOneThreadEntitiesPerSecond: Math.round(rate(single)),
      ratioToParallelCeiling: round(rate(full) / rate(rawBoth)),
      ratioToTwoThreadCeiling: round(rate(full) / rate(rawThreads)),
      ratioOneThreadToParallelCeiling: round(rate(single) / rate(rawBoth)),
      ratioToSequentialCeiling: round(rate(full) / (entities / (rawNodes.seconds + rawRels.seconds))),
      ratioPerRound: full.perRound,
      ratioToTwoThreadCeilingPerRound: rawThreads.perRound,
      ratioOneThreadPerRound: single.perRound,
      cpuSecondsPerPass: { rawBoth: cpu(rawBoth), rawTwoThreads: cpu(rawThreads), validator: cpu(full), validatorOneThread: cpu(single) },
      peakRssMb: {
        rawStreaming: Math.round(Math.max(rawNodes.peakRssMb, rawRels.peakRssMb, rawBoth.peakRssMb, rawThreads.peakRssMb)),
        validator: Math.round(full.peakRssMb),
        validatorOneThread: Math.round(single.peakRssMb),
        processMaxRss: Math.round(process.resourceUsage().maxRSS / 1024),
        validatorWithOldSpaceCappedAt64Mb: Math.round(capped.peakRssMb),
      },
      cappedPassSeconds: round(capped.seconds),
      fullBaselineSeconds: round(full.seconds / rounds + serialize.seconds),
      baselineBytes: fs.statSync(baselineFile).size,
      quickBaselineSeconds: round(quick.seconds),
      cpus: os.cpus().length,
      loadAverage1m: round(os.loadavg()[0]),
    };
    const c = results.cpuSecondsPerPass;
    const table = [
      ['graph', `${results.nodes} nodes, ${results.relationships} relationships (built in ${results.buildSeconds} s: nodes ${results.buildNodesSeconds} s, relationships ${results.buildRelationshipsSeconds} s)`],
      ['raw stream, nodes', `${results.rawNodesPerSecond}/s (${round(rawNodes.seconds)} s)`],
      ['raw stream, relationships', `${results.rawRelationshipsPerSecond}/s (${round(rawRels.seconds)} s)`],
      ['raw stream, both at once (ceiling)', `${results.rawParallelEntitiesPerSecond} entities/s (${round(rawBoth.seconds / rounds)} s per pass); each on its own thread ${results.rawParallelTwoThreadsEntitiesPerSecond}/s`],
      ['validator full checksum pass', `${results.validatorEntitiesPerSecond} entities/s (${results.validatorSeconds} s per pass, 2 threads); 1 thread ${results.validatorOneThreadEntitiesPerSecond}/s`],
      ['ratio validator / ceiling', `${results.ratioToParallelCeiling} over ${rounds} alternating rounds (per round ${full.perRound.join(', ')}; vs sequential raw: ${results.ratioToSequentialCeiling})`],
      ['ratio vs ceiling on 2 threads too', `${results.ratioToTwoThreadCeiling} (per round ${rawThreads.perRound.join(', ')})`],
      ['ratio with both on 1 thread', `${results.ratioOneThreadToParallelCeiling} (per round ${single.perRound.join(', ')})`],
      ['CPU seconds per pass (client+server)', `ceiling ${c.rawBoth.client}+${c.rawBoth.server} (2 threads ${c.rawTwoThreads.client}+${c.rawTwoThreads.server}), validator ${c.validator.client}+${c.validator.server} (1 thread ${c.validatorOneThread.client}+${c.validatorOneThread.server})`],
      ['peak RSS (this process)', `raw streaming ${results.peakRssMb.rawStreaming} MiB, validator ${results.peakRssMb.validator} MiB (1 thread ${results.peakRssMb.validatorOneThread}), maxRSS ${results.peakRssMb.processMaxRss} MiB`],
      ['validator, V8 old space capped 64 MiB', `completed (2 threads): peak RSS ${results.peakRssMb.validatorWithOldSpaceCappedAt64Mb} MiB, ${results.cappedPassSeconds} s`],
      ['baseline capture', `full ${results.fullBaselineSeconds} s (${results.baselineBytes} bytes JSON), quick ${results.quickBaselineSeconds} s`],
      ['machine', `${results.cpus} CPUs, load average ${results.loadAverage1m} (shared machine: other work competes)`],
    ];
    for (const [k, v] of table) console.log(`${k.padEnd(36)} ${v}`);
    console.log(JSON.stringify(results));
  } finally {
    await driver.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
