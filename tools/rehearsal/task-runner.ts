/**
 * The Lambda behind each task state, in-process: aws-local-stepfunctions hands it the evaluated
 * Parameters, it runs lambda/<name>/logic.ts with the deps the deployed index.ts would build (real SDK
 * clients, here pointed at moto through the call adaptations and the fault injector, and the Bolt seam),
 * logs each invocation to <execution>.handlers.jsonl, and answers a `.waitForTaskToken` task as the
 * operator would. It also tells the world when a stack update changed something (nodes boot, ECS rolls).
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { jsonLogger } from '../../lambda/shared/log';
import { CALL_ADAPTATIONS, Invocation, STATUS_REWRITE_WAIT_MS } from './adaptations';
import { ApiCallCounter, CallHooks, ClientSet } from './aws-clients';
import { LOCAL_TIMEOUT_FIELD, TaskInfo } from './definition';
import { ApprovalDecision, FaultInjector } from './fault-injector';
import { handlerExport, loadLogic } from './handlers';
import { boltSeamFor } from './simulated-bolt';
import { WaitEpisodes } from './wait-episodes';
import { World } from './world';

export interface TaskRunnerSetup {
  readonly root: string;
  /** The execution's name (in every log line). */
  readonly execution: string;
  readonly world: World;
  readonly endpoint: string;
  readonly region: string;
  readonly counter: ApiCallCounter;
  readonly harness: ClientSet;
  readonly faults: FaultInjector;
  readonly decide: (request: { token: string; parameterName?: string }) => Promise<ApprovalDecision>;
  /** Runs once, right after this execution took the upgrade lock. */
  readonly whileLockHeld?: () => Promise<void>;
  readonly parameterNames: Record<string, string>;
  /** `$$.Execution.Id` of this run and the procedure's abort parameter (fault e writes the request there). */
  readonly executionArn: string;
  readonly abortParameterName: string;
  /** The stack's parameters when the execution started (what fault (c) reverts to before any update). */
  readonly parametersBefore: Record<string, string>;
  readonly say: (line: string) => void;
  readonly log: (line: string) => void;
  /** The execution's waits: their clocks and completion moments. */
  readonly waits: WaitEpisodes;
  /** Each function's memory (MiB) by logical id, for the GB-seconds Lambda would bill. */
  readonly memoryMb: ReadonlyMap<string, number>;
  /** Told when a task is scheduled, with its evaluated Parameters (the Step Functions front's TaskScheduled). */
  readonly onTask?: (stateName: string, parameters: Record<string, unknown>) => void;
}

/** What the execution's Lambda invocations would be billed for: duration (rounded up to 1 ms) times memory. */
export interface LambdaUsage {
  invocations: number;
  billedMs: number;
  gbSeconds: number;
}

export type TaskHandler = (params: unknown) => Promise<unknown>;

export class TaskRunner {
  /** The last error each task state's handler threw. */
  public readonly lastError = new Map<string, string>();
  /** The state before which fault (e) wrote the abort request, if it fired. */
  public abortRequestedBefore: string | undefined;
  private readonly invocations = new Map<string, number>();
  public readonly lambda: LambdaUsage = { invocations: 0, billedMs: 0, gbSeconds: 0 };
  private beforeLastUpdate: Record<string, string> | undefined;
  private probed = false;

  constructor(private readonly s: TaskRunnerSetup) {}

  public handlers(tasks: TaskInfo[]): Record<string, TaskHandler> {
    return Object.fromEntries(tasks.map((t) => [t.stateName, (params: unknown) => this.invoke(t, params as Record<string, unknown>)]));
  }

  private async invoke(task: TaskInfo, params: Record<string, unknown>): Promise<unknown> {
    const { world } = this.s;
    const attempt = (this.invocations.get(task.stateName) ?? 0) + 1;
    this.invocations.set(task.stateName, attempt);
    const rest = { ...params };
    delete rest[LOCAL_TIMEOUT_FIELD];
    const payload = (rest.Payload ?? rest) as Record<string, unknown>;
    this.s.onTask?.(task.stateName, rest);

    this.s.faults.failHandler(task);
    this.s.faults.outlastRetries(task);
    this.abortRequestedBefore ??= await this.s.faults.requestAbort(task, this.s.harness, this.s.abortParameterName, this.s.executionArn);
    await this.s.faults.rollBackStack(task, world, this.s.harness, this.beforeLastUpdate ?? this.s.parametersBefore);
    const wait = this.s.waits.begin(task.stateName, task.handler, payload);
    const invocation: Invocation = { handler: task.handler, world, ...(wait && { wait }) };
    for (const a of CALL_ADAPTATIONS) await a.prepare?.(invocation);
    const hooks: CallHooks = {
      ...this.s.faults.throttleHooks(task),
      answer: (call) => CALL_ADAPTATIONS.reduce<Record<string, unknown> | undefined>((found, a) => found ?? a.answer?.(call, invocation), undefined),
      rewrite: async (call, output) => {
        for (const a of CALL_ADAPTATIONS) if (a.rewrite) output = await a.rewrite(call, output, invocation);
        await world.afterCall(call, output);
        return output;
      },
    };
    const clients = new ClientSet({ endpoint: this.s.endpoint, region: this.s.region, counter: this.s.counter }, task.handler, hooks);
    const deps: Record<string, unknown> = {
      region: this.s.region,
      // A waiting handler runs on its wait's clock: its sleeps pass there, not for real.
      now: () => new Date(wait ? wait.now() : Date.now()),
      ...(wait && { sleep: (ms: number) => wait.sleep(ms) }),
      log: jsonLogger({ handler: task.handler, state: task.stateName, execution: this.s.execution }, this.s.log),
    };
    for (const key of ['cfn', 'ssm', 'ec2', 'autoScaling', 'ecs', 'secrets', 'sns', 'sfn', 'events'] as const) {
      Object.defineProperty(deps, key, { get: () => clients[key], enumerable: true });
    }
    deps.ec2ForRegion = clients.ec2ForRegion;
    const connect = await boltSeamFor(task.handler, payload, world, this.s.parameterNames, this.s.root, this.s.say, wait);
    if (connect) deps.connect = connect;

    if (task.handler === 'update-stack') {
      // The previous update's boots finish first (in AWS the update they belong to would still be running).
      await world.settle(STATUS_REWRITE_WAIT_MS);
      this.beforeLastUpdate = await world.parameters();
    }
    const started = Date.now();
    const playedBefore = wait?.playedMs() ?? 0;
    let output: unknown;
    try {
      output = await this.runLogic(task, attempt, deps, payload);
      if (wait) this.s.waits.ended(wait, undefined);
    } catch (e) {
      if (wait) this.s.waits.ended(wait, (e as Error).name);
      throw e;
    } finally {
      this.bill(task, Date.now() - started + (wait?.playedMs() ?? 0) - playedBefore);
    }
    const lock = output as { action?: string; outcome?: string };
    if (this.s.whileLockHeld && !this.probed && lock.action === 'acquire' && (lock.outcome === 'created' || lock.outcome === 'taken-over')) {
      this.probed = true;
      await this.s.whileLockHeld();
    }
    if (task.handler === 'update-stack' && (output as { changed?: boolean }).changed) {
      world.afterStackChange(this.beforeLastUpdate as Record<string, string>, await world.recordParameters());
    }
    if (!task.waitsForTaskToken) return { Payload: this.s.faults.oversizeResult(task, output), StatusCode: 200, ExecutedVersion: '$LATEST' };
    return this.answerApproval(task, payload);
  }

  private async runLogic(task: TaskInfo, attempt: number, deps: Record<string, unknown>, payload: Record<string, unknown>): Promise<unknown> {
    const logic = loadLogic(this.s.root, task.handler);
    const record = (fields: Record<string, unknown>) => this.s.log(JSON.stringify({
      time: new Date().toISOString(), state: task.stateName, handler: task.handler, attempt, ...fields,
    }));
    record({ event: 'invoke', input: payload });
    try {
      const output = await logic(deps, payload);
      record({ event: 'output', output });
      return output;
    } catch (e) {
      record({ event: 'error', errorName: (e as Error).name, errorMessage: (e as Error).message });
      this.lastError.set(task.stateName, `${(e as Error).name}: ${(e as Error).message}`);
      throw e;
    }
  }

  private bill(task: TaskInfo, ms: number): void {
    const billed = Math.max(1, Math.ceil(ms));
    this.lambda.invocations++;
    this.lambda.billedMs += billed;
    this.lambda.gbSeconds += (billed / 1000) * ((this.s.memoryMb.get(task.functionLogicalId) ?? 128) / 1024);
  }

  /** `.waitForTaskToken`: the operator finds the token where request-approval put it, then decides. */
  private async answerApproval(task: TaskInfo, payload: Record<string, unknown>): Promise<unknown> {
    const token = String(payload.taskToken ?? '');
    const parameterName = typeof payload.parameterName === 'string' ? payload.parameterName : undefined;
    if (parameterName) {
      const stored = await this.s.harness.ssm.send(new GetParameterCommand({ Name: parameterName }));
      const request = JSON.parse(stored.Parameter?.Value ?? '{}') as { taskToken?: string };
      if (request.taskToken !== token) throw new Error(`approval parameter ${parameterName} holds another token than the task's`);
    }
    const decision = this.s.faults.approval(task) ?? await this.s.decide({ token, parameterName });
    this.s.say(`  operator: ${decision} (task token ${token})`);
    if (decision === 'approve') return { approved: true, by: 'rehearsal operator', stage: payload.stage };
    if (decision === 'reject') {
      // What `aws stepfunctions send-task-failure --error <APPROVAL_REJECTED_ERROR>` gives the task.
      const err = new Error('rejected by the rehearsal operator');
      err.name = String(handlerExport(this.s.root, task.handler, 'APPROVAL_REJECTED_ERROR') ?? 'ApprovalRejected');
      throw err;
    }
    return new Promise(() => undefined); // nobody answers: the task's TimeoutSecondsPath fires
  }
}
