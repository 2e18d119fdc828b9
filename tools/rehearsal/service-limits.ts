/**
 * The Step Functions and Lambda quotas the upgrade procedures can run into, the errors AWS fails a run
 * with when one is broken, and the definition fields AWS refuses at CreateStateMachine when out of range.
 * The local executor (aws-local-stepfunctions) knows none of them; limited-machine.ts applies them.
 */
import { AslDefinition, AslState, allStates } from './definition';

export const SERVICE_LIMITS = {
  /** Per state input, state output, task result and execution input: UTF-8 bytes of the JSON. */
  payloadBytes: 262_144,
  /** Lambda's synchronous response limit, as its ResponseSizeTooLarge message gives it. */
  lambdaResponseBytes: 6_291_556,
  /** Execution history entries of a Standard workflow. */
  historyEvents: 25_000,
  /** A Standard execution lasts at most a year: the ceiling of every timeout and wait. */
  maxSeconds: 31_536_000,
  /** Retry IntervalSeconds and MaxAttempts. */
  maxRetryValue: 99_999_999,
  /** Retry MaxDelaySeconds (exclusive upper bound 31622401). */
  maxRetryDelaySeconds: 31_622_400,
} as const;

export type ServiceLimits = { -readonly [K in keyof typeof SERVICE_LIMITS]: number };

/** UTF-8 bytes of a value's JSON, the measure of every payload quota. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null) ?? 'null', 'utf8');
}

/**
 * An error AWS raises itself when a quota is broken. `matchedBy` says which Retry/Catch matchers may
 * take it: `name-only` (States.DataLimitExceeded: a matcher that names it, never States.ALL or
 * States.TaskFailed), `none` (States.Runtime: the execution fails), `any` (an ordinary task error).
 *
 * aws-local-stepfunctions reads `isRetryable` once per retrier and `isCatchable` once per catcher, in
 * order, right after it dispatched the state's StateFailed event; `armFor` (called from that event)
 * queues one answer per matcher of the state that is deciding.
 */
export class ServiceLimitError extends Error {
  private retriers: boolean[] = [];
  private catchers: boolean[] = [];

  constructor(name: string, message: string, public readonly matchedBy: 'name-only' | 'none' | 'any') {
    super(message);
    this.name = name;
  }

  public armFor(state: AslState): void {
    const takes = (errors: string[]) => this.matchedBy === 'any' || (this.matchedBy === 'name-only' && errors.includes(this.name));
    this.retriers = (state.Retry ?? []).map((r) => takes(r.ErrorEquals));
    this.catchers = (state.Catch ?? []).map((c) => takes(c.ErrorEquals));
  }

  get isRetryable(): boolean {
    return this.retriers.shift() ?? false;
  }

  get isCatchable(): boolean {
    return this.catchers.shift() ?? false;
  }
}

/** A state's input, output or task result over 256 KiB (the cause text is the one AWS writes). */
export function dataLimitExceeded(stateName: string, what: 'result' | 'input' | 'output', bytes: number, limit: number): ServiceLimitError {
  const cause = what === 'result'
    ? `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`
    : `The ${what} of state '${stateName}' has a size exceeding the maximum number of bytes service limit.`;
  return new ServiceLimitError('States.DataLimitExceeded', `${cause} (${bytes} bytes > ${limit})`, 'name-only');
}

/** The 25,000th history event is not ExecutionSucceeded: the execution fails (error and cause as AWS). */
export function historyLimitReached(limit: number): ServiceLimitError {
  return new ServiceLimitError('States.Runtime', `The execution reached the maximum number of history events (${limit}).`, 'none');
}

/** A path-given timeout or wait out of range at run time. */
export function runtimeRangeError(stateName: string, field: string, value: unknown, limits: ServiceLimits): ServiceLimitError {
  return new ServiceLimitError('States.Runtime', `state '${stateName}': ${field} resolved to ${JSON.stringify(value)}, not an integer from 1 to ${limits.maxSeconds}`, 'none');
}

/** What Lambda answers when a function returns more than 6 MB: an ordinary function error (catchable). */
export function lambdaResponseTooLarge(bytes: number, limit: number): ServiceLimitError {
  return new ServiceLimitError('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${limit} bytes): ${bytes} bytes.`, 'any');
}

/** The function response inside a task result: Payload for the lambda:invoke integration, the result for a function ARN. */
export function lambdaResponseOf(state: AslState, result: unknown): { response: unknown } | undefined {
  const resource = String(state.Resource ?? '');
  if (resource.startsWith('arn:aws:states:::lambda:invoke')) return { response: (result as { Payload?: unknown } | null)?.Payload };
  if (/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/.test(resource)) return { response: result };
  return undefined;
}

/** Fields AWS refuses at CreateStateMachine when out of range (timeouts, waits, retries, Map concurrency). */
export function definitionLimitFindings(definition: AslDefinition, limits: ServiceLimits = { ...SERVICE_LIMITS }): string[] {
  const findings: string[] = [];
  const check = (where: string, field: string, value: unknown, min: number, max: number) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      findings.push(`${where}: ${field} is ${JSON.stringify(value)}, AWS accepts an integer from ${min} to ${max}`);
    }
  };
  check('the state machine', 'TimeoutSeconds', definition.TimeoutSeconds, 1, limits.maxSeconds);
  for (const [name, state] of allStates(definition)) {
    const where = `state "${name}"`;
    if (state.Type === 'Task') {
      check(where, 'TimeoutSeconds', state.TimeoutSeconds, 1, limits.maxSeconds);
      check(where, 'HeartbeatSeconds', state.HeartbeatSeconds, 1, limits.maxSeconds);
      if (typeof state.TimeoutSeconds === 'number' && typeof state.HeartbeatSeconds === 'number' && state.HeartbeatSeconds >= state.TimeoutSeconds) {
        findings.push(`${where}: HeartbeatSeconds (${state.HeartbeatSeconds}) must be less than TimeoutSeconds (${state.TimeoutSeconds})`);
      }
    }
    if (state.Type === 'Wait') check(where, 'Seconds', state.Seconds, 0, limits.maxSeconds);
    if (state.Type === 'Map') check(where, 'MaxConcurrency', state.MaxConcurrency, 0, Number.MAX_SAFE_INTEGER);
    (state.Retry ?? []).forEach((retrier, i) => {
      check(`${where} Retry[${i}]`, 'IntervalSeconds', retrier.IntervalSeconds, 1, limits.maxRetryValue);
      check(`${where} Retry[${i}]`, 'MaxAttempts', retrier.MaxAttempts, 0, limits.maxRetryValue);
      check(`${where} Retry[${i}]`, 'MaxDelaySeconds', retrier.MaxDelaySeconds, 1, limits.maxRetryDelaySeconds);
      if (retrier.BackoffRate !== undefined && !(typeof retrier.BackoffRate === 'number' && retrier.BackoffRate >= 1)) {
        findings.push(`${where} Retry[${i}]: BackoffRate is ${JSON.stringify(retrier.BackoffRate)}, AWS accepts a number from 1.0`);
      }
    });
  }
  return findings;
}
