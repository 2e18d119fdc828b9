/**
 * The Step Functions front's redrive rules and history (tools/rehearsal/redrive.ts, sfn-history.ts),
 * without a rehearsal: which executions RedriveExecution refuses and why, and where a failed run re-enters.
 */
import { redrivePoint, redriveRefusal, REDRIVABLE_FOR_MS } from '../../tools/rehearsal/redrive';
import { HistoryBuilder } from '../../tools/rehearsal/sfn-history';
import { ExecutionResult } from '../../tools/rehearsal/executor';

const now = new Date('2026-12-01T12:00:00Z');
const stopped = new Date(now.getTime() - 60_000);

describe('redriveRefusal', () => {
  test.each([
    ['RUNNING', 'Execution is RUNNING and cannot be redriven.'],
    ['SUCCEEDED', 'Execution is SUCCEEDED and cannot be redriven.'],
  ])('%s is not redrivable', (status, reason) => {
    expect(redriveRefusal({ status, stopDate: stopped, redriveCount: 0, historyEvents: 10 }, now)).toEqual({ reason });
  });

  test.each(['FAILED', 'ABORTED', 'TIMED_OUT'])('%s within 14 days is redrivable', (status) => {
    expect(redriveRefusal({ status, stopDate: stopped, redriveCount: 3, historyEvents: 10 }, now)).toBeUndefined();
  });

  test('refused 14 days after the stop, at the history limit, after 1000 redrives', () => {
    const old = new Date(now.getTime() - REDRIVABLE_FOR_MS - 1);
    expect(redriveRefusal({ status: 'FAILED', stopDate: old, redriveCount: 0, historyEvents: 10 }, now)?.reason).toBe('Execution redrivable period exceeded.');
    expect(redriveRefusal({ status: 'FAILED', stopDate: stopped, redriveCount: 0, historyEvents: 25_000 }, now)?.reason).toBe('Execution history event limit exceeded.');
    expect(redriveRefusal({ status: 'FAILED', stopDate: stopped, redriveCount: 1000, historyEvents: 10 }, now)?.reason).toMatch(/1000 times/);
  });
});

describe('HistoryBuilder', () => {
  const definition = {
    StartAt: 'A',
    States: {
      A: { Type: 'Pass', Next: 'B' },
      B: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Next: 'C' },
      C: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true },
    },
  };
  const ev = (type: string, name: string, extra: Record<string, unknown> = {}) => ({ type, timestamp: now.getTime(), state: { name, type: definition.States[name as 'A'].Type, input: { at: name } }, ...extra });

  test('maps the executor\'s events to Step Functions history events; a failed run re-enters at the failed top-level state with its input', () => {
    const h = new HistoryBuilder(definition);
    h.executionStarted({ x: 1 }, now);
    h.add(ev('StateEntered', 'A'));
    h.add(ev('StateExited', 'A'));
    h.scheduled('B', { Payload: { parameterName: '/lock/approval' } }); // the Parameters may come before the event
    h.add(ev('StateEntered', 'B'));
    h.add(ev('StateExited', 'B'));
    h.add(ev('StateEntered', 'C'));
    h.scheduled('C', { Payload: {} });
    h.add(ev('StateFailed', 'C', { Error: 'States.DataLimitExceeded', Cause: 'too large' }));
    h.executionEnded('FAILED', now, { name: 'States.DataLimitExceeded', message: 'too large' });
    expect(h.events.map((e) => e.type)).toEqual([
      'ExecutionStarted', 'PassStateEntered', 'PassStateExited',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed',
    ]);
    expect(h.events[4].taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', parameters: '{"Payload":{"parameterName":"/lock/approval"}}' });
    expect(h.events.map((e) => e.id)).toEqual(h.events.map((_, i) => i + 1));
    expect(h.failedAt).toEqual({ name: 'C', input: { at: 'C' } });
    const previous = { before: { volumes: [] }, report: { parametersBefore: { P: '1' }, startedAt: now.toISOString(), pastPointOfNoReturn: true } } as unknown as ExecutionResult;
    expect(redrivePoint(h, previous)).toMatchObject({ state: 'C', stateInput: { at: 'C' }, parametersBefore: { P: '1' }, pastPointOfNoReturn: true });
    h.executionRedriven(1, now);
    expect(redrivePoint(h, previous)).toBeUndefined();
    expect(h.events[h.events.length - 1]).toMatchObject({ type: 'ExecutionRedriven', executionRedrivenEventDetails: { redriveCount: 1 } });
  });
});
