/**
 * SIMULATED: a Step Functions API front for the rehearsal (AWS JSON 1.0 over HTTP on a free loopback
 * port), so the operator CLI, pointed at it with AWS_ENDPOINT_URL_SFN (SSM and CloudFormation still go to
 * moto), drives real rehearsal executions: the REAL synthesized definition run by aws-local-stepfunctions
 * with the REAL handlers against moto (session.ts / executor.ts). It is our emulation of the API, over
 * the executor's events, of the calls the CLI makes:
 * - StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory (the executor's events as
 *   Step Functions' history events: `<Type>StateEntered/Exited`, TaskScheduled/Started/Succeeded/Failed,
 *   Map iterations, ExecutionStarted/Redriven/Succeeded/Failed), DescribeStateMachineForExecution;
 * - SendTaskSuccess / SendTaskFailure: answer the `.waitForTaskToken` approval the run waits on;
 * - RedriveExecution (redrive.ts: where and whether);
 * - the state machine's own calls (DescribeStateMachine, ListTagsForResource, ...) are forwarded to moto,
 *   where CloudFormation created the machine.
 * What the next StartExecution injects (faults) is the harness's seam, `armNextStart`, never the API's.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { ApprovalDecision, ExecutionResult, ResumePoint } from './executor';
import { HistoryBuilder, HistoryEvent } from './sfn-history';
import { RedriveRefusal, redriveRefusal, redrivePoint } from './redrive';
import { RehearsalSession } from './session';
import { FaultSpec } from './types';
import { FAULT_RUN_WAIT_COMPLETION } from './wait-episodes';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution as the front knows it, over all its attempts (the first run and each redrive). */
export interface FrontExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  error?: { name: string; message: string };
  redriveCount: number;
  redriveDate?: Date;
  readonly history: HistoryBuilder;
  /** Each attempt's result, in order; the last one is the execution's outcome. */
  readonly attempts: ExecutionResult[];
  /** Settles when the current attempt ends. */
  settled: Promise<ExecutionResult>;
}

interface PendingTask {
  readonly executionArn: string;
  readonly answer: (decision: ApprovalDecision) => void;
}

/** An error the API answers with HTTP 400 and `__type` (the SDK throws it under that name). */
class ApiError extends Error {
  constructor(public readonly type: string, message: string) {
    super(message);
  }
}

export class StepFunctionsFront {
  private readonly executions = new Map<string, FrontExecution>();
  private readonly tasks = new Map<string, PendingTask>();
  /**
   * Answers that came before the run asked for them: in AWS a task token is live from TaskScheduled, but
   * the task runner hands it over only after request-approval wrote it (the CLI may read it first).
   */
  private readonly early = new Map<string, ApprovalDecision>();
  private nextFaults: FaultSpec[] = [];
  private server?: http.Server;

  constructor(private readonly session: RehearsalSession, private readonly now: () => Date = () => new Date()) {}

  /** Listens on a free port of 127.0.0.1; returns the endpoint (http://127.0.0.1:PORT). */
  public async listen(): Promise<string> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The harness's seam: faults the next StartExecution's run injects (each fires once). */
  public armNextStart(faults: FaultSpec[]): void {
    this.nextFaults = faults;
  }

  public execution(executionArn: string): FrontExecution {
    const e = this.executions.get(executionArn);
    if (!e) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return e;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^AWSStepFunctions\./, '');
    try {
      const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const handler = this.operations[operation];
      if (!handler) return await this.forward(req, body, res);
      const out = await handler(request);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(out));
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('InternalFailure', (err as Error).message);
      res.writeHead(e.type === 'InternalFailure' ? 500 : 400, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ __type: e.type, message: e.message }));
    }
  }

  /** The state machine's own calls: moto holds the machine CloudFormation created. */
  private async forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const answer = await fetch(this.session.motoEndpoint + (req.url ?? '/'), { method: req.method, headers, body });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.0' })
      .end(Buffer.from(await answer.arrayBuffer()));
  }

  private readonly operations: Record<string, (r: Record<string, unknown>) => Promise<unknown> | unknown> = {
    StartExecution: (r) => this.start(r),
    DescribeExecution: (r) => this.describe(this.execution(String(r.executionArn))),
    ListExecutions: (r) => this.list(r),
    GetExecutionHistory: (r) => this.history(r),
    DescribeStateMachineForExecution: (r) => {
      const e = this.execution(String(r.executionArn));
      return {
        stateMachineArn: this.session.stateMachineArn, name: this.session.stateMachineArn.split(':').pop(),
        definition: JSON.stringify(this.session.model.definition), roleArn: 'arn:aws:iam::123456789012:role/rehearsal', updateDate: epoch(e.startDate),
      };
    },
    SendTaskSuccess: (r) => this.answer(String(r.taskToken), 'approve'),
    SendTaskFailure: (r) => this.answer(String(r.taskToken), 'reject'),
    RedriveExecution: (r) => this.redrive(this.execution(String(r.executionArn))),
  };

  private start(r: Record<string, unknown>): unknown {
    if (r.stateMachineArn !== this.session.stateMachineArn) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(r.stateMachineArn)}'`);
    const name = typeof r.name === 'string' ? r.name : `cli-${Date.now()}`;
    const executionArn = `${this.session.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    if (this.executions.has(executionArn)) throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const input = JSON.parse(typeof r.input === 'string' ? r.input : '{}') as unknown;
    const e: FrontExecution = {
      executionArn, name, input, startDate: this.now(), status: 'RUNNING', redriveCount: 0,
      history: new HistoryBuilder(this.session.model.definition), attempts: [], settled: Promise.resolve(undefined as never),
    };
    e.history.executionStarted(input, e.startDate);
    this.executions.set(executionArn, e);
    const faults = this.nextFaults;
    this.nextFaults = [];
    this.attempt(e, faults);
    return { executionArn, startDate: epoch(e.startDate) };
  }

  /** Runs one attempt (the first, or a redrive from the point the previous one failed at). */
  private attempt(e: FrontExecution, faults: FaultSpec[], resume?: ResumePoint): void {
    e.settled = this.session.run({
      name: e.name, input: e.input, faults, waitCompletion: FAULT_RUN_WAIT_COMPLETION,
      decide: ({ token }) => new Promise<ApprovalDecision>((answer) => {
        const given = this.early.get(token);
        this.early.delete(token);
        if (given) answer(given);
        else this.tasks.set(token, { executionArn: e.executionArn, answer });
      }),
      observe: (event) => e.history.add(event),
      onTask: (stateName, parameters) => e.history.scheduled(stateName, parameters),
      ...(resume && { resume }),
    }).then((result) => {
      e.attempts.push(result);
      e.stopDate = this.now();
      e.status = result.report.status;
      if (result.report.status === 'FAILED') e.error = result.report.error ?? { name: 'States.Runtime', message: 'the execution failed' };
      else delete e.error;
      e.history.executionEnded(e.status, e.stopDate, e.error);
      return result;
    }, (err: Error) => {
      // The harness itself failed: the execution is not rehearsed any further.
      e.status = 'FAILED';
      e.stopDate = this.now();
      e.error = { name: 'RehearsalHarnessError', message: err.message };
      e.history.executionEnded(e.status, e.stopDate, e.error);
      throw err;
    });
  }

  private describe(e: FrontExecution): unknown {
    const refusal = this.refusal(e);
    return {
      executionArn: e.executionArn, stateMachineArn: this.session.stateMachineArn, name: e.name, status: e.status,
      startDate: epoch(e.startDate), ...(e.stopDate && e.status !== 'RUNNING' && { stopDate: epoch(e.stopDate) }),
      input: JSON.stringify(e.input), inputDetails: { included: true },
      ...(e.error && { error: e.error.name, cause: e.error.message }),
      redriveCount: e.redriveCount, ...(e.redriveDate && { redriveDate: epoch(e.redriveDate) }),
      redriveStatus: refusal ? 'NOT_REDRIVABLE' : 'REDRIVABLE', ...(refusal && { redriveStatusReason: refusal.reason }),
    };
  }

  private refusal(e: FrontExecution): RedriveRefusal | undefined {
    return redriveRefusal({ status: e.status, stopDate: e.stopDate, redriveCount: e.redriveCount, historyEvents: e.history.events.length }, this.now());
  }

  private list(r: Record<string, unknown>): unknown {
    const all = [...this.executions.values()]
      .filter((e) => r.statusFilter === undefined || e.status === r.statusFilter)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    const from = Number(r.nextToken ?? 0);
    const size = Number(r.maxResults ?? 100) || 100;
    const page = all.slice(from, from + size);
    return {
      executions: page.map((e) => ({
        executionArn: e.executionArn, stateMachineArn: this.session.stateMachineArn, name: e.name, status: e.status,
        startDate: epoch(e.startDate), ...(e.stopDate && e.status !== 'RUNNING' && { stopDate: epoch(e.stopDate) }),
        redriveCount: e.redriveCount, ...(e.redriveDate && { redriveDate: epoch(e.redriveDate) }),
      })),
      ...(from + size < all.length && { nextToken: String(from + size) }),
    };
  }

  private history(r: Record<string, unknown>): unknown {
    const e = this.execution(String(r.executionArn));
    const events: HistoryEvent[] = r.reverseOrder ? [...e.history.events].reverse() : e.history.events;
    const from = Number(r.nextToken ?? 0);
    const size = Math.min(Number(r.maxResults ?? 100) || 100, 1000);
    return {
      events: events.slice(from, from + size).map((ev) => ({ ...ev, timestamp: epoch(ev.timestamp) })),
      ...(from + size < events.length && { nextToken: String(from + size) }),
    };
  }

  private answer(token: string, decision: ApprovalDecision): unknown {
    const task = this.tasks.get(token);
    if (!task) {
      // A token of a running execution (executor.ts names them `<execution name>-task-token-<n>`) not handed over yet.
      const running = [...this.executions.values()].some((e) => e.status === 'RUNNING' && token.startsWith(`${e.name}-task-token-`));
      if (!running || this.early.has(token)) throw new ApiError('TaskDoesNotExist', 'Task Does Not Exist');
      this.early.set(token, decision);
      return {};
    }
    this.tasks.delete(token);
    task.answer(decision);
    return {};
  }

  private redrive(e: FrontExecution): unknown {
    const refusal = this.refusal(e);
    if (refusal) throw new ApiError('ExecutionNotRedrivable', refusal.reason);
    const resume = redrivePoint(e.history, e.attempts[e.attempts.length - 1]);
    if (!resume) throw new ApiError('ExecutionNotRedrivable', 'the rehearsal front does not know the state this execution failed at');
    e.redriveCount++;
    e.redriveDate = this.now();
    e.status = 'RUNNING';
    delete e.stopDate;
    delete e.error;
    e.history.executionRedriven(e.redriveCount, e.redriveDate);
    this.attempt(e, [], resume);
    return { redriveDate: epoch(e.redriveDate) };
  }
}

/** AWS JSON 1.0 timestamps: epoch seconds. */
function epoch(d: Date): number {
  return d.getTime() / 1000;
}
