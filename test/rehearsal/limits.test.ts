/**
 * The rehearsal's executor under Step Functions' and Lambda's quotas (tools/rehearsal/limited-machine.ts),
 * on small hand-written definitions: no moto, no Neo4j. Each quota fails the run with the error AWS
 * gives, at the state that broke it, and States.ALL does not catch States.DataLimitExceeded.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AslDefinition } from '../../tools/rehearsal/definition';
import { LimitedRun, LimitedRunOptions, runWithLimits } from '../../tools/rehearsal/limited-machine';
import { SERVICE_LIMITS, definitionLimitFindings } from '../../tools/rehearsal/service-limits';
import { upgradeStack } from '../support/example-upgrade';
import { resolvedDefinition } from '../support/state-machine-definition';
import { INPUT_SIZE_GUARD_STATE } from '../../lib/private/input-size-guard';

const LAMBDA = 'arn:aws:states:::lambda:invoke';
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const KIB = 1024;

interface Outcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  message?: string;
  entered: string[];
  run: LimitedRun;
}

async function play(definition: AslDefinition, input: unknown, options: LimitedRunOptions = {}): Promise<Outcome> {
  const run = runWithLimits(definition, input, options);
  const entered: string[] = [];
  const events = (async () => {
    for await (const e of run.eventLogs) {
      const ev = e as { type: string; state?: { name: string } };
      if (ev.type === 'StateEntered' && ev.state) entered.push(ev.state.name);
    }
  })();
  try {
    const output = await run.result;
    await events;
    return { status: 'SUCCEEDED', output, entered, run };
  } catch (e) {
    await events;
    const err = e as { name: string; message: string; cause?: { name: string; message: string } };
    const inner = err.cause && typeof err.cause === 'object' ? err.cause : err;
    return { status: 'FAILED', error: inner.name, message: inner.message, entered, run };
  }
}

/** A Task whose Lambda returns `bytes` of payload, caught by States.ALL into "Handled". */
function lambdaTask(extra: Record<string, unknown> = {}): AslDefinition {
  return {
    StartAt: 'Produce',
    States: {
      Produce: {
        Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: FUNCTION, 'Payload.$': '$' },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled', ResultPath: '$.error' }],
        Next: 'Done', ...extra,
      },
      Handled: { Type: 'Pass', Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
}

const returning = (bytes: number) => ({
  Produce: async () => ({ Payload: { blob: 'x'.repeat(bytes) }, StatusCode: 200 }),
});

describe('256 KiB per state', () => {
  test('a Pass state whose output is over 256 KiB fails the execution there with States.DataLimitExceeded', async () => {
    const def: AslDefinition = {
      StartAt: 'Grow',
      States: {
        Grow: { Type: 'Pass', Parameters: { 'blob.$': "States.Format('{}{}', $.a, $.a)" }, Next: 'After' },
        After: { Type: 'Succeed' },
      },
    };
    const r = await play(def, { a: 'y'.repeat(140 * KIB) });
    expect({ status: r.status, error: r.error }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(r.entered).toEqual(['Grow']);
    expect(r.run.usage.largestState).toBe('Grow (output)');
    expect(r.run.usage.largestStateBytes).toBeGreaterThan(SERVICE_LIMITS.payloadBytes);
  });

  test('a task result over 256 KiB is States.DataLimitExceeded, which the States.ALL Catch does NOT take', async () => {
    const r = await play(lambdaTask(), {}, { taskResourceLocalHandlers: returning(300 * KIB) });
    expect({ status: r.status, error: r.error }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(r.message).toMatch(/The state\/task 'Produce' returned a result with a size exceeding the maximum number of bytes service limit/);
    expect(r.entered).toEqual(['Produce']);
  });

  test('nor does a Retry on States.ALL retry it', async () => {
    let calls = 0;
    const def = lambdaTask({ Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3 }] });
    const r = await play(def, {}, {
      retryIntervalOverrides: { Produce: 0 },
      taskResourceLocalHandlers: { Produce: async () => { calls++; return { Payload: 'x'.repeat(300 * KIB) }; } },
    });
    expect({ status: r.status, error: r.error, calls }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded', calls: 1 });
  });

  test('a Catch that names States.DataLimitExceeded takes it', async () => {
    const def = lambdaTask();
    (def.States.Produce.Catch as unknown[]).unshift({ ErrorEquals: ['States.DataLimitExceeded'], Next: 'Handled', ResultPath: '$.error' });
    const r = await play(def, {}, { taskResourceLocalHandlers: returning(300 * KIB) });
    expect(r.status).toBe('SUCCEEDED');
    expect((r.output as { error: { Error: string } }).error.Error).toBe('States.DataLimitExceeded');
    expect(r.entered).toEqual(['Produce', 'Handled', 'Done']);
  });

  test('under the limit, a failing task is caught by States.ALL as usual', async () => {
    const r = await play(lambdaTask(), {}, {
      taskResourceLocalHandlers: { Produce: async () => { const e = new Error('boom'); e.name = 'SomeError'; throw e; } },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect((r.output as { error: { Error: string } }).error.Error).toBe('SomeError');
    expect(r.entered).toEqual(['Produce', 'Handled', 'Done']);
  });

  test('under the limit, a large result passes and is measured', async () => {
    const r = await play(lambdaTask(), {}, { taskResourceLocalHandlers: returning(200 * KIB) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.run.usage.largestStateBytes).toBeGreaterThan(200 * KIB);
    expect(r.run.usage.largestStateBytes).toBeLessThanOrEqual(SERVICE_LIMITS.payloadBytes);
  });

  test('inside a Map iteration, a state over the limit fails the Map and the execution (its States.ALL Catch does not take it)', async () => {
    const def: AslDefinition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 2,
          ItemProcessor: { StartAt: 'Grow', States: { Grow: { Type: 'Pass', Parameters: { 'blob.$': "States.Format('{}{}', $.a, $.a)" }, End: true } } },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }], Next: 'Done',
        },
        Handled: { Type: 'Pass', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const ok = await play(def, { items: [{ a: 'x' }, { a: 'y' }, { a: 'z' }] });
    expect(ok.status).toBe('SUCCEEDED');
    expect(ok.run.usage.mapConcurrency.Each).toEqual({ maxConcurrency: 2, peak: 2 });
    const big = await play(def, { items: [{ a: 'x' }, { a: 'y'.repeat(130 * KIB) }] });
    expect({ status: big.status, error: big.error }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(big.entered).not.toContain('Handled');
  });

  test('an execution input over 256 KiB is refused at StartExecution: no state runs', async () => {
    const r = await play(lambdaTask(), { blob: 'x'.repeat(300 * KIB) }, { taskResourceLocalHandlers: returning(1) });
    expect({ status: r.status, error: r.error, entered: r.entered }).toEqual({ status: 'FAILED', error: 'ValidationException', entered: [] });
  });
});

describe('6 MB Lambda response', () => {
  test('a response over 6 MB is the Lambda error, an ordinary task failure the Catch takes', async () => {
    const r = await play(lambdaTask(), {}, { taskResourceLocalHandlers: returning(7 * 1024 * KIB) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.entered).toEqual(['Produce', 'Handled', 'Done']);
    const caught = (r.output as { error: { Error: string; Cause: string } }).error;
    expect(caught.Error).toBe('Function.ResponseSizeTooLarge');
    expect(caught.Cause).toMatch(/6291556 bytes/);
  });

  test('without a Catch it fails the execution with that error', async () => {
    const def = lambdaTask();
    delete def.States.Produce.Catch;
    const r = await play(def, {}, { taskResourceLocalHandlers: returning(7 * 1024 * KIB) });
    expect({ status: r.status, error: r.error }).toEqual({ status: 'FAILED', error: 'Function.ResponseSizeTooLarge' });
  });
});

describe('25,000 history events', () => {
  /** A Pass/Choice loop counting to `$.n`: 4 history events per round. */
  const loop: AslDefinition = {
    StartAt: 'Init',
    States: {
      Init: { Type: 'Pass', Parameters: { 'n.$': '$.n', i: 0 }, Next: 'Step' },
      Step: { Type: 'Pass', Parameters: { 'n.$': '$.n', 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'More?' },
      'More?': { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThanPath: '$.n', Next: 'Step' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };

  test('a run that needs more than 25,000 events fails with States.Runtime at the limit', async () => {
    const r = await play(loop, { n: 7000 });
    expect({ status: r.status, error: r.error }).toEqual({ status: 'FAILED', error: 'States.Runtime' });
    expect(r.message).toBe('The execution reached the maximum number of history events (25000).');
    expect(r.run.usage.historyEvents).toBe(SERVICE_LIMITS.historyEvents);
  }, 60_000);

  test('a run below it succeeds and reports its history length', async () => {
    const r = await play(loop, { n: 10 });
    expect(r.status).toBe('SUCCEEDED');
    // ExecutionStarted, Init 2, 10 x (Step 2 + Choice 2), Done 2, ExecutionSucceeded.
    expect(r.run.usage.historyEvents).toBe(1 + 2 + 40 + 2 + 1);
  });

  test('a Lambda task counts Entered, Scheduled, Started, Succeeded, Exited; a retry Scheduled, Started, Failed again', async () => {
    let calls = 0;
    const def = lambdaTask({ Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 2 }] });
    const r = await play(def, {}, {
      retryIntervalOverrides: { Produce: 0 },
      taskResourceLocalHandlers: { Produce: async () => { if (calls++ === 0) { const e = new Error('once'); e.name = 'Flaky'; throw e; } return { Payload: 1 }; } },
    });
    expect(r.status).toBe('SUCCEEDED');
    // ExecutionStarted; Produce: 3 + TaskFailed 1 + retry 2 + 2; Done 2; ExecutionSucceeded.
    expect(r.run.usage.historyEvents).toBe(1 + 8 + 2 + 1);
  });
});

describe('timeouts and waits within their ranges', () => {
  test('the definition findings name each field out of range', () => {
    const def: AslDefinition = {
      StartAt: 'T',
      TimeoutSeconds: 40_000_000,
      States: {
        T: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 31_536_001, HeartbeatSeconds: 10, Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 0, BackoffRate: 0.5 }], Next: 'W' },
        W: { Type: 'Wait', Seconds: -1, Next: 'M' },
        M: { Type: 'Map', MaxConcurrency: 1.5, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true },
      },
    };
    const findings = definitionLimitFindings(def);
    expect(findings).toEqual([
      'the state machine: TimeoutSeconds is 40000000, AWS accepts an integer from 1 to 31536000',
      'state "T": TimeoutSeconds is 31536001, AWS accepts an integer from 1 to 31536000',
      'state "T" Retry[0]: IntervalSeconds is 0, AWS accepts an integer from 1 to 99999999',
      'state "T" Retry[0]: BackoffRate is 0.5, AWS accepts a number from 1.0',
      'state "W": Seconds is -1, AWS accepts an integer from 0 to 31536000',
      'state "M": MaxConcurrency is 1.5, AWS accepts an integer from 0 to 9007199254740991',
    ]);
    expect(definitionLimitFindings(lambdaTask({ TimeoutSeconds: 60, HeartbeatSeconds: 30 }))).toEqual([]);
  });

  test('the staged upgrade\'s synthesized definition is within every range', () => {
    const { definition } = resolvedDefinition(Template.fromStack(upgradeStack().stack).toJSON());
    expect(definitionLimitFindings(definition)).toEqual([]);
  }, 120_000);

  test('a TimeoutSecondsPath resolving beyond a year fails the run with States.Runtime (not caught)', async () => {
    const def = lambdaTask({ Parameters: { FunctionName: FUNCTION, 'Timeout.$': '$.t' }, TimeoutSecondsPath: '$.Timeout' });
    const r = await play(def, { t: 40_000_000 }, { taskResourceLocalHandlers: returning(1) });
    expect({ status: r.status, error: r.error }).toEqual({ status: 'FAILED', error: 'States.Runtime' });
    const fine = await play(def, { t: 30 }, { taskResourceLocalHandlers: returning(1) });
    expect(fine.status).toBe('SUCCEEDED');
  });
});

describe('the execution input just under 256 KiB', () => {
  let synthesized: AslDefinition;
  beforeAll(() => { synthesized = resolvedDefinition(Template.fromStack(upgradeStack().stack).toJSON()).definition; }, 120_000);
  const definition = () => synthesized;
  const nearLimit = { dockerImage: 'neo4j:2026.08.1-enterprise', comment: 'x'.repeat(255 * KIB) };

  test('is refused by the first state with InvalidInputError, the state replaced by the error (no ResultPath), nothing else run', async () => {
    const { logic } = await import('../../lambda/check-input-size/logic');
    const { memoryLogger } = await import('../../lambda/shared/log');
    const def = definition();
    expect(def.StartAt).toBe(INPUT_SIZE_GUARD_STATE);
    expect((def.States[INPUT_SIZE_GUARD_STATE] as { Catch: Array<Record<string, unknown>> }).Catch).toEqual([
      { ErrorEquals: ['States.ALL'], Next: 'Refused: the execution input is too large' },
    ]);
    const r = await play(def, nearLimit, {
      // The task's input is the Lambda invoke's parameters: the function's payload is under Payload.
      taskResourceLocalHandlers: { [INPUT_SIZE_GUARD_STATE]: async (invoke: unknown) => ({ Payload: await logic({ log: memoryLogger() }, (invoke as { Payload: unknown }).Payload), StatusCode: 200 }) },
    });
    expect({ status: r.status, error: r.error, entered: r.entered })
      .toEqual({ status: 'FAILED', error: 'InvalidInputError', entered: [INPUT_SIZE_GUARD_STATE, 'Refused: the execution input is too large'] });
    expect(r.message).toMatch(/the execution input is \d+ bytes as JSON, at most 16384 .*its largest field is "comment"/);
  }, 120_000);

  test('without the guard, the first Pass would fail with States.DataLimitExceeded, which no Catch takes', async () => {
    const def = definition();
    const guard = def.States[INPUT_SIZE_GUARD_STATE] as { Next: string };
    const r = await play({ ...def, StartAt: guard.Next }, nearLimit, {});
    expect({ status: r.status, error: r.error, entered: r.entered }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded', entered: [guard.Next] });
  }, 120_000);

  test('an input within the cap passes the guard unchanged (its result is discarded)', async () => {
    const def = definition();
    const guard = def.States[INPUT_SIZE_GUARD_STATE] as { Next: string; ResultPath: unknown };
    expect(guard.ResultPath).toBeNull();
    const small = { dockerImage: 'neo4j:2026.08.1-enterprise' };
    const r = await play({ ...def, States: { ...def.States, [guard.Next]: { Type: 'Succeed' } } }, small, {
      taskResourceLocalHandlers: { [INPUT_SIZE_GUARD_STATE]: async () => ({ Payload: { bytes: 43 }, StatusCode: 200 }) },
    });
    expect({ status: r.status, output: r.output }).toEqual({ status: 'SUCCEEDED', output: small });
  }, 120_000);
});
