/**
 * The rehearsal's happy path, end to end: cdk synth of tools/rehearsal/example-app.ts, the real template
 * deployed into moto_server, the nodes booted with the claim script, the synthesized state machine run by
 * aws-local-stepfunctions with the real handlers, health gates against a real Neo4j upgraded in place from
 * NEO4J_LTS_VERSION to NEO4J_NEWEST_VERSION, and a second execution started while the first holds the lock.
 * Needs moto_server, the aws CLI, a JDK 21+ and Maven (the failure message says what to install).
 *
 * The same rehearsal (one synth, one deployment, one Neo4j) then runs one fault run of the example app:
 * abort that rolls back. While stage 4 (Back to HA) runs, right after its stack update was executed, the
 * operator asks the execution to abort (the harness writes the abort request through moto's SSM, as the
 * CLI does). The stage's next safe point (its wait for UPDATE_COMPLETE) takes the procedure's own
 * rollback path: past the point of no return, so the groups are emptied, the pre-upgrade snapshots come
 * back as the data volumes and the pre-upgrade parameters are restored; the lock is released and the
 * abort request consumed. No StopExecution anywhere. It starts, as every fault run does, from the moto
 * state snapshot taken right after the deployment, with the default input (the tagged newest image).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION } from '../../tools/neo4j-embedded';
import { DEFAULT_INPUT, FaultRunReport, RehearsalReport, rehearse } from '../../tools/rehearsal';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-happy-'));
const lines: string[] = [];
let report: RehearsalReport;
let abortRun: FaultRunReport;
const ABORT_STATE = 'Stage 4 Back to HA: wait for UPDATE_COMPLETE';

// A digest-only image with targetVersion: the plan resolves the version once and every gate uses it.
const DIGEST_IMAGE = `neo4j@sha256:${'0123456789abcdef'.repeat(4)}`;

beforeAll(async () => {
  // One rehearsal for both suites (it was two, each paying its own synth, deployment and Neo4j start).
  report = await rehearse({
    outDir, input: { dockerImage: DIGEST_IMAGE, targetVersion: NEO4J_NEWEST_VERSION }, progress: (l) => lines.push(l),
    faults: () => [{
      name: 'abort-during-stage-4', faults: [{ kind: 'operator-abort', state: ABORT_STATE }], expect: 'rolled-back', input: { dockerImage: DEFAULT_INPUT.dockerImage },
    }],
  });
  abortRun = report.faults!.results[0];
}, 25 * 60_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('rehearsal happy path', () => {
  test('ends as expected, with every stage succeeded and one progress line per stage', () => {
    expect({ ok: report.ok, verdict: report.verdict }).toEqual({ ok: true, verdict: [] });
    expect(report.stages?.length).toBe(8);
    for (const s of report.stages ?? []) {
      expect({ stage: s.name, status: s.status }).toEqual({ stage: s.name, status: 'succeeded' });
      expect(lines.some((l) => l.includes(s.name) && /succeeded in [\d.]+ s/.test(l))).toBe(true);
    }
    expect(fs.existsSync(path.join(outDir, 'report.json'))).toBe(true);
  });

  test('ends with HA modes, no store upgrade flag, N main members and the target image', () => {
    expect(report.finalParameters).toMatchObject({
      Mode: 'HA', SlaveMode: 'HA', AllowUpgrade: 'false', DesiredCapacity: '3', DockerImage: DIGEST_IMAGE,
    });
    expect(report.parametersAfterStage?.singleMaster).toMatchObject({ Mode: 'SINGLE', SlaveMode: 'SINGLE', AllowUpgrade: 'true', DesiredCapacity: '1' });
  });

  test('renames old volumes, creates clones, deletes nothing; snapshots before, for the clones and after', () => {
    expect(report.volumes?.deleted).toEqual([]);
    expect(report.volumes?.renamed.length).toBeGreaterThan(0);
    for (const v of report.volumes?.renamed ?? []) expect(v.name).toBe('neo4j-rehearsal-data-old');
    expect(report.volumes?.created.some((v) => v.region === 'eu-west-1')).toBe(true);
    expect(report.snapshots?.deleted).toEqual([]);
    expect(report.snapshots?.preUpgrade.length).toBe(4);
    expect(report.snapshots?.clones.length).toBeGreaterThan(0);
    expect(report.snapshots?.postUpgrade.length).toBe(1);
  });

  test('really upgrades the store: the LTS server is restarted as the newest version on the same data', () => {
    // Up to the happy path's end (the abort run after it plays its own images).
    const untilHappyPathEnded = <T extends { at: string }>(xs: T[]) => xs.filter((x) => x.at <= report.happyPath!.endedAt);
    const played = untilHappyPathEnded(report.neo4j.played as Array<{ image: string; version: string; action: string; at: string }>);
    expect(played.map((p) => [p.image, p.version, p.action])).toEqual([
      [`neo4j:${NEO4J_LTS_VERSION}-enterprise`, NEO4J_LTS_VERSION, 'started'],
      [DIGEST_IMAGE, NEO4J_NEWEST_VERSION, 'restarted-same-store'],
    ]);
    const checks = untilHappyPathEnded(report.neo4j.storeChecks as Array<{ markerNodes: number; at: string }>);
    expect(checks.map((c) => c.markerNodes)).toEqual([100, 100]);
  });

  test('stage 3 runs the Cypher migration once on the upgraded store, bracketed by the validator', () => {
    const log = fs.readdirSync(path.join(outDir, 'logs')).find((f) => /^happy-.*\.handlers\.jsonl$/.test(f));
    const outputs = fs.readFileSync(path.join(outDir, 'logs', log!), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l)).filter((e) => e.event === 'output');
    const byState = (state: string) => outputs.filter((e) => e.state === state).map((e) => e.output);
    expect(byState('Run the next Cypher migration')).toEqual([
      { applied: '001-record-the-schema-version', alreadyApplied: [], remaining: 0, done: true },
    ]);
    expect(byState('Stage 3 Store upgraded: compare with the baseline (seed 004)')).toEqual([expect.objectContaining({ mode: 'compare', ok: true })]);
    expect(byState('Stage 3 Migrations applied: capture the validation baseline'))
      .toEqual([expect.objectContaining({ parameterName: expect.stringMatching(/^\/neo4j-upgrades\/Neo4jRehearsal\/[0-9a-f]{8}\/lock\/baseline-after-migrations$/) })]);
    expect(byState('Stage 7 Scale out: compare with the baseline (seed 004)')).toEqual([expect.objectContaining({ mode: 'compare', ok: true })]);
  });

  test('a client writing and reading through the upgrade loses nothing; the failure windows are reported per stage', () => {
    const c = report.clientWorkload!;
    expect(c.writes.transactions).toBeGreaterThan(50);
    expect(c.readBack.acknowledgedMissing).toEqual([]);
    expect(c.readBack.writesInStore).toBe(c.writes.committed + c.readBack.lostButStored.length);
    // Nothing is lost where the world routed the client away (derived windows: the retries outlast them).
    // Where the real server really stopped, a transaction its shutdown terminated is not retryable for the
    // driver: lost there (seen: 2 of ~1100 writes), each with its reason.
    for (const st of c.byStage) {
      const real = st.writes.windows.some((w) => w.kind === 'real');
      expect({ stage: st.stage, lost: real ? 0 : st.writes.lostTransactions }).toEqual({ stage: st.stage, lost: 0 });
      expect(st.writes.lostBecause.length).toBe(st.writes.lostTransactions);
    }
    expect(c.byStage.reduce((n, st) => n + st.reads.lostTransactions, 0)).toBe(0);
    expect(c.byStage.slice(0, 8).map((st) => st.stage)).toEqual(report.stages?.map((st) => st.key));
    const windows = (stage: string) => c.byStage.find((st) => st.stage === stage)?.writes.windows ?? [];
    // Stage 2: the master serves alone while its task restarts with Mode=SINGLE (derived from the world).
    expect(windows('singleMaster')).toContainEqual(expect.objectContaining({ kind: 'derived', failedAttempts: expect.any(Number) }));
    expect(windows('singleMaster').every((w) => w.durationMs > 0 && w.onWaitClocksMs >= w.durationMs)).toBe(true);
    // Stage 1: the real Neo4j is really restarted on the new version.
    expect(windows('rollImage')).toContainEqual(expect.objectContaining({ kind: 'real' }));
    expect(lines.some((l) => /Stage 2 Single master.*write windows: DERIVED/.test(l))).toBe(true);
  });

  test('a second execution started while the first holds the lock stops at the lock and changes nothing', () => {
    expect(report.lockContention).toMatchObject({ ran: true, status: 'FAILED', changedAnything: false });
    expect(report.lockContention?.error?.name).toBe('LockHeldError');
  });

  test('counts transitions and AWS calls, and lists what it simulated and adapted', () => {
    expect(report.counts?.stateTransitions).toBeGreaterThan(50);
    expect(report.counts?.awsApiCalls).toBeGreaterThan(50);
    // The ECS agent is played in the harness's client seam, never through a handler input or dependency.
    expect(report.simulated.map((s) => s.what).join('\n')).not.toMatch(/observedRunningCounts|simulatedMembers/);
    // Every wait reads "in progress" until a random moment of its own clock, so the waits really look again;
    // looking every second within one invocation notices the end within seconds, at no more transitions than the former polling (103).
    expect(report.simulated.find((s) => /reads "in progress" until a random moment/.test(s.what))?.count).toBeGreaterThan(5);
    expect(report.happyPath?.detectionLag.waits).toBeGreaterThan(5);
    expect(report.happyPath?.detectionLag.medianMs).toBeLessThan(2000);
    expect(report.happyPath?.detectionLag.p95Ms).toBeLessThan(5000);
    expect(report.counts?.stateTransitions).toBeLessThanOrEqual(103);
    expect(report.emulatorAdaptations.length).toBeGreaterThan(3);
  });
});

describe('rehearsal: abort during stage 4', () => {
  test('the abort is honoured at the stage\'s next safe point and the run ends through the rollback', () => {
    const run = abortRun;
    expect({ reached: run.reached, outcome: run.outcome, endState: run.endState, problems: run.problems })
      .toEqual({ reached: true, outcome: 'rolled-back', endState: 'Rolled back', problems: [] });
    expect(run.error).toMatchObject({ name: 'AbortRequestedError', message: expect.stringContaining('abort requested by "rehearsal operator"') });
    expect(run.execution.failedState).toBe(ABORT_STATE);
    // Stages 1-3 completed; stage 4 had changed Mode back to HA before the abort.
    expect(run.execution.stages.filter((s) => s.status === 'succeeded').map((s) => s.seedStep)).toEqual(['000/1', '000/2', '000/3']);
    expect(run.execution.parametersAfterStage.manualMigrations).toMatchObject({ Mode: 'SINGLE', AllowUpgrade: 'true' });
  });

  test('ends with the pre-upgrade parameters, the pre-upgrade snapshots as data volumes, nothing deleted', () => {
    const e = abortRun.execution;
    expect(e.finalParameters).toEqual(e.parametersBefore);
    expect(e.pastPointOfNoReturn).toBe(true);
    expect(e.restore).toMatchObject({ missing: [] });
    expect(e.restore!.restoredClaimable).toBe(e.restore!.snapshots);
    expect(e.volumes.deleted).toEqual([]);
    expect(e.snapshots.deleted).toEqual([]);
  });

  test('the lock is released and the abort request consumed', () => {
    expect(abortRun.execution.lock.heldAtEnd).toBe(false);
    expect(abortRun.execution.abortRequest).toEqual({ parameterName: expect.stringMatching(/^\/neo4j-upgrades\/Neo4jRehearsal\/[0-9a-f]{8}\/lock\/abort$/), requestedBefore: ABORT_STATE, leftAtEnd: false });
  });
});
