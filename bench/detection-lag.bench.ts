/**
 * Detection-lag benchmark (issue 16): `npx ts-node bench/detection-lag.bench.ts [--seed N] [--min S] [--max S]`.
 *
 * Rehearses the example app's happy path twice in one run, with the same seeded completion moments
 * (tools/rehearsal/wait-episodes.ts: each wait's condition becomes true at a random moment of its own
 * clock, past the second look of either approach):
 * - the library's waits (WaitDetection.LOOK_EVERY_SECOND: looks every second inside one invocation);
 * - the polling baseline: the same definition with WaitDetection.RETRY_BACKOFF (one look per invocation,
 *   Step Functions' Retry backing off 3-5 s x1.5 up to 20-60 s), synthesized with context waitDetection=retry-backoff.
 * Prints per approach the detection lag (median, p95, max, per kind of wait), state transitions, retries and
 * Lambda GB-seconds, the baseline-to-new ratios, and one JSON line. Exit 1 when a rehearsal did not end as
 * expected.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { useProjectTools } from '../tools/project-tools';
import { DEFAULT_WAIT_COMPLETION, WaitCompletionModel } from '../tools/rehearsal/wait-episodes';
import { ExecutionReport, rehearse, stopRehearsals } from '../tools/rehearsal';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value)) throw new Error(`--${name} takes a number, got ${process.argv[i + 1]}`);
  return value;
}

interface Approach {
  readonly name: string;
  readonly context: Record<string, string>;
}

const APPROACHES: Approach[] = [
  { name: 'look every second (new)', context: {} },
  { name: 'Retry backoff (baseline)', context: { waitDetection: 'retry-backoff' } },
];

async function measure(approach: Approach, model: WaitCompletionModel): Promise<ExecutionReport> {
  const t0 = Date.now();
  const report = await rehearse({
    context: approach.context, waitCompletion: model, lockContention: false,
    outDir: path.join(os.tmpdir(), `detection-lag-${approach.context.waitDetection ?? 'new'}`),
    progress: (line) => { if (/^\s{0,2}[✔✘]|RESULT|happy path:/.test(line)) console.error(`[${approach.name}] ${line.trim()}`); },
  });
  if (!report.ok || !report.happyPath) throw new Error(`${approach.name}: the rehearsal did not end as expected: ${report.verdict.join('; ')}`);
  console.error(`[${approach.name}] rehearsed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return report.happyPath;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  useProjectTools();
  const model: WaitCompletionModel = { minSeconds: arg('min', DEFAULT_WAIT_COMPLETION.minSeconds), maxSeconds: arg('max', DEFAULT_WAIT_COMPLETION.maxSeconds), seed: arg('seed', DEFAULT_WAIT_COMPLETION.seed) };
  const results: Array<[Approach, ExecutionReport]> = [];
  for (const approach of APPROACHES) results.push([approach, await measure(approach, model)]);

  console.log(`detection lag (each wait's condition true at a random ${model.minSeconds}-${model.maxSeconds} s of its clock, seed ${model.seed}; the example app's happy path)`);
  console.log(['approach'.padEnd(26), 'waits', 'median'.padStart(8), 'p95'.padStart(8), 'max'.padStart(8), 'transitions', 'retries', 'GB-s'.padStart(8)].join('  '));
  for (const [a, h] of results) {
    const l = h.detectionLag;
    console.log([a.name.padEnd(26), String(l.waits).padStart(5), s(l.medianMs).padStart(8), s(l.p95Ms).padStart(8), s(l.maxMs).padStart(8),
      String(h.counts.stateTransitions).padStart(11), String(h.counts.retries).padStart(7), h.counts.lambda.gbSeconds.toFixed(1).padStart(8)].join('  '));
  }
  const [[, fresh], [, base]] = results;
  const ratio = (b: number, n: number) => (n > 0 ? b / n : Infinity);
  console.log(`baseline / new: median ${ratio(base.detectionLag.medianMs, fresh.detectionLag.medianMs).toFixed(1)}x, p95 ${ratio(base.detectionLag.p95Ms, fresh.detectionLag.p95Ms).toFixed(1)}x`);
  console.log('per kind of wait (median / p95):');
  for (const kind of Object.keys(base.detectionLag.byKind)) {
    const n = fresh.detectionLag.byKind[kind];
    const b = base.detectionLag.byKind[kind];
    console.log(`  ${kind.padEnd(20)} new ${n ? `${s(n.medianMs)} / ${s(n.p95Ms)}` : '-'}   baseline ${s(b.medianMs)} / ${s(b.p95Ms)}`);
  }
  console.log(JSON.stringify({
    detectionLag: Object.fromEntries(results.map(([a, h]) => [a.context.waitDetection ?? 'look-every-second', {
      waits: h.detectionLag.waits, medianMs: h.detectionLag.medianMs, p95Ms: h.detectionLag.p95Ms, maxMs: h.detectionLag.maxMs,
      stateTransitions: h.counts.stateTransitions, retries: h.counts.retries, lambdaGbSeconds: h.counts.lambda.gbSeconds,
    }])),
    ratio: { median: ratio(base.detectionLag.medianMs, fresh.detectionLag.medianMs), p95: ratio(base.detectionLag.p95Ms, fresh.detectionLag.p95Ms) },
    model,
  }));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void stopRehearsals().finally(() => process.exit(130)); });
}
main().then(() => process.exit(0), (e: Error) => {
  console.error(`detection-lag bench failed: ${e.message}`);
  void stopRehearsals().finally(() => process.exit(1));
});
