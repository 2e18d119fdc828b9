/**
 * The detection-lag measurement (tools/rehearsal/wait-episodes.ts, detection-lag.ts) on a small
 * hand-written definition run by the rehearsal's executor: one wait whose condition becomes true 10 s
 * into its clock, then the next state. No moto, no Neo4j: the waiting handler's look reads the episode's
 * modelled completion, as the seams do in a rehearsal.
 */
import { StillInProgressError } from '../../lambda/shared/errors';
import { lookUntilDone } from '../../lambda/shared/look-until-done';
import { AslDefinition } from '../../tools/rehearsal/definition';
import { EnteredState, detectionLags } from '../../tools/rehearsal/detection-lag';
import { runWithLimits } from '../../tools/rehearsal/limited-machine';
import { WaitEpisodes } from '../../tools/rehearsal/wait-episodes';

const MODEL = { minSeconds: 10, maxSeconds: 10, seed: 1 };

function definition(retry: Record<string, number>, poll?: Record<string, number>): AslDefinition {
  return {
    StartAt: 'Wait for UPDATE_COMPLETE',
    States: {
      'Wait for UPDATE_COMPLETE': {
        Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:f', Payload: { cluster: 'c', ...(poll && { poll }) } },
        Retry: [{ ErrorEquals: ['StillInProgressError'], ...retry }],
        Next: 'Next stage',
      },
      'Next stage': { Type: 'Pass', End: true },
    },
  };
}

/** Runs the definition with a stack-status stand-in on the episode's clock; the lag report. */
async function measure(def: AslDefinition) {
  const waits = new WaitEpisodes(def, MODEL);
  const entered: EnteredState[] = [];
  const handler = async (params: unknown) => {
    const payload = (params as { Payload: { poll?: { everySeconds: number; withinSeconds: number } } }).Payload;
    const wait = waits.begin('Wait for UPDATE_COMPLETE', 'stack-status', payload);
    if (!wait) throw new Error('stack-status is a wait');
    const clock = { now: () => new Date(wait.now()), sleep: (ms: number) => wait.sleep(ms) };
    try {
      const out = await lookUntilDone(clock, payload.poll, (e) => e instanceof StillInProgressError, async () => {
        if (wait.pending()) throw new StillInProgressError('UPDATE_IN_PROGRESS');
        return { stackStatus: 'UPDATE_COMPLETE' };
      });
      waits.ended(wait, undefined);
      return out;
    } catch (e) {
      waits.ended(wait, (e as Error).name);
      throw e;
    }
  };
  const run = runWithLimits(def, {}, {
    taskResourceLocalHandlers: { 'Wait for UPDATE_COMPLETE': handler },
    retryIntervalOverrides: { 'Wait for UPDATE_COMPLETE': 0 },
  });
  const consumed = (async () => {
    for await (const e of run.eventLogs) {
      const ev = e as { type: string; timestamp: number; index?: number; state?: { name: string } };
      if (ev.type === 'StateEntered' && ev.state) entered.push({ name: ev.state.name, at: ev.timestamp });
    }
  })();
  await run.result;
  await consumed;
  return { report: detectionLags(waits.closed, entered, MODEL), episodes: waits.closed };
}

test('Retry backoff: looks at 0, 3, 7.5 and 14.25 s, so a condition true at 10 s is seen 4.25 s late', async () => {
  const { report, episodes } = await measure(definition({ IntervalSeconds: 3, BackoffRate: 1.5, MaxDelaySeconds: 20, MaxAttempts: 50 }));
  expect(report.lags).toHaveLength(1);
  expect(report.lags[0]).toMatchObject({ state: 'Wait for UPDATE_COMPLETE', kind: 'stack update', trueAtSeconds: 10, nextState: 'Next stage', invocations: 4 });
  expect(report.lags[0].lagMs).toBeGreaterThanOrEqual(4250);
  expect(report.lags[0].lagMs).toBeLessThan(4250 + 500); // plus the real time of the looks
  expect(episodes[0].looks).toBe(4);
});

test('looking every second within the invocation: the same condition is seen within a second', async () => {
  const { report, episodes } = await measure(definition({ IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 15 }, { everySeconds: 1, withinSeconds: 240 }));
  expect(report.lags[0]).toMatchObject({ trueAtSeconds: 10, invocations: 1 });
  expect(report.lags[0].lagMs).toBeLessThan(1000);
  expect(episodes[0].looks).toBe(11);
  expect(report).toMatchObject({ waits: 1, medianMs: report.lags[0].lagMs, p95Ms: report.lags[0].lagMs });
});

test('a budget shorter than the wait: the Retry re-invokes 1 s later and the clock keeps counting', async () => {
  const { report } = await measure(definition({ IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 15 }, { everySeconds: 1, withinSeconds: 4 }));
  // Looks at 0-4 s, Retry at 5 s, looks at 5-9 s, Retry at 10 s: seen at once.
  expect(report.lags[0]).toMatchObject({ trueAtSeconds: 10, invocations: 3 });
  expect(report.lags[0].lagMs).toBeLessThan(1000);
});
