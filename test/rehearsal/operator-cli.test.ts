/**
 * The operator CLI drives the rehearsal (issue 14): the COMPILED `upgrade` command (scripts/bundle-cli.mjs's
 * bundle, run by node in a child process) with AWS_ENDPOINT_URL_SFN pointed at the Step Functions front
 * (tools/rehearsal/sfn-front.ts, SIMULATED: our emulation of the API over the real definition run by the
 * executor with the real handlers) and everything else (CloudFormation, SSM) at moto.
 * 1. clean: start -> watch --until-approval -> approve -> watch -> status: SUCCEEDED.
 * 2. redrive: from the same deployed state, the stage 4 stack update's Lambda returns a result over
 *    256 KiB (fault f): States.DataLimitExceeded, which the procedure's States.ALL Catch does not take,
 *    so the execution ends FAILED there, holding the lock; `upgrade redrive` re-enters that state with
 *    its input (stages 1-3 are not run again), and the end state equals the clean run's.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_INPUT, REPO_ROOT, rehearse } from '../../tools/rehearsal';
import { ExecutionResult } from '../../tools/rehearsal/executor';
import { RehearsalSession } from '../../tools/rehearsal/session';
import { StepFunctionsFront } from '../../tools/rehearsal/sfn-front';
import { ClusterInventory } from '../../tools/rehearsal/inventory';

interface CliRun { readonly args: string[]; readonly code: number; readonly stdout: string; readonly stderr: string; readonly ms: number }

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-cli-'));
const CLI = path.join(REPO_ROOT, 'dist', 'bin', 'cli-upgrade.js');
// What bin/cli.ts does for `upgrade`, with the bundle the package ships.
const RUNNER = `require(${JSON.stringify(CLI)}).runUpgradeCli(process.argv.slice(1), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then((c) => { process.exitCode = c; })`;
const runs: CliRun[] = [];
let env: NodeJS.ProcessEnv;
let clean: { arn: string; result: ExecutionResult; status: Record<string, unknown> };
let refused: { cli: CliRun; api: { name: string; message: string } };
let redriven: { arn: string; attempts: ExecutionResult[]; failedStatus: Record<string, unknown>; status: Record<string, unknown>; failedWatch: CliRun; redrive: CliRun; faultState: string };

function cli(...args: string[]): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', RUNNER, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const run = { args, code: err ? Number((err as { code?: number }).code ?? 2) : 0, stdout, stderr, ms: Date.now() - t0 };
      runs.push(run);
      resolve(run);
    });
  });
}

function expectCode(run: CliRun, code: number): void {
  if (run.code !== code) throw new Error(`upgrade ${run.args.join(' ')}: exit ${run.code}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr.slice(-3000)}`);
}

/** start, watch until the approval, approve (again while its request is not written yet); returns the ARN. */
async function startAndApprove(stackName: string, name: string): Promise<string> {
  const started = await cli('start', '--stack', stackName, '--input', JSON.stringify(DEFAULT_INPUT), '--name', name);
  expectCode(started, 0);
  const arn = started.stdout.trim();
  const waiting = await cli('watch', '--execution', arn, '--until-approval', '--interval', '1', '--timeout', '900');
  expectCode(waiting, 0);
  expect(waiting.stdout).toContain(`${arn} WAITING_FOR_APPROVAL`);
  let approved = await cli('approve', '--execution', arn, '--by', 'cli-test');
  for (let i = 0; i < 60 && approved.code === 1 && /try again/.test(approved.stderr); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    approved = await cli('approve', '--execution', arn, '--by', 'cli-test');
  }
  expectCode(approved, 0);
  return arn;
}

async function statusJson(arn: string, code: number): Promise<Record<string, unknown>> {
  const run = await cli('status', '--execution', arn, '--json');
  expectCode(run, code);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

async function operate(session: RehearsalSession): Promise<void> {
  const front = new StepFunctionsFront(session);
  const sfnEndpoint = await front.listen();
  env = {
    PATH: process.env.PATH, HOME: process.env.HOME, USER: 'cli-test',
    AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'testing', AWS_REGION: session.region,
    AWS_ENDPOINT_URL: session.motoEndpoint, AWS_ENDPOINT_URL_SFN: sfnEndpoint,
  };
  try {
    // 1. A clean run.
    const arn = await startAndApprove(session.stackName, `clean-${Date.now()}`);
    expectCode(await cli('watch', '--execution', arn, '--interval', '1', '--timeout', '900'), 0);
    clean = { arn, result: await front.execution(arn).settled, status: await statusJson(arn, 0) };
    // Redriving a SUCCEEDED execution: the CLI refuses, and so does the API (asked directly).
    const sfn = new SFNClient({ region: session.region, endpoint: sfnEndpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const api = await sfn.send(new RedriveExecutionCommand({ executionArn: arn })).then(() => ({ name: 'none', message: 'redriven' }), (e: Error) => ({ name: e.name, message: e.message }));
    refused = { cli: await cli('redrive', '--execution', arn), api };
    sfn.destroy();

    // 2. From the same deployed state: a failure the Catch does not take, then redrive.
    await session.reset();
    const faultState = session.model.tasks.find((t) => t.stateName.startsWith('Stage 4') && t.handler === 'update-stack')?.stateName;
    if (!faultState) throw new Error('no stage 4 update-stack state in the definition');
    front.armNextStart([{ kind: 'oversized-result', state: faultState }]);
    const rarn = await startAndApprove(session.stackName, `redrive-${Date.now()}`);
    const failedWatch = await cli('watch', '--execution', rarn, '--interval', '1', '--timeout', '900');
    await front.execution(rarn).settled;
    const failedStatus = await statusJson(rarn, 1);
    const redrive = await cli('redrive', '--execution', rarn);
    expectCode(redrive, 0);
    expectCode(await cli('watch', '--execution', rarn, '--interval', '1', '--timeout', '900'), 0);
    await front.execution(rarn).settled;
    redriven = { arn: rarn, attempts: front.execution(rarn).attempts, failedStatus, status: await statusJson(rarn, 0), failedWatch, redrive, faultState };
  } finally {
    await front.close();
  }
}

/**
 * The end state without what each run makes anew: volume, snapshot and instance ids, KMS key ids (the
 * clone region's key), the execution's name (also in the snapshots' Name tags, shortened and hashed), times.
 */
function endState(inv: ClusterInventory, executionName: string): unknown {
  const anon = (v: unknown) => JSON.parse(JSON.stringify(v)
    .split(executionName).join('<execution>')
    .replace(/("Name":"[^"]*-(?:pre-upgrade|clone-source|post-upgrade))-[^"]*/g, '$1-<execution>')
    .replace(/key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'key/<id>')
    .replace(/\b(vol|snap|i)-[0-9a-f]{8,17}\b/g, '<$1>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')) as unknown;
  const sorted = (xs: unknown[]) => xs.map(anon).map((x) => JSON.stringify(x)).sort();
  return {
    volumes: sorted(inv.volumes.map(({ volumeId: _v, ...rest }) => ({ ...rest, fromSnapshot: rest.snapshotId !== undefined }))),
    snapshots: sorted(inv.snapshots.map(({ snapshotId: _s, volumeId: _vol, ...rest }) => rest)),
    lockHolder: inv.lockHolder,
  };
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'bundle-cli.mjs')], { cwd: REPO_ROOT });
  await rehearse({ outDir, lockContention: false, progress: () => undefined, operate });
}, 30 * 60_000);

afterAll(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
  // The durations, for the report.
  for (const r of runs) process.stdout.write(`upgrade ${r.args.slice(0, 1).join(' ')}: exit ${r.code} in ${r.ms} ms\n`);
});

describe('rehearsal driven by the compiled operator CLI', () => {
  test('start, watch until the approval, approve, status: the upgrade SUCCEEDED with every stage done', () => {
    const r = clean.result.report;
    expect({ status: r.status, outcome: r.outcome, problems: r.problems, lockHeld: r.lock.heldAtEnd }).toEqual({ status: 'SUCCEEDED', outcome: 'succeeded', problems: [], lockHeld: false });
    expect(clean.status.status).toBe('SUCCEEDED');
    const stages = clean.status.stages as Array<{ status: string }>;
    expect(stages.length).toBeGreaterThan(5);
    expect(stages.every((s) => s.status === 'succeeded')).toBe(true);
    expect(r.finalParameters).not.toEqual(r.parametersBefore);
  });

  test('a failure the Catch does not take ends the execution FAILED at that state, lock held', () => {
    const [first] = redriven.attempts;
    expect(first.fired).toEqual([{ kind: 'oversized-result', state: redriven.faultState }]);
    expect({ status: first.report.status, error: first.report.error?.name }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(first.report.lock.heldAtEnd).toBe(true);
    expect(redriven.failedWatch.code).toBe(1);
    expect(redriven.failedWatch.stdout).toContain(`${redriven.arn} FAILED`);
    expect(redriven.failedStatus).toMatchObject({ status: 'FAILED', end: { status: 'FAILED', error: 'States.DataLimitExceeded' } });
  });

  test('redrive continues from the failed state (stages 1-3 not run again) and SUCCEEDS', () => {
    expect(redriven.attempts).toHaveLength(2);
    const second = redriven.attempts[1].report;
    expect({ status: second.status, outcome: second.outcome, problems: second.problems }).toEqual({ status: 'SUCCEEDED', outcome: 'succeeded', problems: [] });
    expect(second.stages.slice(0, 3).map((s) => s.status)).toEqual(['not-started', 'not-started', 'not-started']);
    expect(second.stages.slice(3).every((s) => s.status === 'succeeded')).toBe(true);
    expect(redriven.status).toMatchObject({ status: 'SUCCEEDED', redrives: 1 });
    expect((redriven.status.stages as Array<{ status: string }>).every((s) => s.status === 'succeeded')).toBe(true);
  });

  test('the redriven end state equals the clean run\'s: stack parameters, volumes, tags, snapshots, lock', () => {
    const a = clean.result;
    const b = redriven.attempts[1];
    expect(b.report.finalParameters).toEqual(a.report.finalParameters);
    expect(endState(b.after, b.report.name)).toEqual(endState(a.after, a.report.name));
    expect(b.report.snapshots.deleted).toEqual([]);
    expect(b.report.volumes.deleted).toEqual([]);
  });

  test('redrive of a SUCCEEDED execution is refused by the CLI and by the API (ExecutionNotRedrivable)', () => {
    expect(refused.cli.code).toBe(1);
    expect(refused.cli.stderr).toContain('is SUCCEEDED');
    expect(refused.api).toEqual({ name: 'ExecutionNotRedrivable', message: 'Execution is SUCCEEDED and cannot be redriven.' });
  });
});
