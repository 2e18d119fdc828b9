/** Verdicts and the human summary of a rehearsal. */
import { TAG_KEYS } from '../../lambda/shared/context';
import { MachineModel } from './definition';
import { PlayedSettings } from './neo4j-player';
import { SERVICE_LIMITS } from './service-limits';
import { printClientWorkload } from './workload/workload-report';
import { ExecutionReport, FaultRun, FaultRunReport, RehearsalReport } from './types';

/** What the happy path must end as; each broken expectation is one line (empty: as expected). */
export function happyVerdict(h: ExecutionReport, model: MachineModel, input: Record<string, unknown>): string[] {
  const out: string[] = [];
  const names = (model.baked.cluster.parameterNames ?? {}) as Record<string, string>;
  if (h.status !== 'SUCCEEDED') out.push(`happy path ${h.status}${h.endState ? ` at "${h.endState}"` : ' without reaching a Fail state (uncaught error: the failure path never ran)'}: ${h.error?.name}: ${h.error?.message.slice(0, 500)}`);
  for (const s of h.stages) if (s.status !== 'succeeded') out.push(`stage ${s.seedStep} ${s.name}: ${s.status}`);
  if (h.volumes.deleted.length > 0) out.push(`volumes deleted: ${h.volumes.deleted.map((v) => v.volumeId).join(', ')}`);
  if (h.snapshots.deleted.length > 0) out.push(`snapshots deleted: ${h.snapshots.deleted.map((s) => s.snapshotId).join(', ')}`);
  if (h.lock.heldAtEnd) out.push(`lock ${h.lock.parameterName} still held by ${h.lock.holder}`);
  const n = Number(input.targetCapacity ?? model.baked.defaults.targetCapacity ?? h.parametersBefore[names.desiredCapacity ?? 'DesiredCapacity']);
  const expected: Record<string, string> = {
    [names.mode ?? 'Mode']: 'HA',
    [names.slaveMode ?? 'SlaveMode']: 'HA',
    [names.allowUpgrade ?? 'AllowUpgrade']: 'false',
    [names.desiredCapacity ?? 'DesiredCapacity']: String(n),
    [names.dockerImage ?? 'DockerImage']: String(input.dockerImage),
  };
  for (const [k, v] of Object.entries(expected)) {
    if (h.finalParameters[k] !== v) out.push(`final parameter ${k} is ${JSON.stringify(h.finalParameters[k])}, expected ${JSON.stringify(v)}`);
  }
  out.push(...provisioningProblems(h));
  out.push(...h.problems.filter((p) => !out.some((o) => o.includes(p))));
  return out;
}

/**
 * Each volume made from a snapshot (a clone, a restored volume) must be provisioned like the volume the
 * snapshot was taken of, as the snapshot's tags record it: type, IOPS, throughput, size.
 */
export function provisioningProblems(h: ExecutionReport): string[] {
  const snapshots = new Map([...h.snapshots.preUpgrade, ...h.snapshots.clones, ...h.snapshots.other].map((s) => [s.snapshotId, s]));
  const out: string[] = [];
  for (const v of h.volumes.created) {
    const source = snapshots.get(v.tags[TAG_KEYS.cloneOf] ?? v.tags[TAG_KEYS.restoredFrom] ?? '');
    if (!source) continue;
    const recorded: Array<[string, string | undefined, unknown]> = [
      ['type', source.tags[TAG_KEYS.sourceVolumeType], v.volumeType],
      ['IOPS', source.tags[TAG_KEYS.sourceIops], v.iops],
      ['throughput', source.tags[TAG_KEYS.sourceThroughput], v.throughput],
      ['size (GiB)', source.tags[TAG_KEYS.sourceSize], v.sizeGiB],
    ];
    for (const [what, expected, actual] of recorded) {
      if (expected !== undefined && String(actual) !== expected) {
        out.push(`volume ${v.volumeId} (${v.region}) made from ${source.snapshotId}: ${what} ${String(actual)}, its source volume's is ${expected}`);
      }
    }
  }
  return out;
}

export function faultRunReport(run: FaultRun, e: ExecutionReport, fired: number, durationMs: number, restoredSnapshot: boolean): FaultRunReport {
  const survived = e.outcome !== 'unsafe';
  // A run whose first fault never fired hit a state this configuration does not run (a Choice branch).
  const reached = fired > 0 && run.faults[0] !== undefined;
  const asExpected = !reached
    ? e.outcome === 'succeeded'
    : run.expect === 'succeeded' ? e.outcome === 'succeeded' : e.outcome === 'rolled-back' || e.outcome === 'refused';
  return {
    name: run.name,
    faults: run.faults,
    expect: run.expect,
    injected: run.faults.length,
    fired,
    outcome: e.outcome,
    survived,
    asExpected,
    ...(e.endState && { endState: e.endState }),
    ...(e.error && { error: e.error }),
    durationMs,
    startedFrom: restoredSnapshot ? 'moto state snapshot of the deployed, booted stack' : 'reset, deploy and boot',
    volumesLost: e.volumes.deleted.length,
    snapshotsLost: e.snapshots.deleted.length,
    reached,
    problems: [...e.problems, ...(asExpected ? [] : [`expected ${reached ? run.expect : 'succeeded (the faulted state did not run)'}, ended ${e.outcome}${e.failedState ? ` after "${e.failedState}" failed` : ''}${e.error ? ` (${e.error.name}: ${e.error.message.slice(0, 300)})` : ''}`])],
    execution: e,
  };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function printSummary(r: RehearsalReport, out: (line: string) => void, file: string): void {
  out('');
  out(`=== rehearsal of ${r.app} (${r.stackName}) ===`);
  if (r.happyPath) {
    const h = r.happyPath;
    out(`happy path: ${h.status}${h.endState ? ` at "${h.endState}"` : ' without reaching a Fail or Succeed state'} in ${seconds(h.durationMs)}${h.error ? ` - ${h.error.name}: ${h.error.message.slice(0, 300)}` : ''}`);
    for (const s of h.stages) out(`  ${s.seedStep.padEnd(6)} ${s.name.padEnd(44)} ${s.status.padEnd(12)} ${seconds(s.durationMs)}`);
    const fp = h.finalParameters;
    out(`  final parameters: ${Object.entries(fp).filter(([k]) => !/^(SsmParameter|BootstrapVersion)/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    out(`  volumes: ${h.volumes.before} -> ${h.volumes.after} (renamed ${h.volumes.renamed.length}, created ${h.volumes.created.length}, deleted ${h.volumes.deleted.length})`);
    out(`  snapshots: pre-upgrade ${h.snapshots.preUpgrade.length}, clones ${h.snapshots.clones.length}, post-upgrade ${h.snapshots.postUpgrade.length}, deleted ${h.snapshots.deleted.length}`);
    out(`  counts: ${h.counts.stateTransitions} state transitions (${h.counts.retries} of them retries), ${h.counts.awsApiCalls} AWS API calls by handlers`);
    const lag = h.detectionLag;
    const ms = (v: number) => `${(v / 1000).toFixed(2)} s`;
    out(`  detection lag: ${lag.waits} waits, median ${ms(lag.medianMs)}, p95 ${ms(lag.p95Ms)}, max ${ms(lag.maxMs)} ` +
      `(each wait's condition true at a random ${lag.model.minSeconds}-${lag.model.maxSeconds} s of its clock, seed ${lag.model.seed}); ` +
      Object.entries(lag.byKind).map(([k, f]) => `${k} ${ms(f.medianMs)}/${ms(f.p95Ms)} (${f.waits})`).join(', '));
    if (r.clientWorkload) printClientWorkload(r.clientWorkload, out);
    out(`  lambda: ${h.counts.lambda.invocations} invocations, ${h.counts.lambda.gbSeconds} GB-seconds (waits billed at the time their clocks played)`);
    out(`  limits: largest state ${h.counts.largestStateBytes} bytes${h.counts.largestState ? ` (${h.counts.largestState})` : ''} of ${SERVICE_LIMITS.payloadBytes}, ${h.counts.historyEvents} history events of ${SERVICE_LIMITS.historyEvents}`);
  }
  if (r.lockContention?.ran) {
    out(`second execution while locked: ${r.lockContention.status} at "${r.lockContention.endState}" (${r.lockContention.error?.name ?? ''}), ${r.lockContention.changedAnything ? `CHANGED ${r.lockContention.details?.join(', ')}` : 'changed nothing'}`);
  }
  const played = new Map<string, number>();
  for (const p of r.neo4j.played as Array<{ image: string; version: string | null; action: string; settings?: PlayedSettings }>) {
    const settings = p.settings
      ? `; container settings: ${Object.keys(p.settings.applied).join(', ') || 'none'} applied with strict validation, ` +
        `${Object.keys(p.settings.checkedByNameOnly).join(', ') || 'none'} checked by name only`
      : '';
    const line = `neo4j: ${p.image} -> ${p.version ? `real Neo4j ${p.version}` : 'not played'} (${p.action}${settings})`;
    played.set(line, (played.get(line) ?? 0) + 1);
  }
  for (const [line, n] of played) out(n > 1 ? `${line} x${n}` : line);
  if (r.faults) {
    const f = r.faults;
    out(`fault matrix: ${f.runs} runs, ${f.injected} faults injected, ${f.survived} survived, ${f.asExpected}/${f.runs} runs as expected, volumes lost ${f.volumesLost}, snapshots lost ${f.snapshotsLost}, ${seconds(f.durationMs)}`);
    const skipped = f.results.filter((x) => !x.reached).map((x) => x.name);
    if (skipped.length) out(`  not reached (their state does not run in this configuration): ${skipped.join(', ')}`);
    for (const u of f.unexpected) out(`  ✘ ${u.run}: ${u.outcome}${u.endState ? ` at "${u.endState}"` : ''} ${u.problems.join('; ').slice(0, 400)}`);
  }
  if (r.contractFindings.length) {
    out(`contract findings (${r.contractFindings.length}):`);
    for (const c of r.contractFindings) out(`  - ${c}`);
  }
  out(`simulated: ${r.simulated.map((s) => `${s.what.split(' (')[0]} x${s.count}`).join('; ')}`);
  out(r.ok ? 'RESULT: as expected' : `RESULT: NOT as expected (${r.verdict.length}):`);
  for (const v of r.verdict) out(`  - ${v}`);
  out(`report: ${file}`);
}
